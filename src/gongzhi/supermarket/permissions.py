"""Named permissions for the points supermarket (a merchant's staff act only for their own shop).

``REDEEM`` is held by the merchant role at a unit; the shop a user may serve is the one whose ``staff`` lists them
(and whose unit lies under that role). Managers register shops and goods; the district and streets settle.
"""

from gongzhi.accounts.permissions import ADMINS, grant
from gongzhi.accounts.roles import Role

MANAGE = grant("supermarket.manage", ADMINS | {Role.COMMUNITY_WORKER}, "登记积分商户和兑换商品")
REDEEM = grant("supermarket.redeem", frozenset({Role.MERCHANT}), "商户柜台扫码兑换积分、核销订单")
SETTLE = grant("supermarket.settle", ADMINS, "商户结算对账与导出")
