"""Page-matrix rows for the training pages; targets (courses at D/S/A/A2/B) from the API matrix's prepare."""

from __future__ import annotations

from gongzhi.core.testing.matrix import PageCase, everyone, table
from gongzhi.training.tests.matrix import ENROL_WHOM, prepare

UNITS = "D S A A2 B"


def _t(c):
    return c.cache["training"]


PAGES = {
    # a course is created for a unit where the caller may manage training: another unit is not among the form's
    # choices (400, nothing written); a role without the right anywhere gets 403
    "training:list": PageCase(
        table("""
                                           D     S     A     A2    B
        district                           +     +     +     +     +
        street,socialworker2               -     +     +     +     -
        street_b,community_b               -     -     -     -     +
        community,socialworker,teamleader  -     -     +     -     -
        grid                               -     -     -     -     -
        volunteer                          +     +     +     -     -
        *                                  403   403   403   403   403
        """), lambda c, r, t: "/training/", prepare=prepare,
        listed=lambda c, t: f'/training/courses/{_t(c)["courses"][t].pk}/"', post=table("""
                                D     S     A     A2    B
        district                302   302   302   302   302
        street,socialworker2    400   302   302   302   400
        street_b,community_b    400   400   400   400   302
        community,socialworker  400   400   302   400   400
        *                       403   403   403   403   403
        """),
        body=lambda c, r, t: {"unit": _t(c)["units"][t].pk, "title": "急救技能培训", "level": "basic", "hours": "3"}),
    "training:mine": PageCase(everyone("200"), lambda c, r, t: "/training/mine/", prepare=prepare),
    "training:course": PageCase(
        table("""
                                           D     S     A     A2    B
        district                           200   200   200   200   200
        street,socialworker2               404   200   200   200   404
        street_b,community_b               404   404   404   404   200
        community,socialworker,teamleader  404   404   200   404   404
        grid                               404   404   404   404   404
        volunteer                          200   200   200   404   404
        *                                  403   403   403   403   403
        """), lambda c, r, t: f"/training/courses/{_t(c)['courses'][t].pk}/", prepare=prepare,
        post=table("""
                                D     S     A     A2    B
        district                302   302   302   302   302
        street,socialworker2    404   302   302   302   404
        street_b,community_b    404   404   404   404   302
        community,socialworker  404   404   302   404   404
        grid                    404   404   404   404   404
        teamleader              404   404   403   404   404
        volunteer               403   403   403   404   404
        *                       403   403   403   403   403
        """),
        body=lambda c, r, t: {"starts_at": "2030-05-10T09:00", "ends_at": "2030-05-10T11:00", "place": "党群服务中心",
                              "capacity": 30}),
    "training:session": PageCase(table("""
                                           D     S     A     A2    B
        district                           200   200   200   200   200
        street,socialworker2               404   200   200   200   404
        street_b,community_b               404   404   404   404   200
        community,socialworker,teamleader  404   404   200   404   404
        grid                               404   404   404   404   404
        volunteer                          200   200   200   404   404
        *                                  403   403   403   403   403
        """), lambda c, r, t: f"/training/sessions/{_t(c)['upcoming'][t].pk}/",
                                 anon="login", prepare=prepare),
    "training:enrol": PageCase(
        everyone("405", "D S A A2 B"), lambda c, r, t: f"/training/sessions/{_t(c)['upcoming'][t].pk}/enrol/",
        prepare=prepare, post=table("""
                                D     S     A     A2    B
        district                302   302   302   302   302
        street,socialworker2    404   302   302   302   404
        street_b,community_b    404   404   404   404   302
        community,socialworker  404   404   302   404   404
        grid                    404   404   404   404   404
        teamleader              404   404   403   404   404
        volunteer               302   302   302   404   404
        *                       403   403   403   403   403
        """),
        body=lambda c, r, t: {} if r == "volunteer" else {"number": c.volunteers[ENROL_WHOM[t]].number or "V-NONE"},
        empty_post=None),  # the volunteer is in the body; with none it is the caller enrolling themselves
    "training:cancel": PageCase(
        everyone("405", "D S A A2 B"), lambda c, r, t: f"/training/sessions/{_t(c)['upcoming'][t].pk}/cancel/",
        prepare=prepare, post=table("""
                                D     S     A     A2    B
        district                302   302   302   302   302
        street,socialworker2    404   302   302   302   404
        street_b,community_b    404   404   404   404   302
        community,socialworker  404   404   302   404   404
        grid                    404   404   404   404   404
        teamleader              404   404   403   404   404
        volunteer               403   403   403   404   404
        *                       403   403   403   403   403
        """), body=lambda c, r, t: {"reason": "讲师临时有事"}),
    "training:attendance": PageCase(
        everyone("405", "D S A A2 B"), lambda c, r, t: f"/training/sessions/{_t(c)['held'][t].pk}/attendance/",
        prepare=prepare, post=table("""
                                D     S     A     A2    B
        district                302   302   302   302   302
        street,socialworker2    404   302   302   302   404
        street_b,community_b    404   404   404   404   302
        community,socialworker  404   404   302   404   404
        grid                    404   404   404   404   404
        teamleader              404   404   403   404   404
        volunteer               403   403   403   404   404
        *                       403   403   403   403   403
        """),
        body=lambda c, r, t: {f"attended_{_t(c)['enrolments'][t].pk}": "on"}),
}
