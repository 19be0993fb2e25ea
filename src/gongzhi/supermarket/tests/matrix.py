"""Scoping-matrix rows for the points supermarket API (collected by ``accounts/tests/test_scoping_matrix.py``).

Targets are shops registered at G (永兴社区第一网格), A (永兴社区), A2 (金鼎社区) and B (洪沟社区), each with goods, a
counter redemption done today and an open order by a resident of that unit; R is an open order of the world's
resident (赵六, 永兴社区) at shop A. The world's ``merchant`` login is listed as the staff of shop A only.

Who sees what: managers (community workers and admins) and settlers (admins) the shops of their subtree; a shop's
staff only their own shop (any other shop is 404 to them); a resident (and the 队长, who has a resident record in
永兴社区) the shops of their street — G, A, A2 — and their own orders. Only a shop's staff redeem at its counter.
"""

from __future__ import annotations

from gongzhi.accounts.roles import Role
from gongzhi.accounts.services import role_grant, user_create
from gongzhi.core.testing.matrix import Case, Ctx, ids, table
from gongzhi.core.testing.world import PASSWORD
from gongzhi.people.models import Person
from gongzhi.points.models import TxKind
from gongzhi.points.services import Leg, account_for_person, pool_for_unit, transaction_post
from gongzhi.supermarket import services
from gongzhi.supermarket.models import MerchantKind

TARGETS = ("G", "A", "A2", "B")


def _give(person, points: int, key: str) -> None:
    transaction_post(kind=TxKind.AWARD, unit=person.unit, idempotency_key=key,
                     legs=[Leg(pool_for_unit(person.unit), -points), Leg(account_for_person(person), points)],
                     reason="测试奖励", actor=None)


def prepare(ctx: Ctx) -> None:
    district = ctx.users["district"]
    merchants, items, orders, staff = {}, {}, {}, {}
    leader = Person.objects.get(user=ctx.users["teamleader"])
    for who, person in {**ctx.people, "leader": leader}.items():
        _give(person, 1000, f"matrix-give-{who}")
    for i, t in enumerate(TARGETS):
        unit = ctx.units[t]
        m = services.merchant_create(unit=unit, name=f"{unit.name}积分超市", kind=MerchantKind.STORE, actor=district)
        merchants[t] = m
        items[t] = services.item_create(merchant=m, data=services.ItemInput(name="洗衣液", points_price=5),
                                        stock=100, actor=district)
        user = user_create(username=f"t-shop-{t}", password=PASSWORD, display_name=f"店员{t}",
                           phone=f"1370000{i:04d}")
        role_grant(user=user, role=Role.MERCHANT, unit=unit, actor=None)
        staff[t] = user
        if t != "A":
            services.merchant_staff_add(merchant=m, user=user, actor=district)
        services.redemption_create(merchant=m, person=ctx.people[t], item=items[t], quantity=1, channel="counter",
                                   actor=user, idempotency_key=f"matrix-counter-{t}")
        orders[t] = services.redemption_create(merchant=m, person=ctx.people[t], item=items[t], quantity=1,
                                               channel="order", actor=district, idempotency_key=f"matrix-order-{t}")
    services.merchant_staff_add(merchant=merchants["A"], user=ctx.users["merchant"], actor=district)
    orders["R"] = services.redemption_create(merchant=merchants["A"], person=ctx.people["R"], item=items["A"],
                                             quantity=2, channel="order", actor=ctx.users["resident"],
                                             idempotency_key="matrix-order-R")
    ctx.cache["supermarket"] = {"merchants": merchants, "items": items, "orders": orders, "staff": staff}


def _s(ctx: Ctx) -> dict:
    return ctx.cache["supermarket"]


def _token(ctx: Ctx) -> str:
    return services.member_token_create(person=ctx.people["R"])


def _counter_body(ctx: Ctx, role: str, t: str) -> dict:
    s = _s(ctx)
    return {"merchant_id": s["merchants"][t].pk, "member_token": _token(ctx), "item_id": s["items"][t].pk,
            "quantity": 1, "idempotency_key": f"matrix-{role}-{t}"}


# --- tables -------------------------------------------------------------------------------------------------

SHOPS_LISTED = """
                                  G    A    A2   B
district                          +    +    +    +
street                            +    +    +    -
street_b,community_b              -    -    -    +
community                         +    +    -    -
resident,teamleader               +    +    +    -
merchant                          -    +    -    -
*                                 403  403  403  403
"""

SHOP_READ = """
                                  G    A    A2   B
district                          200  200  200  200
street                            200  200  200  404
street_b,community_b              404  404  404  200
community                         200  200  404  404
resident,teamleader               200  200  200  404
merchant                          404  200  404  404
*                                 403  403  403  403
"""

# supermarket.manage: admins and community workers, in their subtree
SHOP_MANAGE = """
                                  G    A    A2   B
district                          200  200  200  200
street                            200  200  200  404
street_b,community_b              404  404  404  200
community                         200  200  404  404
resident,teamleader               403  403  403  404
merchant                          404  403  404  404
*                                 403  403  403  403
"""

# POST /supermarket/merchants: the unit must be visible (org.view) before supermarket.manage is checked on it
SHOP_CREATE = """
                                                        G    A    A2   B
district                                                201  201  201  201
street                                                  201  201  201  404
street_b,community_b                                    404  404  404  201
community                                               201  201  404  404
grid                                                    403  404  404  404
socialworker,teamleader,observer,volunteer,resident,merchant  403  403  404  404
socialworker2,mediator                                  403  403  403  404
norole                                                  403  403  403  403
"""

# only a shop's own staff redeem at its counter; shops they may see but not serve are 403
COUNTER = """
                                  G    A    A2   B
district                          403  403  403  403
street                            403  403  403  404
street_b,community_b              404  404  404  403
community                         403  403  404  404
resident,teamleader               403  403  403  404
merchant                          404  201  404  404
*                                 403  403  403  403
"""

# a resident orders from the shops of their own street; accounts without a resident record cannot order (409)
ORDER = """
                                  G    A    A2   B
resident,teamleader               201  201  201  404
*                                 409  409  409  409
"""

REDEMPTIONS_LISTED = """
                                  G    A    A2   B    R
district                          +    +    +    +    +
street                            +    +    +    -    +
street_b,community_b              -    -    -    +    -
community                         +    +    -    -    +
resident                          -    -    -    -    +
teamleader                        -    -    -    -    -
merchant                          -    +    -    -    +
*                                 403  403  403  403  403
"""

RECEIPT = """
                                  G    A    A2   B    R
district                          200  200  200  200  200
street                            200  200  200  404  200
street_b,community_b              404  404  404  200  404
community                         200  200  404  404  200
resident                          404  404  404  404  200
teamleader                        404  404  404  404  404
merchant                          404  200  404  404  200
*                                 403  403  403  403  403
"""

PICKUP = """
                                  G    A    A2   B    R
district                          403  403  403  403  403
street                            403  403  403  404  403
street_b,community_b              404  404  404  403  404
community                         403  403  404  404  403
resident                          404  404  404  404  403
teamleader                        404  404  404  404  404
merchant                          404  200  404  404  200
*                                 403  403  403  403  403
"""

# the resident cancels their own order; the shop's staff cancel its orders
CANCEL = PICKUP.replace(
    "resident                          404  404  404  404  403",
    "resident                          404  404  404  404  200")

SETTLEMENT_LISTED = """
                                  G    A    A2   B
district                          +    +    +    +
street                            +    +    +    -
street_b                          -    -    -    +
*                                 403  403  403  403
"""

MEMBER_TOKEN = """
                                  -
resident,teamleader               200
*                                 409
"""

MEMBER_LOOKUP = """
                                  -
merchant                          200
*                                 403
"""

SELF_SERVICE = {("GET", "/api/v1/supermarket/member-token"), ("POST", "/api/v1/supermarket/orders")}


def _m(c, t):
    return _s(c)["merchants"][t].pk


def _i(c, t):
    return _s(c)["items"][t].pk


def _o(c, t):
    return _s(c)["orders"][t].pk


def _item_body(name="食用油"):
    return {"name": name, "points_price": 30, "description": "5升装", "active": True}


CASES = {
    ("GET", "/api/v1/supermarket/merchants"): Case(
        table(SHOPS_LISTED), lambda c, r, t: ("supermarket/merchants", None),
        lambda body, c, t: _m(c, t) in ids(body), prepare=prepare),
    ("POST", "/api/v1/supermarket/merchants"): Case(
        table(SHOP_CREATE),
        lambda c, r, t: ("supermarket/merchants", {"unit_id": c.units[t].pk, "name": "卫生室", "kind": "clinic"}),
        prepare=prepare),
    ("GET", "/api/v1/supermarket/merchants/{merchant_id}"): Case(
        table(SHOP_READ), lambda c, r, t: (f"supermarket/merchants/{_m(c, t)}", None), prepare=prepare),
    ("PUT", "/api/v1/supermarket/merchants/{merchant_id}"): Case(
        table(SHOP_MANAGE),
        lambda c, r, t: (f"supermarket/merchants/{_m(c, t)}", {"name": "积分超市（新址）", "fen_per_point": 12}),
        prepare=prepare),
    ("POST", "/api/v1/supermarket/merchants/{merchant_id}/staff"): Case(
        table(SHOP_MANAGE.replace("200", "201")),
        lambda c, r, t: (f"supermarket/merchants/{_m(c, t)}/staff", {"user_id": _s(c)["staff"][t].pk}),
        prepare=prepare),
    ("GET", "/api/v1/supermarket/merchants/{merchant_id}/items"): Case(
        table(SHOP_READ), lambda c, r, t: (f"supermarket/merchants/{_m(c, t)}/items", None), prepare=prepare),
    ("POST", "/api/v1/supermarket/merchants/{merchant_id}/items"): Case(
        table(SHOP_MANAGE.replace("200", "201")),
        lambda c, r, t: (f"supermarket/merchants/{_m(c, t)}/items", {**_item_body(), "stock": 10}),
        prepare=prepare),
    ("GET", "/api/v1/supermarket/items/{item_id}"): Case(
        table(SHOP_READ), lambda c, r, t: (f"supermarket/items/{_i(c, t)}", None), prepare=prepare),
    ("PUT", "/api/v1/supermarket/items/{item_id}"): Case(
        table(SHOP_MANAGE), lambda c, r, t: (f"supermarket/items/{_i(c, t)}", _item_body("洗衣液（大瓶）")),
        prepare=prepare),
    ("POST", "/api/v1/supermarket/items/{item_id}/stock"): Case(
        table(SHOP_MANAGE.replace("200", "201")),
        lambda c, r, t: (f"supermarket/items/{_i(c, t)}/stock", {"change": 20, "reason": "restock"}),
        prepare=prepare),
    ("GET", "/api/v1/supermarket/member-token"): Case(
        table(MEMBER_TOKEN), lambda c, r, t: ("supermarket/member-token", None), prepare=prepare),
    ("POST", "/api/v1/supermarket/member-lookup"): Case(
        table(MEMBER_LOOKUP), lambda c, r, t: ("supermarket/member-lookup", {"member_token": _token(c)}),
        prepare=prepare),
    ("POST", "/api/v1/supermarket/redemptions"): Case(
        table(COUNTER), lambda c, r, t: ("supermarket/redemptions", _counter_body(c, r, t)), prepare=prepare),
    ("GET", "/api/v1/supermarket/redemptions"): Case(
        table(REDEMPTIONS_LISTED), lambda c, r, t: ("supermarket/redemptions?status=ordered", None),
        lambda body, c, t: _o(c, t) in ids(body), prepare=prepare),
    ("GET", "/api/v1/supermarket/redemptions/{redemption_id}"): Case(
        table(RECEIPT), lambda c, r, t: (f"supermarket/redemptions/{_o(c, t)}", None), prepare=prepare),
    ("POST", "/api/v1/supermarket/orders"): Case(
        table(ORDER),
        lambda c, r, t: ("supermarket/orders", {"item_id": _i(c, t), "quantity": 1, "idempotency_key": f"o-{r}-{t}"}),
        prepare=prepare),
    ("POST", "/api/v1/supermarket/redemptions/{redemption_id}/pickup"): Case(
        table(PICKUP), lambda c, r, t: (f"supermarket/redemptions/{_o(c, t)}/pickup", None), prepare=prepare),
    ("POST", "/api/v1/supermarket/redemptions/{redemption_id}/cancel"): Case(
        table(CANCEL), lambda c, r, t: (f"supermarket/redemptions/{_o(c, t)}/cancel", {"reason": "不要了"}),
        prepare=prepare),
    ("GET", "/api/v1/supermarket/settlement"): Case(
        table(SETTLEMENT_LISTED), lambda c, r, t: ("supermarket/settlement", None),
        lambda body, c, t: _m(c, t) in {m["merchant_id"] for m in body["merchants"]}, prepare=prepare),
    ("GET", "/api/v1/supermarket/settlement.xlsx"): Case(
        table(SETTLEMENT_LISTED), lambda c, r, t: ("supermarket/settlement.xlsx", None),
        lambda body, c, t: _s(c)["merchants"][t].name in body, prepare=prepare),
}
