"""Scoping-matrix rows for the activities API (collected by ``accounts/tests/test_scoping_matrix.py``).

Targets: one published activity (community audience), project, insurance policy and sign-up per unit G/A/A2/B. The
world's "volunteer" login becomes an active volunteer of 永兴社区 (A); the 队长 leads team A, but these activities are
organised by their units, not by the team — so the 队长 sees them and may not manage them.
"""

from __future__ import annotations

import datetime as dt

from gongzhi.activities.models import Activity, Category, InsurancePolicy, Project, Signup
from gongzhi.activities.services import ActivityInput, activity_create, activity_publish, signup_create
from gongzhi.core.testing.matrix import Case, Ctx, ids, table
from gongzhi.people.models import Person, VolunteerProfile, VolunteerStatus
from gongzhi.people.services import volunteer_apply

START = dt.datetime(2030, 5, 10, 1, 0, tzinfo=dt.UTC)


def prepare(ctx: Ctx) -> None:
    district = ctx.users["district"]
    category = Category.objects.get(code="environment")
    me = Person.objects.create(name="陈小志", unit=ctx.units["A"], user=ctx.users["volunteer"])
    volunteer_apply(person=me, actor=district, consent_confirmed=True)
    VolunteerProfile.objects.filter(pk__in=[*(v.pk for v in ctx.volunteers.values())], ).update(
        status=VolunteerStatus.ACTIVE)
    VolunteerProfile.objects.filter(person=me).update(status=VolunteerStatus.ACTIVE)
    activities, signups, projects, policies = {}, {}, {}, {}
    for t, unit in ctx.units.items():
        a = activity_create(data=ActivityInput(title=f"活动{t}", category=category, unit=unit, starts_at=START,
                                               ends_at=START + dt.timedelta(hours=2), capacity=10), actor=district)
        activities[t] = activity_publish(activity=a, actor=district)
        volunteer = VolunteerProfile.objects.select_related("person", "unit").get(pk=ctx.volunteers[t].pk)
        signups[t] = signup_create(activity=activities[t], volunteer=volunteer, actor=district)
        projects[t] = Project.objects.create(name=f"项目{t}", unit=unit, category=category, starts_on=dt.date(2030, 1, 1))
        policies[t] = InsurancePolicy.objects.create(unit=unit, insurer="人保", policy_number=f"M-{t}",
                                                     starts_on=dt.date(2030, 1, 1), ends_on=dt.date(2030, 12, 31))
    ctx.cache["activities"] = {"activities": activities, "signups": signups, "projects": projects,
                               "policies": policies}


def _a(c: Ctx, t: str) -> Activity:
    return c.cache["activities"]["activities"][t]


def _s(c: Ctx, t: str) -> Signup:
    return c.cache["activities"]["signups"][t]


def _with_status(c: Ctx, t: str, status: str) -> int:
    Activity.objects.filter(pk=_a(c, t).pk).update(status=status)
    return _a(c, t).pk


def _pending(c: Ctx, t: str) -> int:
    Signup.objects.filter(pk=_s(c, t).pk).update(status="pending")
    Activity.objects.filter(pk=_a(c, t).pk).update(confirmed_count=0)
    return _s(c, t).pk


SELF = """
        -
*       200
"""

ACT_LISTED = """
                                                      G    A    A2   B
district                                              +    +    +    +
street,socialworker2                                  +    +    +    -
street_b,community_b                                  -    -    -    +
community,socialworker,teamleader,observer            +    +    -    -
volunteer,resident                                    +    +    -    -
grid                                                  +    -    -    -
mediator,merchant,norole                              403  403  403  403
"""

ACT_DETAIL = """
                                                      G    A    A2   B
district                                              200  200  200  200
street,socialworker2                                  200  200  200  404
street_b,community_b                                  404  404  404  200
community,socialworker,teamleader,observer            200  200  404  404
volunteer,resident                                    200  200  404  404
grid                                                  200  404  404  404
mediator,merchant,norole                              403  403  403  403
"""

# activities.manage_any on the unit (the 队长 only for teams they lead); invisible → 404
ORGANISE = """
                                                      G    A    A2   B
district                                              200  200  200  200
street,socialworker2                                  200  200  200  404
street_b,community_b                                  404  404  404  200
community,socialworker                                200  200  404  404
teamleader,observer,volunteer,resident                403  403  404  404
grid                                                  403  404  404  404
mediator,merchant,norole                              403  403  403  403
"""

CREATE = """
                                                      G    A    A2   B
district                                              201  201  201  201
street,socialworker2                                  201  201  201  404
street_b,community_b                                  404  404  404  201
community,socialworker                                201  201  404  404
teamleader,observer,volunteer,resident,merchant       403  403  404  404
grid                                                  403  404  404  404
mediator                                              403  403  403  404
norole                                                403  403  403  403
"""

SIGNUP_LIST = """
                                                      G    A    A2   B
district                                              200  200  200  200
street,socialworker2                                  200  200  200  404
street_b,community_b                                  404  404  404  200
community,socialworker,teamleader,observer            200  200  404  404
volunteer,resident                                    403  403  404  404
grid                                                  200  404  404  404
mediator,merchant,norole                              403  403  403  403
"""

# the sign-ups of other volunteers: workers who see the activity find them; organisers act on them
SIGNUP_ACT = """
                                                      G    A    A2   B
district                                              200  200  200  200
street,socialworker2                                  200  200  200  404
street_b,community_b                                  404  404  404  200
community,socialworker                                200  200  404  404
teamleader,observer                                   403  403  404  404
grid                                                  403  404  404  404
volunteer,resident                                    404  404  404  404
mediator,merchant,norole                              403  403  403  403
"""

# only a volunteer signs up; other logins who see the activity are told they are no volunteer (409)
SIGNUP_CREATE = """
                                                      G    A    A2   B
district                                              409  409  409  409
street,socialworker2                                  409  409  409  404
street_b,community_b                                  404  404  404  409
community,socialworker,teamleader,observer,resident   409  409  404  404
volunteer                                             201  201  404  404
grid                                                  409  404  404  404
mediator,merchant,norole                              403  403  403  403
"""

PROJECTS_LISTED = """
                                                      G    A    A2   B
district                                              +    +    +    +
street,socialworker2                                  +    +    +    -
street_b,community_b                                  -    -    -    +
community,socialworker,teamleader,observer            +    +    -    -
grid                                                  +    -    -    -
*                                                     403  403  403  403
"""

POLICIES_LISTED = """
                                                      G    A    A2   B
district                                              +    +    +    +
street                                                +    +    +    -
street_b,community_b                                  -    -    -    +
community                                             +    +    -    -
*                                                     403  403  403  403
"""

POLICY_CREATE = """
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

ROSTER = """
                                      G    A    A2   B
district                              200  200  200  200
street                                200  200  200  404
street_b,community_b                  404  404  404  200
community                             200  200  404  404
*                                     403  403  403  403
"""


# a draft is invisible to volunteers and residents (404)
PUBLISH = ORGANISE.replace("teamleader,observer,volunteer,resident                403  403  404  404",
                           "teamleader,observer                                   403  403  404  404\n"
                           "volunteer,resident                                    404  404  404  404")


def _activity_body(c: Ctx, t: str) -> dict:
    return {"title": "新活动", "category": "environment", "unit_id": c.units[t].pk, "starts_at": START.isoformat(),
            "ends_at": (START + dt.timedelta(hours=2)).isoformat(), "capacity": 5}


def _transition(action: str, status: str, body: dict | None = None):
    return Case(table(PUBLISH if status == "draft" else ORGANISE), lambda c, r, t: (f"activities/{_with_status(c, t, status)}/{action}", body),
                prepare=prepare)


CASES = {
    ("GET", "/api/v1/activities/categories"): Case(table(SELF), lambda c, r, t: ("activities/categories", None)),
    ("GET", "/api/v1/me/signups"): Case(table(SELF), lambda c, r, t: ("me/signups", None), prepare=prepare),
    ("GET", "/api/v1/activities"): Case(table(ACT_LISTED), lambda c, r, t: ("activities?page_size=200", None),
                                        lambda body, c, t: _a(c, t).pk in ids(body), prepare=prepare),
    ("POST", "/api/v1/activities"): Case(table(CREATE), lambda c, r, t: ("activities", _activity_body(c, t)),
                                         prepare=prepare),
    ("GET", "/api/v1/activities/{activity_id}"): Case(
        table(ACT_DETAIL), lambda c, r, t: (f"activities/{_a(c, t).pk}", None), prepare=prepare),
    ("PATCH", "/api/v1/activities/{activity_id}"): Case(
        table(ORGANISE), lambda c, r, t: (f"activities/{_a(c, t).pk}", {"description": "带好手套"}), prepare=prepare),
    ("POST", "/api/v1/activities/{activity_id}/publish"): _transition("publish", "draft"),
    ("POST", "/api/v1/activities/{activity_id}/start"): _transition("start", "published"),
    ("POST", "/api/v1/activities/{activity_id}/finish"): _transition("finish", "ongoing"),
    ("POST", "/api/v1/activities/{activity_id}/cancel"): _transition("cancel", "published", {"reason": "天气原因"}),
    ("POST", "/api/v1/activities/{activity_id}/signups"): Case(
        table(SIGNUP_CREATE), lambda c, r, t: (f"activities/{_a(c, t).pk}/signups", {}), prepare=prepare),
    ("GET", "/api/v1/activities/{activity_id}/signups"): Case(
        table(SIGNUP_LIST), lambda c, r, t: (f"activities/{_a(c, t).pk}/signups", None), prepare=prepare),
    ("POST", "/api/v1/activities/signups/{signup_id}/approve"): Case(
        table(SIGNUP_ACT), lambda c, r, t: (f"activities/signups/{_pending(c, t)}/approve", None), prepare=prepare),
    ("POST", "/api/v1/activities/signups/{signup_id}/reject"): Case(
        table(SIGNUP_ACT), lambda c, r, t: (f"activities/signups/{_pending(c, t)}/reject", {"reason": "人数已够"}),
        prepare=prepare),
    ("POST", "/api/v1/activities/signups/{signup_id}/cancel"): Case(
        table(SIGNUP_ACT), lambda c, r, t: (f"activities/signups/{_s(c, t).pk}/cancel", {}), prepare=prepare),
    ("GET", "/api/v1/activities/{activity_id}/beneficiaries"): Case(
        table(ACT_DETAIL), lambda c, r, t: (f"activities/{_a(c, t).pk}/beneficiaries", None), prepare=prepare),
    ("POST", "/api/v1/activities/{activity_id}/beneficiaries"): Case(
        table(ORGANISE.replace("200", "201")),
        lambda c, r, t: (f"activities/{_with_status(c, t, 'ongoing')}/beneficiaries", {"group": "elderly",
                                                                                      "count": 30}),
        prepare=prepare),
    ("GET", "/api/v1/activities/projects"): Case(
        table(PROJECTS_LISTED), lambda c, r, t: ("activities/projects", None),
        lambda body, c, t: c.cache["activities"]["projects"][t].pk in ids(body), prepare=prepare),
    ("POST", "/api/v1/activities/projects"): Case(
        table(CREATE), lambda c, r, t: ("activities/projects", {"name": "新项目", "unit_id": c.units[t].pk,
                                                                "category": "environment",
                                                                "starts_on": "2030-01-01"}), prepare=prepare),
    ("GET", "/api/v1/activities/insurance-policies"): Case(
        table(POLICIES_LISTED), lambda c, r, t: ("activities/insurance-policies", None),
        lambda body, c, t: c.cache["activities"]["policies"][t].pk in ids(body), prepare=prepare),
    ("POST", "/api/v1/activities/insurance-policies"): Case(
        table(POLICY_CREATE),
        lambda c, r, t: ("activities/insurance-policies", {"unit_id": c.units[t].pk, "insurer": "人保",
                                                           "policy_number": f"NEW-{t}", "starts_on": "2030-01-01",
                                                           "ends_on": "2030-12-31"}), prepare=prepare),
    ("GET", "/api/v1/activities/insurance-policies/{policy_id}/roster.xlsx"): Case(
        table(ROSTER),
        lambda c, r, t: (f"activities/insurance-policies/{c.cache['activities']['policies'][t].pk}/roster.xlsx", None),
        prepare=prepare),
}

SELF_SERVICE = {("GET", "/api/v1/activities/categories"), ("GET", "/api/v1/me/signups")}
