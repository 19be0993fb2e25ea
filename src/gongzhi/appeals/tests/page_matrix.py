"""Page-matrix rows for the appeals pages (随手拍, the worker list and detail, transitions, settings, 公开诉求)."""

from __future__ import annotations

from gongzhi.appeals.tests.matrix import prepare
from gongzhi.core.testing.matrix import PageCase, everyone, table

UNITS = "G A A2 B"


def _id(c, t):
    return c.cache["appeals"][t].pk


PAGES = {
    "appeals:list": PageCase(table("""
                                         G     A     A2    B
        district                         +     +     +     +
        street,socialworker2,mediator    +     +     +     -
        street_b,community_b             -     -     -     +
        community,socialworker,observer  +     +     -     -
        grid                             +     -     -     -
        *                                403   403   403   403
        """), lambda c, r, t: "/appeals/", prepare=prepare,
                             listed=lambda c, t: f'/appeals/{_id(c, t)}/"'),
    "appeals:report": PageCase(
        table("""
           G     A     A2    B
        *  200   200   200   200
        """), lambda c, r, t: "/appeals/report/", post=table("""
           G     A     A2    B
        *  302   302   302   302
        """),
        body=lambda c, r, t: {"unit": c.units[t].pk, "category": "C01", "description": "路灯不亮了，晚上很黑"}),
    "appeals:mine": PageCase(everyone("200"), lambda c, r, t: "/appeals/mine/", prepare=prepare),
    "appeals:settings": PageCase(
        table("""
                                  -
        district,street,street_b  200
        *                         403
        """), lambda c, r, t: "/appeals/settings/", post=table("""
                                  -
        district,street,street_b  302
        *                         403
        """),
        body=lambda c, r, t: {"form": "holiday", "date": "2031-10-01", "name": "国庆节"}),
    "appeals:public": PageCase(table("""
           G     A     A2    B
        *  200   200   200   200
        """), lambda c, r, t: "/appeals/public/", anon="200", prepare=prepare),
    "appeals:detail": PageCase(table("""
                                         G     A     A2    B
        district                         200   200   200   200
        street,socialworker2,mediator    200   200   200   404
        street_b,community_b             404   404   404   200
        community,socialworker,observer  200   200   404   404
        grid                             200   404   404   404
        *                                403   403   403   403
        """), lambda c, r, t: f"/appeals/{_id(c, t)}/",
                               prepare=prepare),
    "appeals:transition": PageCase(
        everyone("405", "G A A2 B"), lambda c, r, t: f"/appeals/{_id(c, t)}/accept/", prepare=prepare,
        post=table("""
                                G     A     A2    B
        district                302   302   302   302
        street,socialworker2    302   302   302   404
        street_b,community_b    404   404   404   302
        community,socialworker  302   302   404   404
        grid                    302   404   404   404
        mediator                403   403   403   404
        observer                403   403   404   404
        *                       403   403   403   403
        """), body=lambda c, r, t: {"note": "已受理"}),
}
