"""Page-matrix rows for the matching pages (三张清单: needs, resources, projects, and the matches between them)."""

from __future__ import annotations

from gongzhi.core.testing.matrix import PageCase, everyone, table
from gongzhi.matching.tests.matrix import prepare

UNITS = "G A A2 B"


def _o(c, t, what):
    return c.cache["matching"][t][what].pk


# The create forms offer as units only those where the caller holds ``matching.manage`` (or ``matching.projects``):
# another unit is an invalid choice (400, nothing written); a role without the right anywhere gets 403 first.

PAGES = {
    # the summary lists only the newest rows; which targets appear is the lists' business (below)
    "matching:home": PageCase(table("""
                                                            -
        teamleader,mediator,volunteer,resident,merchant,norole  403
        *                                                       200
        """), lambda c, r, t: "/matching/", prepare=prepare),
    "matching:needs": PageCase(table("""
                                         G     A     A2    B
        district                         +     +     +     +
        street,socialworker2             +     +     +     -
        street_b,community_b             -     -     -     +
        community,socialworker,observer  +     +     -     -
        grid                             +     -     -     -
        *                                403   403   403   403
        """), lambda c, r, t: "/matching/needs/", prepare=prepare,
                               listed=lambda c, t: f'/matching/needs/{_o(c, t, "need")}/match/"'),
    "matching:need_create": PageCase(
        table("""
                                                                         G     A     A2    B
        teamleader,mediator,observer,volunteer,resident,merchant,norole  403   403   403   403
        *                                                                200   200   200   200
        """), lambda c, r, t: "/matching/needs/new/", prepare=prepare, post=table("""
                                G     A     A2    B
        district                302   302   302   302
        street,socialworker2    302   302   302   400
        street_b,community_b    400   400   400   302
        community,socialworker  302   302   400   400
        grid                    302   400   400   400
        *                       403   403   403   403
        """),
        anon_post="login", body=lambda c, r, t: {"unit": c.units[t].pk, "kind": "elderly", "title": "高龄老人助餐",
                                                 "source": "survey", "beneficiaries": 3}),
    "matching:need_detail": PageCase(table("""
                                         G     A     A2    B
        district                         200   200   200   200
        street,socialworker2             200   200   200   404
        street_b,community_b             404   404   404   200
        community,socialworker,observer  200   200   404   404
        grid                             200   404   404   404
        *                                403   403   403   403
        """), lambda c, r, t: f"/matching/needs/{_o(c, t, 'need')}/",
                                     anon="login", prepare=prepare),
    "matching:need_match": PageCase(table("""
                                         G     A     A2    B
        district                         200   200   200   200
        street,socialworker2             200   200   200   404
        street_b,community_b             404   404   404   200
        community,socialworker,observer  200   200   404   404
        grid                             200   404   404   404
        *                                403   403   403   403
        """), lambda c, r, t: f"/matching/needs/{_o(c, t, 'need')}/match/",
                                    anon="login", prepare=prepare),
    "matching:need_close": PageCase(
        everyone("405", "G A A2 B"), lambda c, r, t: f"/matching/needs/{_o(c, t, 'need')}/close/", prepare=prepare,
        post=table("""
                                G     A     A2    B
        district                302   302   302   302
        street,socialworker2    302   302   302   404
        street_b,community_b    404   404   404   302
        community,socialworker  302   302   404   404
        grid                    302   404   404   404
        observer                403   403   404   404
        *                       403   403   403   403
        """), body=lambda c, r, t: {"note": "已解决"}),
    "matching:match_propose": PageCase(
        everyone("405", "G A A2 B"), lambda c, r, t: f"/matching/needs/{_o(c, t, 'need')}/propose/", prepare=prepare,
        post=table("""
                                G     A     A2    B
        district                302   302   302   302
        street,socialworker2    302   302   302   404
        street_b,community_b    404   404   404   302
        community,socialworker  302   302   404   404
        grid                    302   404   404   404
        observer                403   403   404   404
        *                       403   403   403   403
        """), body=lambda c, r, t: {"resource": _o(c, t, "resource")}),
    "matching:resources": PageCase(table("""
                                         G     A     A2    B
        district                         +     +     +     +
        street,socialworker2             +     +     +     -
        street_b,community_b             -     -     -     +
        community,socialworker,observer  +     +     -     -
        grid                             +     -     -     -
        *                                403   403   403   403
        """), lambda c, r, t: "/matching/resources/",
                                   prepare=prepare, listed=lambda c, t: f'/matching/resources/{_o(c, t, "resource")}/"'),
    "matching:resource_create": PageCase(
        table("""
                                                                         G     A     A2    B
        teamleader,mediator,observer,volunteer,resident,merchant,norole  403   403   403   403
        *                                                                200   200   200   200
        """), lambda c, r, t: "/matching/resources/new/", prepare=prepare, post=table("""
                                G     A     A2    B
        district                302   302   302   302
        street,socialworker2    302   302   302   400
        street_b,community_b    400   400   400   302
        community,socialworker  302   302   400   400
        grid                    302   400   400   400
        *                       403   403   403   403
        """),
        anon_post="login", body=lambda c, r, t: {"unit": c.units[t].pk, "name": "社区卫生室", "kind": "clinic",
                                                 "offers": ["health"]}),
    "matching:resource_detail": PageCase(
        table("""
                                         G     A     A2    B
        district                         200   200   200   200
        street,socialworker2             200   200   200   404
        street_b,community_b             404   404   404   200
        community,socialworker,observer  200   200   404   404
        grid                             200   404   404   404
        *                                403   403   403   403
        """), lambda c, r, t: f"/matching/resources/{_o(c, t, 'resource')}/", prepare=prepare),
    "matching:resource_withdraw": PageCase(
        everyone("405", "G A A2 B"), lambda c, r, t: f"/matching/resources/{_o(c, t, 'resource')}/withdraw/",
        prepare=prepare, post=table("""
                                G     A     A2    B
        district                302   302   302   302
        street,socialworker2    302   302   302   404
        street_b,community_b    404   404   404   302
        community,socialworker  302   302   404   404
        grid                    302   404   404   404
        observer                403   403   404   404
        *                       403   403   403   403
        """), body=lambda c, r, t: {"reason": "已停业"}),
    "matching:projects": PageCase(table("""
                                         G     A     A2    B
        district                         +     +     +     +
        street,socialworker2             +     +     +     -
        street_b,community_b             -     -     -     +
        community,socialworker,observer  +     +     -     -
        grid                             +     -     -     -
        *                                403   403   403   403
        """), lambda c, r, t: "/matching/projects/",
                                  prepare=prepare, listed=lambda c, t: f'/matching/projects/{_o(c, t, "project")}/"'),
    "matching:project_create": PageCase(
        table("""
                                                             G     A     A2    B
        district,street,street_b,socialworker,socialworker2  200   200   200   200
        *                                                    403   403   403   403
        """), lambda c, r, t: "/matching/projects/new/", prepare=prepare, post=table("""
                              G     A     A2    B
        district              302   302   302   302
        street,socialworker2  302   302   302   400
        street_b              400   400   400   302
        socialworker          302   302   400   400
        *                     403   403   403   403
        """),
        anon_post="login", body=lambda c, r, t: {"unit": c.units[t].pk, "name": "温暖小哥上门维修", "kinds": ["repair"],
                                                 "funder": "社区公益基金", "funding": "community_fund",
                                                 "budget": "20000.00", "starts_on": "2030-01-01",
                                                 "ends_on": "2030-12-31"}),
    "matching:project_detail": PageCase(
        table("""
                                         G     A     A2    B
        district                         200   200   200   200
        street,socialworker2             200   200   200   404
        street_b,community_b             404   404   404   200
        community,socialworker,observer  200   200   404   404
        grid                             200   404   404   404
        *                                403   403   403   403
        """), lambda c, r, t: f"/matching/projects/{_o(c, t, 'project')}/", prepare=prepare),
    "matching:project_status": PageCase(
        everyone("405", "G A A2 B"), lambda c, r, t: f"/matching/projects/{_o(c, t, 'project')}/suspend/",
        prepare=prepare, post=table("""
                              G     A     A2    B
        district              409   409   409   409
        street,socialworker2  409   409   409   404
        street_b              404   404   404   409
        community,observer    403   403   404   404
        community_b           404   404   404   403
        grid                  403   404   404   404
        socialworker          409   409   404   404
        *                     403   403   403   403
        """), body=lambda c, r, t: {"note": "资金未到位"}),
    "matching:match_transition": PageCase(
        everyone("405", "G A A2 B"), lambda c, r, t: f"/matching/matches/{_o(c, t, 'match')}/agree/",
        prepare=prepare, post=table("""
                                G     A     A2    B
        district                302   302   302   302
        street,socialworker2    302   302   302   404
        street_b,community_b    404   404   404   302
        community,socialworker  302   302   404   404
        grid                    302   404   404   404
        observer                403   403   404   404
        *                       403   403   403   403
        """), body=lambda c, r, t: {"note": "双方同意"}),
}
