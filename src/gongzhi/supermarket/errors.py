from django.utils.translation import gettext_lazy as _

from gongzhi.core.errors import ErrorCode


class SupermarketError(ErrorCode):
    NAME_INVALID = ("supermarket.name_invalid", _("名称不能为空，且不超过120个字"), 400)
    NAME_DUPLICATE = ("supermarket.name_duplicate", _("本单元已有同名商户"), 409)
    KIND_UNKNOWN = ("supermarket.kind_unknown", _("未知的商户类型，可选：便民超市、卫生室、药店、汽修点、其他"), 400)
    RATE_INVALID = ("supermarket.rate_invalid", _("每积分结算金额须在1分到1000分之间"), 400)
    STAFF_NOT_MERCHANT = ("supermarket.staff_not_merchant", _("该账号在本商户所在单元没有商户角色，不能设为店员"), 409)
    PRICE_INVALID = ("supermarket.price_invalid", _("所需积分须为1到100000之间的整数"), 400)
    STOCK_INVALID = ("supermarket.stock_invalid", _("库存须为0到100000之间的整数"), 400)
    STOCK_CHANGE_INVALID = ("supermarket.stock_change_invalid", _("库存变动须为非零整数，且变动后库存不能小于0"), 400)
    QUANTITY_INVALID = ("supermarket.quantity_invalid", _("兑换数量须为1到99之间的整数"), 400)
    KEY_INVALID = ("supermarket.key_invalid", _("请求编号不能为空，且不超过80个字符"), 400)
    KEY_CONFLICT = ("supermarket.key_conflict", _("该请求编号已用于另一笔不同的兑换"), 409)
    ITEM_NOT_AT_MERCHANT = ("supermarket.item_not_at_merchant", _("该商品不属于本商户"), 400)
    ITEM_INACTIVE = ("supermarket.item_inactive", _("该商品已下架，不能兑换"), 409)
    MERCHANT_CLOSED = ("supermarket.merchant_closed", _("该商户已停止营业，不能兑换"), 409)
    OUT_OF_STOCK = ("supermarket.out_of_stock", _("库存不足，不能兑换"), 409)
    TOKEN_INVALID = ("supermarket.token_invalid", _("会员码无效，请让居民刷新后重新出示"), 400)
    TOKEN_EXPIRED = ("supermarket.token_expired", _("会员码已过期，请让居民刷新后重新出示"), 400)
    NO_PERSON = ("supermarket.no_person", _("当前账号没有关联居民信息"), 409)
    NOT_ORDERED = ("supermarket.not_ordered", _("只有待取货的订单可以核销或取消"), 409)
    PERIOD_INVALID = ("supermarket.period_invalid", _("结算期间无效：结束日期不能早于开始日期，且不超过一年"), 400)
