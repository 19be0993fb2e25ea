"""Page-matrix rows for the activities pages; targets and the volunteer login come from the API matrix's prepare."""

from __future__ import annotations

from gongzhi.activities.models import Activity, Category, Signup
from gongzhi.activities.tests.matrix import START, prepare
from gongzhi.core.testing.matrix import PageCase, everyone, table

UNITS = "G A A2 B"


def _a(c, t):
    return c.cache["activities"]["activities"][t].pk


def _s(c, t):
    return c.cache["activities"]["signups"][t].pk


def _draft(c, t):
    Activity.objects.filter(pk=_a(c, t)).update(status="draft")
    return _a(c, t)


def _pending(c, t):
    Signup.objects.filter(pk=_s(c, t)).update(status="pending")
    Activity.objects.filter(pk=_a(c, t)).update(confirmed_count=0)
    return _s(c, t)


def _activity_body(c, r, t):
    local = "%Y-%m-%dT%H:%M"
    from django.utils import timezone

    body = {"title": "新活动", "category": Category.objects.get(code="environment").pk, "unit": c.units[t].pk,
            "starts_at": timezone.localtime(START).strftime(local), "audience": "community", "min_age": 0,
            "ends_at": timezone.localtime(START.replace(hour=3)).strftime(local), "capacity": 5}
    if r == "teamleader":  # a team leader organises only for the team they lead (永兴志愿服务队, in A)
        body["organiser"] = c.teams["A"].pk
    return body


def _ongoing(c, t):
    """Inside the savepoint: the activity is running (beneficiaries are counted for running or finished ones)."""
    Activity.objects.filter(pk=_a(c, t)).update(status="ongoing")
    return _a(c, t)


# The create and insurance forms offer as units only those where the caller holds the right (``activities.manage``,
# ``activities.insurance``): another unit is an invalid choice, 400 and nothing written; a role without the right
# anywhere gets 403 before the form is read.


PAGES = {
    "activities:list": PageCase(table("""
                                  G     A     A2    B
        district                  +     +     +     +
        street,socialworker2      +     +     +     -
        street_b,community_b      -     -     -     +
        grid                      +     -     -     -
        mediator,merchant,norole  -     -     -     -
        *                         +     +     -     -
        """), lambda c, r, t: "/activities/", prepare=prepare,
                                listed=lambda c, t: f'/activities/{_a(c, t)}/"'),
    "activities:create": PageCase(table("""
                                                                   G     A     A2    B
        grid,mediator,observer,volunteer,resident,merchant,norole  403   403   403   403
        *                                                          200   200   200   200
        """), lambda c, r, t: "/activities/new/", prepare=prepare,
                                  post=table("""
                                G     A     A2    B
        district                302   302   302   302
        street,socialworker2    302   302   302   400
        street_b,community_b    400   400   400   302
        community,socialworker  302   302   400   400
        teamleader              302   302   400   400
        *                       403   403   403   403
        """), body=_activity_body),
    "activities:my": PageCase(everyone("200"), lambda c, r, t: "/activities/my/", prepare=prepare),
    "activities:calendar": PageCase(everyone("404"), lambda c, r, t: "/activities/calendar/not-a-signed-token.ics",
                                    anon="404"),
    "activities:insurance": PageCase(
        table("""
                              G     A     A2    B
        district              +     +     +     +
        street                +     +     +     -
        street_b,community_b  -     -     -     +
        community             +     +     -     -
        *                     403   403   403   403
        """), lambda c, r, t: "/activities/insurance/", prepare=prepare,
        listed=lambda c, t: f"M-{t}<", post=table("""
                              G     A     A2    B
        district              302   302   302   302
        street                302   302   302   400
        street_b,community_b  400   400   400   302
        community             302   302   400   400
        *                     403   403   403   403
        """),
        body=lambda c, r, t: {"unit": c.units[t].pk, "insurer": "人保财险", "policy_number": f"P-{r}-{t}",
                              "starts_on": "2030-01-01", "ends_on": "2030-12-31"}),
    "activities:roster": PageCase(
        table("""
                              G     A     A2    B
        district              200   200   200   200
        street                200   200   200   404
        street_b,community_b  404   404   404   200
        community             200   200   404   404
        *                     403   403   403   403
        """), lambda c, r, t: f"/activities/insurance/{c.cache['activities']['policies'][t].pk}/roster.xlsx",
        anon="login", prepare=prepare),
    "activities:detail": PageCase(table("""
                                  G     A     A2    B
        district                  200   200   200   200
        street,socialworker2      200   200   200   404
        street_b,community_b      404   404   404   200
        grid                      200   404   404   404
        mediator,merchant,norole  403   403   403   403
        *                         200   200   404   404
        """), lambda c, r, t: f"/activities/{_a(c, t)}/",
                                  prepare=prepare),
    "activities:edit": PageCase(table("""
                                G     A     A2    B
        district                200   200   200   200
        street,socialworker2    200   200   200   404
        street_b,community_b    404   404   404   200
        community,socialworker  200   200   404   404
        grid                    403   404   404   404
        teamleader,observer     403   403   404   404
        volunteer,resident      404   404   404   404
        *                       403   403   403   403
        """), lambda c, r, t: f"/activities/{_draft(c, t)}/edit/",
                                prepare=prepare, post=table("""
                                G     A     A2    B
        district                302   302   302   302
        street,socialworker2    302   302   302   404
        street_b,community_b    404   404   404   302
        community,socialworker  302   302   404   404
        grid                    403   404   404   404
        teamleader,observer     403   403   404   404
        volunteer,resident      404   404   404   404
        *                       403   403   403   403
        """), body=_activity_body),
    # the sign-up is the caller's own: an account without a volunteer profile is told to apply first (400, the
    # form's message, nothing written); only the world's volunteer signs up, in the units it may see (G, A)
    "activities:signup": PageCase(everyone("405", "G A A2 B"), lambda c, r, t: f"/activities/{_a(c, t)}/signup/",
                                  prepare=prepare, body=lambda c, r, t: {"note": "周末有空"}, post=table("""
                                  G     A     A2    B
        district                  400   400   400   400
        street,socialworker2      400   400   400   404
        street_b,community_b      404   404   404   400
        grid                      400   404   404   404
        mediator,merchant,norole  403   403   403   403
        volunteer                 302   302   404   404
        *                         400   400   404   404
        """)),
    "activities:beneficiaries": PageCase(
        everyone("405", "G A A2 B"), lambda c, r, t: f"/activities/{_ongoing(c, t)}/beneficiaries/", prepare=prepare,
        post=table("""
                                  G     A     A2    B
        district                  302   302   302   302
        street,socialworker2      302   302   302   404
        street_b,community_b      404   404   404   302
        community,socialworker    302   302   404   404
        grid                      403   404   404   404
        mediator,merchant,norole  403   403   403   403
        *                         403   403   404   404
        """), body=lambda c, r, t: {"group": "elderly", "count": 12}),
    "activities:transition": PageCase(
        everyone("405", "G A A2 B"), lambda c, r, t: f"/activities/{_a(c, t)}/cancel/", prepare=prepare,
        post=table("""
                                  G     A     A2    B
        district                  302   302   302   302
        street,socialworker2      302   302   302   404
        street_b,community_b      404   404   404   302
        community,socialworker    302   302   404   404
        grid                      403   404   404   404
        mediator,merchant,norole  403   403   403   403
        *                         403   403   404   404
        """), body=lambda c, r, t: {"reason": "天气原因"}),
    "activities:signup_action": PageCase(
        everyone("405", "G A A2 B"), lambda c, r, t: f"/activities/signups/{_pending(c, t)}/approve/",
        prepare=prepare, post=table("""
                                G     A     A2    B
        district                302   302   302   302
        street,socialworker2    302   302   302   404
        street_b,community_b    404   404   404   302
        community,socialworker  302   302   404   404
        grid                    403   404   404   404
        teamleader,observer     403   403   404   404
        volunteer,resident      404   404   404   404
        *                       403   403   403   403
        """)),
}
