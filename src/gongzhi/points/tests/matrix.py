"""Scoping-matrix rows for the points API (collected by ``accounts/tests/test_scoping_matrix.py``).

Targets G/A/A2/B: a rule set adopted at that unit, the unit's matrix person (``ctx.people[t]``) with a 60-point
award under it (the award's transaction belongs to the unit), and a pending deduction entered by a separate district
maker (so no world role is the maker and every checker may approve). R: the resident's own approved deduction.

Reads need ``points.view`` (workers and observers); awards ``points.award`` (admins, community and social workers);
deductions are entered with ``points.enter_deduction`` (every worker) and checked with ``points.approve_deduction``
(admins and community workers); rule versions need ``points.manage_rules``; reversals ``points.reverse`` (admins).
The board is public; ``me/points`` reads and appeals act on the caller's own person only.
"""

from __future__ import annotations

import datetime as dt

from gongzhi.accounts.roles import Role
from gongzhi.accounts.services import role_grant, user_create
from gongzhi.core import clock
from gongzhi.core.testing.matrix import Case, Ctx, Multipart, ids, table
from gongzhi.core.testing.world import PASSWORD
from gongzhi.points import services
from gongzhi.points.models import Deduction, DeductionStatus

from .factories import DECISION, items

P = "/api/v1/points"
TARGETS = ("G", "A", "A2", "B")


def prepare(ctx: Ctx) -> None:
    district = ctx.users["district"]
    maker = user_create(username="t-points-maker", password=PASSWORD, display_name="扣分登记员", phone="13900008888")
    role_grant(user=maker, role=Role.DISTRICT_ADMIN, unit=ctx.w.district, actor=None)
    rulesets, awards, deductions, accounts = {}, {}, {}, {}
    for t in TARGETS:
        rulesets[t] = services.ruleset_adopt(unit=ctx.units[t], title=f"积分细则{t}", decision=DECISION,
                                             adopted_on=dt.date(2025, 1, 1), effective_from=dt.date(2025, 1, 1),
                                             items=items(), actor=district)
    for t in (*TARGETS, "R"):
        person = ctx.people[t]
        awards[t] = services.award_grant(person=person, reason="矩阵发放", actor=district, idempotency_key=f"m-{t}",
                                         points=60)
        accounts[t] = services.account_for_person(person)
        deductions[t] = services.deduction_enter(person=person, reason="焚烧秸秆", actor=maker)
    own = services.deduction_approve(deduction=deductions.pop("R"), actor=district)
    ctx.cache["points"] = {"rulesets": rulesets, "awards": awards, "deductions": deductions, "accounts": accounts,
                           "own": own, "maker": maker}


def _p(c: Ctx) -> dict:
    return c.cache["points"]


def _appealed(c: Ctx, t: str) -> int:
    d = _p(c)["deductions"][t]
    Deduction.objects.filter(pk=d.pk).update(status=DeductionStatus.APPEALED, appeal_reason="不是我")
    return d.pk


VIEW_LIST = """
                                      G    A    A2   B
district                              +    +    +    +
street,socialworker2                  +    +    +    -
street_b,community_b                  -    -    -    +
community,socialworker,observer       +    +    -    -
grid                                  +    -    -    -
*                                     403  403  403  403
"""

AWARD = """
                                      G    A    A2   B
district                              201  201  201  201
street,socialworker2                  201  201  201  404
street_b,community_b                  404  404  404  201
community,socialworker                201  201  404  404
*                                     403  403  403  403
"""

ENTER = """
                                      G    A    A2   B
district                              201  201  201  201
street,socialworker2                  201  201  201  404
street_b,community_b                  404  404  404  201
community,socialworker                201  201  404  404
grid                                  201  404  404  404
*                                     403  403  403  403
"""

CHECK = """
                                      G    A    A2   B
district                              200  200  200  200
street                                200  200  200  404
street_b,community_b                  404  404  404  200
community                             200  200  404  404
*                                     403  403  403  403
"""

REVERSE = """
                                      G    A    A2   B
district                              201  201  201  201
street                                201  201  201  404
street_b                              404  404  404  201
*                                     403  403  403  403
"""

# like org.manage_orgs: the unit must be visible (org.view) before the right to adopt rules is asked
RULES_ADOPT = """
                                                        G    A    A2   B
district                                                201  201  201  201
street                                                  201  201  201  404
street_b                                                404  404  404  201
community                                               201  201  404  404
community_b                                             404  404  404  201
grid                                                    403  404  404  404
socialworker,teamleader,observer,volunteer,resident,merchant  403  403  404  404
socialworker2,mediator                                  403  403  403  404
norole                                                  403  403  403  403
"""

OWN = """
                                      -
resident,teamleader                   200
*                                     404
"""

OWN_APPEAL = """
                                      R    A
resident                              200  404
*                                     404  404
"""

PUBLIC_BOARD = """
                                      G    A    A2   B
*                                     200  200  200  200
"""


def _ruleset_body(c: Ctx, t: str) -> dict:
    return {"unit_id": c.units[t].pk, "title": "积分细则（修订）", "decision": DECISION, "adopted_on": "2026-01-05",
            "effective_from": "2026-02-01", "items": [
                {"code": "hour", "name": "志愿服务每小时", "kind": "earn", "trigger": "volunteer_hour", "points": 1}]}


def _month() -> str:
    return clock.now().strftime("%Y-%m")


CASES = {
    ("GET", f"{P}/board/{{unit_code}}/{{month}}"): Case(
        table(PUBLIC_BOARD), lambda c, r, t: (f"points/board/{c.units[t].code}/{_month()}", None), prepare=prepare),
    ("GET", "/api/v1/me/points"): Case(table(OWN), lambda c, r, t: ("me/points", None), prepare=prepare),
    ("GET", "/api/v1/me/points/transactions"): Case(table(OWN), lambda c, r, t: ("me/points/transactions", None),
                                                    prepare=prepare),
    ("GET", "/api/v1/me/points/deductions"): Case(table(OWN), lambda c, r, t: ("me/points/deductions", None),
                                                  prepare=prepare),
    ("POST", "/api/v1/me/points/deductions/{deduction_id}/appeal"): Case(
        table(OWN_APPEAL),
        lambda c, r, t: (f"me/points/deductions/{(_p(c)['own'] if t == 'R' else _p(c)['deductions'][t]).pk}/appeal",
                         {"reason": "那天我不在村里"}), prepare=prepare),
    ("GET", f"{P}/accounts"): Case(table(VIEW_LIST), lambda c, r, t: ("points/accounts?page_size=200", None),
                                   listed=lambda body, c, t: _p(c)["accounts"][t].pk in ids(body), prepare=prepare),
    ("GET", f"{P}/rulesets"): Case(table(VIEW_LIST), lambda c, r, t: ("points/rulesets", None),
                                   listed=lambda body, c, t: _p(c)["rulesets"][t].pk in ids(body), prepare=prepare),
    ("POST", f"{P}/rulesets"): Case(table(RULES_ADOPT), lambda c, r, t: ("points/rulesets", _ruleset_body(c, t)),
                                    prepare=prepare),
    ("POST", f"{P}/awards"): Case(
        table(AWARD), lambda c, r, t: ("points/awards", {"person_id": c.people[t].pk, "reason": "帮助邻居",
                                                         "idempotency_key": f"{r}-{t}", "points": 3}),
        prepare=prepare),
    ("POST", f"{P}/deductions"): Case(
        table(ENTER), lambda c, r, t: ("points/deductions", Multipart(person_id=c.people[t].pk, reason="乱倒垃圾")),
        prepare=prepare),
    ("GET", f"{P}/deductions"): Case(table(VIEW_LIST), lambda c, r, t: ("points/deductions?page_size=200", None),
                                     listed=lambda body, c, t: _p(c)["deductions"][t].pk in ids(body),
                                     prepare=prepare),
    ("POST", f"{P}/deductions/{{deduction_id}}/approve"): Case(
        table(CHECK), lambda c, r, t: (f"points/deductions/{_p(c)['deductions'][t].pk}/approve", {"note": ""}),
        prepare=prepare),
    ("POST", f"{P}/deductions/{{deduction_id}}/reject"): Case(
        table(CHECK), lambda c, r, t: (f"points/deductions/{_p(c)['deductions'][t].pk}/reject", {"note": "证据不足"}),
        prepare=prepare),
    ("POST", f"{P}/deductions/{{deduction_id}}/appeal-decision"): Case(
        table(CHECK), lambda c, r, t: (f"points/deductions/{_appealed(c, t)}/appeal-decision",
                                       {"upheld": False, "note": "核实无误"}), prepare=prepare),
    ("POST", f"{P}/transactions/{{transaction_id}}/reversal"): Case(
        table(REVERSE), lambda c, r, t: (f"points/transactions/{_p(c)['awards'][t].pk}/reversal",
                                         {"reason": "重复发放"}), prepare=prepare),
}

SELF_SERVICE = {
    ("GET", f"{P}/board/{{unit_code}}/{{month}}"), ("GET", "/api/v1/me/points"),
    ("GET", "/api/v1/me/points/transactions"), ("GET", "/api/v1/me/points/deductions"),
    ("POST", "/api/v1/me/points/deductions/{deduction_id}/appeal"),
}
PUBLIC = {("GET", f"{P}/board/{{unit_code}}/{{month}}")}
