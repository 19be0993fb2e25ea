"""Page-matrix rows for the dispatch pages (派单/接单 board, orders, figures) on the API matrix's orders."""

from __future__ import annotations

from gongzhi.core.testing.matrix import PageCase, everyone, table
from gongzhi.dispatch.tests.matrix import prepare

UNITS = "G A A2 B"


def _id(c, t):
    return c.cache["dispatch_orders"][t].pk


PAGES = {
    "dispatch:board": PageCase(table("""
                                           G     A     A2    B
        mediator,resident,merchant,norole  -     -     -     -
        volunteer                          +     +     +     -
        *                                  302   302   302   302
        """), lambda c, r, t: "/dispatch/", prepare=prepare,
                               listed=lambda c, t: f'/dispatch/orders/{_id(c, t)}/take/'),
    "dispatch:orders": PageCase(table("""
                                                    G     A     A2    B
        district                                    +     +     +     +
        street,socialworker2                        +     +     +     -
        street_b,community_b                        -     -     -     +
        community,socialworker,teamleader,observer  +     +     -     -
        grid                                        +     -     -     -
        *                                           403   403   403   403
        """), lambda c, r, t: "/dispatch/orders/", prepare=prepare,
                                listed=lambda c, t: f'/dispatch/orders/{_id(c, t)}/"'),
    "dispatch:new": PageCase(
        table("""
                                                                         G     A     A2    B
        teamleader,mediator,observer,volunteer,resident,merchant,norole  403   403   403   403
        *                                                                200   200   200   200
        """), lambda c, r, t: "/dispatch/orders/new/", prepare=prepare, post=table("""
                                G     A     A2    B
        district                302   302   302   302
        street,socialworker2    302   302   302   403
        street_b,community_b    403   403   403   302
        community,socialworker  302   302   403   403
        grid                    302   403   403   403
        *                       403   403   403   403
        """),
        anon_post="login", empty_post=None,  # the unit is in the body
        body=lambda c, r, t: {"title": "帮忙修水龙头", "unit": c.units[t].pk, "due_at": "2030-05-11T10:00"}),
    "dispatch:detail": PageCase(table("""
                                           G     A     A2    B
        district                           200   200   200   200
        street,socialworker2,volunteer     200   200   200   404
        street_b,community_b               404   404   404   200
        grid                               200   404   404   404
        mediator,resident,merchant,norole  403   403   403   403
        *                                  200   200   404   404
        """), lambda c, r, t: f"/dispatch/orders/{_id(c, t)}/",
                                prepare=prepare),
    "dispatch:take": PageCase(everyone("405", "G A A2 B"), lambda c, r, t: f"/dispatch/orders/{_id(c, t)}/take/",
                              prepare=prepare, post=table("""
                                           G     A     A2    B
        district                           409   409   409   409
        street,socialworker2               409   409   409   404
        street_b,community_b               404   404   404   409
        grid                               409   404   404   404
        mediator,resident,merchant,norole  403   403   403   403
        volunteer                          302   302   302   404
        *                                  409   409   404   404
        """)),
    "dispatch:act": PageCase(
        everyone("405", "G A A2 B"), lambda c, r, t: f"/dispatch/orders/{_id(c, t)}/assign/", prepare=prepare,
        post=table("""
                                G     A     A2    B
        district                302   302   302   302
        street,socialworker2    302   302   302   404
        street_b,community_b    404   404   404   302
        community,socialworker  302   302   404   404
        grid                    302   404   404   404
        *                       403   403   403   403
        """), body=lambda c, r, t: {"volunteer": c.cache["dispatch_volunteer"].pk}),
    "dispatch:figures": PageCase(table("""
                                                    G     A     A2    B
        district                                    200   200   200   200
        street,socialworker2                        200   200   200   404
        street_b,community_b                        404   404   404   200
        community,socialworker,teamleader,observer  200   200   404   404
        grid                                        200   404   404   404
        *                                           403   403   403   403
        """), lambda c, r, t: f"/dispatch/figures/?unit={c.units[t].pk}",
                                 anon="login", prepare=prepare),
}
