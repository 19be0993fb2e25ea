"""Scoping-matrix rows for the training API (collected by ``accounts/tests/test_scoping_matrix.py``).

Targets are courses (each with an upcoming session and a session already held) at five units:

    D  = 钢城区 (district)    S  = 艾山街道 (street)    A  = 永兴社区    A2 = 金鼎社区 (艾山)    B  = 洪沟社区 (里辛)

Workers see the courses of their subtree (training.view) and manage them with training.manage. The world's
``volunteer`` login gets an active volunteer profile in 永兴社区第一网格, so the courses open to it are those of its
grid's ancestors: D, S and A — never A2 or B. Roles without training rights and no volunteer profile get 403.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from gongzhi.core import clock
from gongzhi.core.testing.matrix import Case, Ctx, ids, table
from gongzhi.core.testing.world import make_person
from gongzhi.people.models import VolunteerProfile, VolunteerStatus
from gongzhi.people.services import volunteer_apply
from gongzhi.training.models import Course, CourseLevel, Enrolment, Session

TARGETS = ("D", "S", "A", "A2", "B")
# whom a worker enrols in each target's session: an active volunteer registered under that course's unit
ENROL_WHOM = {"D": "B", "S": "A2", "A": "A", "A2": "A2", "B": "B"}


def prepare(ctx: Ctx) -> None:
    w = ctx.w
    units = {"D": w.district, "S": w.street_a, "A": w.community_a, "A2": w.community_a2, "B": w.community_b}
    now = clock.now()
    VolunteerProfile.objects.filter(pk__in=[v.pk for v in ctx.volunteers.values()]).update(
        status=VolunteerStatus.ACTIVE)
    person = make_person(w, "陈志愿", w.grid_a, seq=61)
    person.user = ctx.users["volunteer"]
    person.save(update_fields=["user"])
    own = volunteer_apply(person=person, actor=ctx.users["volunteer"])
    VolunteerProfile.objects.filter(pk=own.pk).update(status=VolunteerStatus.ACTIVE)
    courses, upcoming, held, enrolments = {}, {}, {}, {}
    for t in TARGETS:
        c = Course.objects.create(unit=units[t], title=f"{units[t].name}志愿者通识培训", level=CourseLevel.GENERAL,
                                  hours=Decimal("2"))
        courses[t] = c
        upcoming[t] = Session.objects.create(course=c, starts_at=now + dt.timedelta(days=7),
                                             ends_at=now + dt.timedelta(days=7, hours=2), place="党群服务中心",
                                             capacity=30)
        held[t] = Session.objects.create(course=c, starts_at=now - dt.timedelta(days=7),
                                         ends_at=now - dt.timedelta(days=7, hours=-2), place="党群服务中心",
                                         capacity=30, enrolled_count=1)
        enrolments[t] = Enrolment.objects.create(session=held[t], volunteer=ctx.volunteers[ENROL_WHOM[t]],
                                                 enrolled_at=now - dt.timedelta(days=10),
                                                 enrolled_by=ctx.users["district"])
    ctx.cache["training"] = {"units": units, "courses": courses, "upcoming": upcoming, "held": held,
                             "enrolments": enrolments}


def _t(ctx: Ctx) -> dict:
    return ctx.cache["training"]


def _course_body(ctx: Ctx, t: str) -> dict:
    return {"unit_id": _t(ctx)["units"][t].pk, "title": "急救技能培训", "level": "basic", "hours": "3"}


def _enrol_body(ctx: Ctx, role: str, t: str) -> dict:
    return {} if role == "volunteer" else {"volunteer_id": ctx.volunteers[ENROL_WHOM[t]].pk}


LISTED = """
                                          D    S    A    A2   B
district                                  +    +    +    +    +
street,socialworker2                      -    +    +    +    -
street_b,community_b                      -    -    -    -    +
community,socialworker,teamleader         -    -    +    -    -
grid                                      -    -    -    -    -
volunteer                                 +    +    +    -    -
*                                         403  403  403  403  403
"""

READ = """
                                          D    S    A    A2   B
district                                  200  200  200  200  200
street,socialworker2                      404  200  200  200  404
street_b,community_b                      404  404  404  404  200
community,socialworker,teamleader         404  404  200  404  404
grid                                      404  404  404  404  404
volunteer                                 200  200  200  404  404
*                                         403  403  403  403  403
"""

MANAGE = """
                                          D    S    A    A2   B
district                                  200  200  200  200  200
street,socialworker2                      404  200  200  200  404
street_b,community_b                      404  404  404  404  200
community,socialworker                    404  404  200  404  404
teamleader                                404  404  403  404  404
grid                                      404  404  404  404  404
volunteer                                 403  403  403  404  404
*                                         403  403  403  403  403
"""

CREATE = MANAGE.replace("200", "201")

# POST /training/courses: the unit must be visible (org.view) before training.manage is checked on it
COURSE_CREATE = """
                                          D    S    A    A2   B
district                                  201  201  201  201  201
street,socialworker2                      404  201  201  201  404
street_b,community_b                      404  404  404  404  201
community,socialworker                    404  404  201  404  404
grid                                      404  404  404  404  404
teamleader,observer,volunteer,resident,merchant  404  404  403  404  404
mediator                                  404  403  403  403  404
norole                                    403  403  403  403  403
"""

# a volunteer enrols themself in a course open to them; a worker enrols a volunteer of their units
ENROL = """
                                          D    S    A    A2   B
district                                  201  201  201  201  201
street,socialworker2                      404  201  201  201  404
street_b,community_b                      404  404  404  404  201
community,socialworker                    404  404  201  404  404
teamleader                                404  404  403  404  404
grid                                      404  404  404  404  404
volunteer                                 201  201  201  404  404
*                                         403  403  403  403  403
"""

SELF_SERVICE = {("GET", "/api/v1/me/training")}

CASES = {
    ("GET", "/api/v1/training/courses"): Case(
        table(LISTED), lambda c, r, t: ("training/courses", None),
        lambda body, c, t: _t(c)["courses"][t].pk in ids(body), prepare=prepare),
    ("POST", "/api/v1/training/courses"): Case(
        table(COURSE_CREATE), lambda c, r, t: ("training/courses", _course_body(c, t)), prepare=prepare),
    ("GET", "/api/v1/training/courses/{course_id}"): Case(
        table(READ), lambda c, r, t: (f"training/courses/{_t(c)['courses'][t].pk}", None), prepare=prepare),
    ("PUT", "/api/v1/training/courses/{course_id}"): Case(
        table(MANAGE), lambda c, r, t: (f"training/courses/{_t(c)['courses'][t].pk}", _course_body(c, t)),
        prepare=prepare),
    ("GET", "/api/v1/training/sessions"): Case(
        table(LISTED), lambda c, r, t: ("training/sessions?upcoming=true", None),
        lambda body, c, t: _t(c)["upcoming"][t].pk in ids(body), prepare=prepare),
    ("POST", "/api/v1/training/courses/{course_id}/sessions"): Case(
        table(CREATE),
        lambda c, r, t: (f"training/courses/{_t(c)['courses'][t].pk}/sessions", {
            "starts_at": (clock.now() + dt.timedelta(days=3)).isoformat(),
            "ends_at": (clock.now() + dt.timedelta(days=3, hours=2)).isoformat(),
            "place": "新时代文明实践站", "capacity": 20}),
        prepare=prepare),
    ("GET", "/api/v1/training/sessions/{session_id}"): Case(
        table(READ), lambda c, r, t: (f"training/sessions/{_t(c)['upcoming'][t].pk}", None), prepare=prepare),
    ("POST", "/api/v1/training/sessions/{session_id}/cancel"): Case(
        table(MANAGE), lambda c, r, t: (f"training/sessions/{_t(c)['upcoming'][t].pk}/cancel", {"reason": "场地调整"}),
        prepare=prepare),
    ("POST", "/api/v1/training/sessions/{session_id}/enrolments"): Case(
        table(ENROL),
        lambda c, r, t: (f"training/sessions/{_t(c)['upcoming'][t].pk}/enrolments", _enrol_body(c, r, t)),
        prepare=prepare),
    ("GET", "/api/v1/training/sessions/{session_id}/enrolments"): Case(
        table(READ), lambda c, r, t: (f"training/sessions/{_t(c)['held'][t].pk}/enrolments", None), prepare=prepare),
    ("POST", "/api/v1/training/sessions/{session_id}/attendance"): Case(
        table(CREATE),
        lambda c, r, t: (f"training/sessions/{_t(c)['held'][t].pk}/attendance", {"marks": [
            {"enrolment_id": _t(c)["enrolments"][t].pk, "attended": True, "passed": True, "score": 92}]}),
        prepare=prepare),
    ("GET", "/api/v1/training/sessions/{session_id}/attendance"): Case(
        table(READ), lambda c, r, t: (f"training/sessions/{_t(c)['held'][t].pk}/attendance", None), prepare=prepare),
    ("GET", "/api/v1/me/training"): Case(
        table("""
                  -
        *         200
        """), lambda c, r, t: ("me/training", None)),
}
