"""Named permissions for the points supermarket (a merchant's staff act only for their own shop)."""

from gongzhi.accounts.permissions import ADMINS, grant
from gongzhi.accounts.roles import Role

MANAGE = grant("supermarket.manage", ADMINS | {Role.COMMUNITY_WORKER}, "登记积分商户和兑换商品")
REDEEM = grant("supermarket.redeem", frozenset({Role.MERCHANT}), "商户柜台扫码兑换积分、核销订单")
SETTLE = grant("supermarket.settle", ADMINS, "商户结算对账与导出")
