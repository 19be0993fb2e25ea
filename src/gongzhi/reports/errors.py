from django.utils.translation import gettext_lazy as _

from gongzhi.core.errors import ErrorCode


class ReportsError(ErrorCode):
    PERIOD_INVALID = ("reports.period_invalid", _("统计周期无效：请使用 2025、2025-Q1、2025-03 或 all"), 400)
    RANGE_INVALID = ("reports.range_invalid", _("日期范围无效：开始日期须早于或等于结束日期，且两者须同时给出"), 400)
    RANGE_TOO_LONG = ("reports.range_too_long", _("自定义日期范围不能超过十年"), 400)
    NOT_A_TEAM = ("reports.not_a_team", _("该组织不是志愿服务队"), 404)
