"""Page-matrix rows for the points pages (awards, deductions and their four-eyes check, the public board)."""

from __future__ import annotations

from django.utils import timezone

from gongzhi.core import clock
from gongzhi.core.testing.matrix import PageCase, everyone, table
from gongzhi.points import selectors
from gongzhi.points.forms import AwardForm, DeductionForm
from gongzhi.points.models import Deduction, DeductionStatus
from gongzhi.points.tests.matrix import prepare

PEOPLE = "G A A2 B R"
UNITS = "G A A2 B"


def _p(c):
    return c.cache["points"]


def _appealed(c, t):
    d = _p(c)["deductions"][t]
    Deduction.objects.filter(pk=d.pk).update(status=DeductionStatus.APPEALED, appeal_reason="不是我")
    return d.pk


def _first_item(c, t, form_class) -> str:
    """The first rule item the page's form offers for person t (the rule set in force at their unit)."""
    person = c.people[t]
    ruleset = selectors.ruleset_in_force(person.unit, timezone.localdate(clock.now()))
    return form_class(ruleset=ruleset).fields["rule_item"].choices[0][0]


def _award_body(c, r, t):
    return {"rule_item": _first_item(c, t, AwardForm), "reason": "参加义务劳动", "evidence": "现场照片 1 号",
            "idempotency_key": f"pm-{r}-{t}"}


def _deduct_body(c, r, t):
    return {"rule_item": _first_item(c, t, DeductionForm), "reason": "焚烧秸秆"}


def _own_deduction(c, r, t):
    return _p(c)["own"].pk if t == "own" else _p(c)["deductions"]["A"].pk


PAGES = {
    "points:home": PageCase(table("""
                                G     A     A2    B
        district                +     +     +     +
        street,socialworker2    +     +     +     -
        street_b,community_b    -     -     -     +
        community,socialworker  +     +     -     -
        grid,observer           -     -     -     -
        *                       403   403   403   403
        """), lambda c, r, t: "/points/", prepare=prepare,
                            listed=lambda c, t: f"/points/people/{c.people[t].pk}/award/"),
    "points:award": PageCase(
        table("""
                                G     A     A2    B     R
        district                200   200   200   200   200
        street,socialworker2    200   200   200   404   200
        street_b,community_b    404   404   404   200   404
        community,socialworker  200   200   404   404   200
        *                       403   403   403   403   403
        """), lambda c, r, t: f"/points/people/{c.people[t].pk}/award/", prepare=prepare,
        post=table("""
                                G     A     A2    B     R
        district                302   302   302   302   302
        street,socialworker2    302   302   302   404   302
        street_b,community_b    404   404   404   302   404
        community,socialworker  302   302   404   404   302
        *                       403   403   403   403   403
        """), body=_award_body),
    "points:deduct": PageCase(
        table("""
                                G     A     A2    B     R
        district                200   200   200   200   200
        street,socialworker2    200   200   200   404   200
        street_b,community_b    404   404   404   200   404
        community,socialworker  200   200   404   404   200
        grid                    200   404   404   404   404
        *                       403   403   403   403   403
        """), lambda c, r, t: f"/points/people/{c.people[t].pk}/deduct/", prepare=prepare,
        post=table("""
                                G     A     A2    B     R
        district                302   302   302   302   302
        street,socialworker2    302   302   302   404   302
        street_b,community_b    404   404   404   302   404
        community,socialworker  302   302   404   404   302
        grid                    302   404   404   404   404
        *                       403   403   403   403   403
        """), body=_deduct_body),
    "points:queue": PageCase(table("""
                                                  G     A     A2    B
        district                                  +     +     +     +
        street                                    +     +     +     -
        street_b,community_b                      -     -     -     +
        community                                 +     +     -     -
        grid,socialworker,socialworker2,observer  -     -     -     -
        *                                         403   403   403   403
        """), lambda c, r, t: "/points/deductions/", prepare=prepare,
                             listed=lambda c, t: f"/points/deductions/{_p(c)['deductions'][t].pk}/approve/"),
    "points:approve": PageCase(
        everyone("405", "G A A2 B"), lambda c, r, t: f"/points/deductions/{_p(c)['deductions'][t].pk}/approve/",
        prepare=prepare, post=table("""
                              G     A     A2    B
        district              302   302   302   302
        street                302   302   302   404
        street_b,community_b  404   404   404   302
        community             302   302   404   404
        *                     403   403   403   403
        """), body=lambda c, r, t: {"note": "属实"}),
    "points:reject": PageCase(
        everyone("405", "G A A2 B"), lambda c, r, t: f"/points/deductions/{_p(c)['deductions'][t].pk}/reject/",
        prepare=prepare, post=table("""
                              G     A     A2    B
        district              302   302   302   302
        street                302   302   302   404
        street_b,community_b  404   404   404   302
        community             302   302   404   404
        *                     403   403   403   403
        """), body=lambda c, r, t: {"note": "证据不足"}),
    "points:decide": PageCase(
        everyone("405", "G A A2 B"), lambda c, r, t: f"/points/deductions/{_appealed(c, t)}/decide/",
        prepare=prepare, post=table("""
                              G     A     A2    B
        district              302   302   302   302
        street                302   302   302   404
        street_b,community_b  404   404   404   302
        community             302   302   404   404
        *                     403   403   403   403
        """), body=lambda c, r, t: {"upheld": "0", "note": "申诉成立"}),
    "points:rulesets": PageCase(table("""
                                         G     A     A2    B
        district                         +     +     +     +
        street,socialworker2             +     +     +     -
        street_b,community_b             -     -     -     +
        community,socialworker,observer  +     +     -     -
        grid                             +     -     -     -
        *                                403   403   403   403
        """), lambda c, r, t: "/points/rules/", prepare=prepare,
                                listed=lambda c, t: f"积分细则{t} <span"),
    "points:mine": PageCase(table("""
                             -
        teamleader,resident  200
        *                    404
        """), lambda c, r, t: "/points/me/", prepare=prepare),
    "points:appeal": PageCase(
        everyone("405", "own other"), lambda c, r, t: f"/points/me/deductions/{_own_deduction(c, r, t)}/appeal/",
        prepare=prepare, post=table("""
                  own   other
        resident  302   404
        *         404   404
        """), body=lambda c, r, t: {"reason": "当天我不在村里"}),
    "points:board": PageCase(
        table("""
           G     A     A2    B
        *  200   200   200   200
        """), lambda c, r, t: f"/points/board/{c.units[t].code}/{clock.now().strftime('%Y-%m')}/",
        anon="200", prepare=prepare),
}
