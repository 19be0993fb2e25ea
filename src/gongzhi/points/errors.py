from django.utils.translation import gettext_lazy as _

from gongzhi.core.errors import ErrorCode


class PointsError(ErrorCode):
    UNBALANCED = ("points.unbalanced", _("记账分录借贷不平衡"), 400)
    AMOUNT_INVALID = ("points.amount_invalid", _("积分须为非零整数"), 400)
    INSUFFICIENT_BALANCE = ("points.insufficient_balance", _("积分余额不足"), 409)
    IDEMPOTENCY_CONFLICT = ("points.idempotency_conflict", _("该请求编号已用于另一笔不同的交易"), 409)
    ALREADY_REVERSED = ("points.already_reversed", _("该笔交易已冲正"), 409)
    NOT_REVERSIBLE = ("points.not_reversible", _("冲正交易不能再次冲正"), 409)
