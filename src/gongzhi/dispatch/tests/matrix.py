"""Scoping-matrix rows for the dispatch API (collected by ``accounts/tests/test_scoping_matrix.py``).

Targets: one open order per unit G/A/A2/B posted by the district admin. Workers see their subtree's orders
(``dispatch.view``) and post, assign and cancel there (``dispatch.dispatch``); the world's "volunteer" login is made an
active volunteer of 永兴社区 (艾山街道), so its board holds the orders of 艾山街道 (G, A, A2) and not 洪沟社区's (B).
Taking, the board, my orders and my location are the volunteer's own (self-service: 409 for a non-volunteer).
"""

from __future__ import annotations

import datetime as dt

from gongzhi.core.testing.matrix import Case, Ctx, ids, table
from gongzhi.core.testing.world import make_person
from gongzhi.dispatch import services
from gongzhi.people.models import VolunteerProfile
from gongzhi.people.services import volunteer_apply


def prepare(ctx: Ctx) -> None:
    district = ctx.users["district"]
    person = make_person(ctx.w, "陈小志", ctx.w.community_a, seq=61)
    person.user = ctx.users["volunteer"]
    person.save(update_fields=["user"])
    profile = volunteer_apply(person=person, actor=district, consent_confirmed=True)
    VolunteerProfile.objects.filter(pk=profile.pk).update(status="active")
    ctx.cache["dispatch_orders"] = {
        t: services.order_create(actor=district, title=f"家里水龙头坏了{t}", unit=unit,
                                 due_at=dt.datetime(2030, 5, 11, 2, 0, tzinfo=dt.UTC))
        for t, unit in ctx.units.items()}
    ctx.cache["dispatch_volunteer"] = ctx.users["volunteer"].person.volunteer


def _id(c: Ctx, t: str) -> int:
    return c.cache["dispatch_orders"][t].pk


def _taken(c: Ctx, t: str) -> int:
    """Inside the request's savepoint: the matrix volunteer has taken order t (G, A, A2 only: B is not on the board)."""
    order = c.cache["dispatch_orders"][t]
    if t != "B":
        services.order_take(order=order, actor=c.users["volunteer"])
    return order.pk


LISTED = """
                                                  G    A    A2   B
district                                          +    +    +    +
street,socialworker2                              +    +    +    -
street_b,community_b                              -    -    -    +
community,socialworker,teamleader,observer        +    +    -    -
grid                                              +    -    -    -
*                                                 403  403  403  403
"""

DETAIL = """
                                                  G    A    A2   B
district                                          200  200  200  200
street,socialworker2                              200  200  200  404
street_b,community_b                              404  404  404  200
community,socialworker,teamleader,observer        200  200  404  404
grid                                              200  404  404  404
volunteer                                         200  200  200  404
*                                                 403  403  403  403
"""

ACT = """
                                                  G    A    A2   B
district                                          {c}  {c}  {c}  {c}
street,socialworker2                              {c}  {c}  {c}  404
street_b,community_b                              404  404  404  {c}
community,socialworker                            {c}  {c}  404  404
grid                                              {c}  404  404  404
*                                                 403  403  403  403
"""

CREATE = """
                                                  G    A    A2   B
district                                          201  201  201  201
street,socialworker2                              201  201  201  403
street_b,community_b                              403  403  403  201
community,socialworker                            201  201  403  403
grid                                              201  403  403  403
*                                                 403  403  403  403
"""

TAKE = """
                                                  G    A    A2   B
volunteer                                         200  200  200  404
*                                                 409  409  409  409
"""

FIGURES = """
                                                  G    A    A2   B
district                                          200  200  200  200
street,socialworker2                              200  200  200  404
street_b,community_b                              404  404  404  200
community,socialworker,teamleader,observer        200  200  404  404
grid                                              200  404  404  404
*                                                 403  403  403  403
"""

# start / done of a taken order: the taker (volunteer) and dispatchers; viewers get 403
PROGRESS = """
                                                  G    A    A2   B
district                                          200  200  200  409
street,socialworker2                              200  200  200  404
street_b,community_b                              404  404  404  409
community,socialworker                            200  200  404  404
grid                                              200  404  404  404
teamleader,observer                               403  403  404  404
volunteer                                         200  200  200  404
*                                                 403  403  403  403
"""


def _assign(c: Ctx, r: str, t: str):
    return f"dispatch/orders/{_id(c, t)}/assign", {"volunteer_id": c.cache["dispatch_volunteer"].pk}


CASES = {
    ("GET", "/api/v1/dispatch/orders"): Case(table(LISTED), lambda c, r, t: ("dispatch/orders?page_size=200", None),
                                             listed=lambda body, c, t: _id(c, t) in ids(body), prepare=prepare),
    ("POST", "/api/v1/dispatch/orders"): Case(table(CREATE), lambda c, r, t: (
        "dispatch/orders", {"title": "楼道灯不亮", "unit_id": c.units[t].pk, "skill": "plumbing_electric"})),
    ("GET", "/api/v1/dispatch/orders/{order_id}"): Case(table(DETAIL), lambda c, r, t: (
        f"dispatch/orders/{_id(c, t)}", None), prepare=prepare),
    ("POST", "/api/v1/dispatch/orders/{order_id}/take"): Case(table(TAKE), lambda c, r, t: (
        f"dispatch/orders/{_id(c, t)}/take", {}), prepare=prepare),
    ("POST", "/api/v1/dispatch/orders/{order_id}/assign"): Case(table(ACT.format(c=200)), _assign, prepare=prepare),
    ("POST", "/api/v1/dispatch/orders/{order_id}/cancel"): Case(table(ACT.format(c=200)), lambda c, r, t: (
        f"dispatch/orders/{_id(c, t)}/cancel", {"note": "重复发布"}), prepare=prepare),
    ("POST", "/api/v1/dispatch/orders/{order_id}/start"): Case(table(PROGRESS), lambda c, r, t: (
        f"dispatch/orders/{_taken(c, t)}/start", {}), prepare=prepare),
    ("POST", "/api/v1/dispatch/orders/{order_id}/done"): Case(table(PROGRESS), lambda c, r, t: (
        f"dispatch/orders/{_taken(c, t)}/done", {}), prepare=prepare),
    ("GET", "/api/v1/dispatch/orders/{order_id}/suggestions"): Case(table(ACT.format(c=200)), lambda c, r, t: (
        f"dispatch/orders/{_id(c, t)}/suggestions", None), prepare=prepare),
    ("GET", "/api/v1/dispatch/board"): Case(table("""
                                                  -
        volunteer                                 200
        *                                         409
        """), lambda c, r, t: ("dispatch/board", None), prepare=prepare),
    ("GET", "/api/v1/dispatch/me/orders"): Case(table("""
                                                  -
        *                                         200
        """), lambda c, r, t: ("dispatch/me/orders", None), prepare=prepare),
    ("PUT", "/api/v1/dispatch/me/location"): Case(table("""
                                                  -
        volunteer                                 200
        *                                         409
        """), lambda c, r, t: ("dispatch/me/location", {"latitude": "36.2", "longitude": "117.8"}), prepare=prepare),
    ("GET", "/api/v1/dispatch/figures"): Case(table(FIGURES), lambda c, r, t: (
        f"dispatch/figures?unit_id={c.units[t].pk}", None)),
}

SELF_SERVICE = {("POST", "/api/v1/dispatch/orders/{order_id}/take"), ("GET", "/api/v1/dispatch/board"),
                ("GET", "/api/v1/dispatch/me/orders"), ("PUT", "/api/v1/dispatch/me/location")}
