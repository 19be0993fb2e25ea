from django.utils.translation import gettext_lazy as _

from gongzhi.core.errors import ErrorCode


class PointsError(ErrorCode):
    UNBALANCED = ("points.unbalanced", _("记账分录借贷不平衡"), 400)
    AMOUNT_INVALID = ("points.amount_invalid", _("积分须为非零整数"), 400)
    INSUFFICIENT_BALANCE = ("points.insufficient_balance", _("积分余额不足"), 409)
    IDEMPOTENCY_CONFLICT = ("points.idempotency_conflict", _("该请求编号已用于另一笔不同的交易"), 409)
    ALREADY_REVERSED = ("points.already_reversed", _("该笔交易已冲正"), 409)
    NOT_REVERSIBLE = ("points.not_reversible", _("冲正交易不能再次冲正"), 409)
    SAME_PERSON = ("points.same_person", _("登记扣分的人不能审核本人登记的扣分"), 403)
    REASON_REQUIRED = ("points.reason_required", _("请填写事由"), 400)
    EVIDENCE_REQUIRED = ("points.evidence_required", _("村规民约事项加分须注明依据（如现场照片、检查记录）"), 400)
    ABOVE_ITEM = ("points.above_item", _("超过该事项规定的分值"), 400)
    RULE_ITEM_INVALID = ("points.rule_item_invalid", _("该积分事项不适用于此单元或此操作"), 400)
    NO_RULESET = ("points.no_ruleset", _("本单元尚未登记经会议通过的积分规则"), 409)
    RULESET_INVALID = ("points.ruleset_invalid", _("积分规则内容有误，请检查后重试"), 400)
    CAP_REACHED = ("points.cap_reached", _("已达到该事项的每日或每月积分上限"), 409)
    DEDUCTION_STATE = ("points.deduction_state", _("该扣分记录当前状态不允许此操作"), 409)
    APPEAL_NOT_OWN = ("points.appeal_not_own", _("只能对本人的扣分提出申诉"), 403)
    APPEAL_WINDOW_CLOSED = ("points.appeal_window_closed", _("已超过申诉期限"), 409)
    PHOTO_INVALID = ("points.photo_invalid", _("证据照片须为有效的图片文件"), 400)
    PHOTO_TOO_LARGE = ("points.photo_too_large", _("证据照片过大"), 413)
    MONTH_INVALID = ("points.month_invalid", _("月份格式应为 YYYY-MM"), 400)
