from django.utils.translation import gettext_lazy as _

from gongzhi.core.errors import ErrorCode


class DispatchError(ErrorCode):
    """Error codes of the dispatch app (code, Chinese message, HTTP status)."""

    ALREADY_TAKEN = ("dispatch.already_taken", _("该任务已被他人接单"), 409)
    NOT_OPEN = ("dispatch.not_open", _("该任务当前状态不允许此操作"), 409)
    NOT_QUALIFIED = ("dispatch.not_qualified", _("您不符合该任务的接单条件（技能或队伍要求）"), 409)
    NOT_VOLUNTEER = ("dispatch.not_volunteer", _("只有在册志愿者可以接单"), 409)
    NOT_TAKER = ("dispatch.not_taker", _("只有接单人或派单人员可以办理此任务"), 403)
    TITLE_EMPTY = ("dispatch.title_empty", _("请填写任务名称"), 400)
    UNIT_MISSING = ("dispatch.unit_missing", _("请选择任务所在的社区或网格"), 400)
    SKILL_UNKNOWN = ("dispatch.skill_unknown", _("技能不存在"), 400)
    TEAM_UNKNOWN = ("dispatch.team_unknown", _("队伍不存在或不在该辖区"), 400)
    PROJECT_UNKNOWN = ("dispatch.project_unknown", _("服务项目不存在或不在实施中"), 400)
    PROJECT_UNIT = ("dispatch.project_unit", _("任务须在服务项目的实施单元内"), 400)
    LOCATION_INVALID = ("dispatch.location_invalid", _("经纬度无效"), 400)
    VOLUNTEER_NO_LOGIN = ("dispatch.volunteer_no_login", _("该志愿者没有登录账号，无法指派"), 409)
    APPEAL_ORDER = ("dispatch.appeal_order", _("来自诉求的任务随诉求办理，请在诉求中取消或改派"), 409)
    PERIOD_INVALID = ("dispatch.period_invalid", _("统计时段无效"), 400)
