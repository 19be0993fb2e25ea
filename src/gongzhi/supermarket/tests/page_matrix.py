"""Page-matrix rows for the points supermarket (catalogue, member QR, counter, receipts, shops, settlement)."""

from __future__ import annotations

from gongzhi.core.testing.matrix import PageCase, everyone, table
from gongzhi.supermarket import services
from gongzhi.supermarket.tests.matrix import prepare

UNITS = "G A A2 B"
ORDERS = "G A A2 B R"


def _s(c):
    return c.cache["supermarket"]


def _m(c, t):
    return _s(c)["merchants"][t].pk


def _i(c, t):
    return _s(c)["items"][t].pk


def _o(c, t):
    return _s(c)["orders"][t].pk


def _counter_body(c, r, t):
    return {"merchant": _m(c, t), "member_token": services.member_token_create(person=c.people["R"]),
            "item": _i(c, t), "quantity": 1, "idempotency_key": f"pm-{r}-{t}"}


PAGES = {
    "supermarket:catalogue": PageCase(table("""
                                                                 G     A     A2    B
        district,street,street_b,community,community_b,merchant  -     -     -     -
        teamleader,resident                                      +     +     +     -
        *                                                        409   409   409   409
        """), lambda c, r, t: "/supermarket/", prepare=prepare,
                                      listed=lambda c, t: f"/supermarket/items/{_i(c, t)}/order/"),
    "supermarket:member": PageCase(table("""
                             -
        teamleader,resident  200
        *                    409
        """), lambda c, r, t: "/supermarket/member/", prepare=prepare),
    "supermarket:member_qr": PageCase(table("""
                             -
        teamleader,resident  200
        *                    409
        """), lambda c, r, t: "/supermarket/member/qr/",
                                      prepare=prepare),
    "supermarket:orders": PageCase(table("""
                             -
        teamleader,resident  200
        *                    409
        """), lambda c, r, t: "/supermarket/orders/", prepare=prepare),
    "supermarket:order": PageCase(
        everyone("405", "G A A2 B"), lambda c, r, t: f"/supermarket/items/{_i(c, t)}/order/", prepare=prepare,
        post=table("""
                             G     A     A2    B
        teamleader,resident  302   302   302   404
        *                    409   409   409   409
        """), body=lambda c, r, t: {"quantity": 1, "idempotency_key": f"pm-{r}-{t}"}),
    "supermarket:counter": PageCase(
        table("""
                  G     A     A2    B
        merchant  404   200   404   404
        *         403   403   403   403
        """), lambda c, r, t: f"/supermarket/counter/?merchant={_m(c, t)}", prepare=prepare,
        post=table("""
                  G     A     A2    B
        merchant  404   200   404   404
        *         403   403   403   403
        """),
        body=lambda c, r, t: {"merchant": _m(c, t), "member_token": services.member_token_create(person=c.people["R"])},
        writes=False),  # the scan only looks the member up; redeeming (below) writes
    "supermarket:counter_redeem": PageCase(
        everyone("405", "G A A2 B"), lambda c, r, t: "/supermarket/counter/redeem/", prepare=prepare,
        post=table("""
                  G     A     A2    B
        merchant  404   302   404   404
        *         403   403   403   403
        """), body=_counter_body),
    "supermarket:receipt": PageCase(table("""
                              G     A     A2    B     R
        district              200   200   200   200   200
        street                200   200   200   404   200
        street_b,community_b  404   404   404   200   404
        community             200   200   404   404   200
        teamleader            404   404   404   404   404
        resident              404   404   404   404   200
        merchant              404   200   404   404   200
        *                     403   403   403   403   403
        """), lambda c, r, t: f"/supermarket/receipts/{_o(c, t)}/",
                                    anon="login", prepare=prepare),
    "supermarket:pickup": PageCase(everyone("405", "G A A2 B R"), lambda c, r, t: f"/supermarket/receipts/{_o(c, t)}/pickup/",
                                   anon="login", prepare=prepare, post=table("""
                              G     A     A2    B     R
        street                403   403   403   404   403
        street_b,community_b  404   404   404   403   404
        community             403   403   404   404   403
        teamleader            404   404   404   404   404
        resident              404   404   404   404   403
        merchant              404   302   404   404   302
        *                     403   403   403   403   403
        """)),
    "supermarket:cancel": PageCase(everyone("405", "G A A2 B R"), lambda c, r, t: f"/supermarket/receipts/{_o(c, t)}/cancel/",
                                   anon="login", prepare=prepare, post=table("""
                              G     A     A2    B     R
        street                403   403   403   404   403
        street_b,community_b  404   404   404   403   404
        community             403   403   404   404   403
        teamleader            404   404   404   404   404
        resident              404   404   404   404   302
        merchant              404   302   404   404   302
        *                     403   403   403   403   403
        """),
                                   body=lambda c, r, t: {"reason": "不要了"}),
    # shops are registered at a street or community the caller manages: a grid (G) or another unit is not among the
    # form's units (400, nothing written)
    "supermarket:merchants": PageCase(
        table("""
                              G     A     A2    B
        district              +     +     +     +
        street                +     +     +     -
        street_b,community_b  -     -     -     +
        community             +     +     -     -
        *                     403   403   403   403
        """), lambda c, r, t: "/supermarket/merchants/", prepare=prepare,
        listed=lambda c, t: f'/supermarket/merchants/{_m(c, t)}/"', post=table("""
                              G     A     A2    B
        district              400   302   302   302
        street                400   302   302   400
        street_b,community_b  400   400   400   302
        community             400   302   400   400
        *                     403   403   403   403
        """),
        body=lambda c, r, t: {"unit": c.units[t].pk, "name": "新商户", "kind": "store", "fen_per_point": 10}),
    "supermarket:merchant": PageCase(
        table("""
                                    G     A     A2    B
        district                    200   200   200   200
        street,teamleader,resident  200   200   200   404
        street_b,community_b        404   404   404   200
        community                   200   200   404   404
        merchant                    404   200   404   404
        *                           403   403   403   403
        """), lambda c, r, t: f"/supermarket/merchants/{_m(c, t)}/", prepare=prepare,
        post=table("""
                              G     A     A2    B
        district              302   302   302   302
        street                302   302   302   404
        street_b,community_b  404   404   404   302
        community             302   302   404   404
        teamleader,resident   403   403   403   404
        merchant              404   403   404   404
        *                     403   403   403   403
        """),
        body=lambda c, r, t: {"name": "食用油", "points_price": 30, "stock": 5}),
    "supermarket:merchant_open": PageCase(
        everyone("405", "G A A2 B"), lambda c, r, t: f"/supermarket/merchants/{_m(c, t)}/open/", prepare=prepare,
        post=table("""
                              G     A     A2    B
        district              302   302   302   302
        street                302   302   302   404
        street_b,community_b  404   404   404   302
        community             302   302   404   404
        teamleader,resident   403   403   403   404
        merchant              404   403   404   404
        *                     403   403   403   403
        """), body=lambda c, r, t: {"open": "0"}),
    "supermarket:item_stock": PageCase(
        everyone("405", "G A A2 B"), lambda c, r, t: f"/supermarket/items/{_i(c, t)}/stock/", prepare=prepare,
        post=table("""
                              G     A     A2    B
        district              302   302   302   302
        street                302   302   302   404
        street_b,community_b  404   404   404   302
        community             302   302   404   404
        teamleader,resident   403   403   403   404
        merchant              404   403   404   404
        *                     403   403   403   403
        """), body=lambda c, r, t: {"change": 10, "reason": "restock"}),
    "supermarket:item_shelf": PageCase(
        everyone("405", "G A A2 B"), lambda c, r, t: f"/supermarket/items/{_i(c, t)}/shelf/", prepare=prepare,
        post=table("""
                              G     A     A2    B
        district              302   302   302   302
        street                302   302   302   404
        street_b,community_b  404   404   404   302
        community             302   302   404   404
        teamleader,resident   403   403   403   404
        merchant              404   403   404   404
        *                     403   403   403   403
        """), body=lambda c, r, t: {"active": "0"}),
    "supermarket:settlement": PageCase(table("""
                  G     A     A2    B
        district  +     +     +     +
        street    +     +     +     -
        street_b  -     -     -     +
        *         403   403   403   403
        """), lambda c, r, t: "/supermarket/settlement/",
                                       prepare=prepare, listed=lambda c, t: f"{c.units[t].name}积分超市"),
}
