"""Scoping-matrix rows for the recognition API (collected by ``accounts/tests/test_scoping_matrix.py``).

Targets G/A/A2/B are the matrix's volunteers (made active here) with a finished activity of their unit, 350 confirmed
hours there, a 1★ award, a candidate list, a rating, an honours list and certificates in every state. The world's
"volunteer" login gets a volunteer profile of its own in 永兴社区 (not a target) for the self-service rows.
"""

from __future__ import annotations

import datetime as dt

from gongzhi.accounts.services import user_create
from gongzhi.core.testing.matrix import Case, Ctx, ids, table
from gongzhi.core.testing.world import PASSWORD, make_person
from gongzhi.people.models import VolunteerProfile, VolunteerStatus
from gongzhi.people.services import volunteer_apply
from gongzhi.recognition import services
from gongzhi.recognition.models import (
    AwardKind,
    HonourList,
    IncentiveFormula,
    Rating,
    StarAward,
    StarCandidate,
    StarCandidateList,
)

from .factories import activity, record

TARGETS = ("G", "A", "A2", "B")


def prepare(ctx: Ctx) -> None:
    district = ctx.users["district"]
    publisher = user_create(username="t-rec-publisher", password=PASSWORD, display_name="公示人",
                            phone="13900008888")
    VolunteerProfile.objects.filter(pk__in=[v.pk for v in ctx.volunteers.values()]).update(
        status=VolunteerStatus.ACTIVE)
    own = make_person(ctx.w, "亓晓雯", ctx.units["A"], seq=91)
    own.user = ctx.users["volunteer"]
    own.save(update_fields=["user"])
    mine = volunteer_apply(person=own, actor=district, consent_confirmed=True)
    VolunteerProfile.objects.filter(pk=mine.pk).update(status=VolunteerStatus.ACTIVE)
    formula = IncentiveFormula.objects.get(version=1)
    cache = ctx.cache.setdefault("recognition", {})
    for t in TARGETS:
        v = VolunteerProfile.objects.select_related("person", "unit").get(pk=ctx.volunteers[t].pk)
        act = activity(ctx.units[t], f"矩阵活动{t}", day=dt.date(2025, 6, 1))
        record(v, act, 350)
        StarAward.objects.create(volunteer=v, kind=AwardKind.AWARD, level=1, hours_at_award=350,
                                 approved_by=district, approved_at=act.ends_at)
        cl = StarCandidateList.objects.create(unit=ctx.units[t], period_end=dt.date(2025, 12, 31),
                                              published_by=publisher, published_at=act.ends_at)
        StarCandidate.objects.create(candidate_list=cl, volunteer=v, current_level=1, level=2, hours=350)
        rating = Rating.objects.create(activity=act, volunteer=v, unit_path=act.unit.path, score=5,
                                       rater_kind="organiser", rated_by=publisher, rated_at=act.ends_at)
        honours = HonourList.objects.create(unit=ctx.units[t], year=2024, title="优秀志愿者", formula=formula,
                                            published_by=district, published_at=act.ends_at)
        certs = {}
        for state in ("requested", "accepted", "issued"):
            cert = services.certificate_request(volunteer=v, actor=district)
            if state != "requested":
                services.certificate_accept(certificate=cert, actor=district)
            if state == "issued":
                cert = services.certificate_issue(certificate=cert, actor=district, person_in_charge="王建华",
                                                  contact="0634-6012345")
            certs[state] = cert
        cache[t] = {"v": v, "act": act, "list": cl, "rating": rating, "honours": honours, **certs}


def _c(ctx: Ctx, t: str) -> dict:
    return ctx.cache["recognition"][t]


SELF = """
        -
*       200
"""

MY_RECOGNITION = """
            -
volunteer   200
*           409
"""

# recognition.view on the target's unit; everything else 403
VIEW_READ = """
                                            G    A    A2   B
district                                    200  200  200  200
street,socialworker2                        200  200  200  404
street_b,community_b                        404  404  404  200
community,socialworker,teamleader,observer  200  200  404  404
grid                                        200  404  404  404
*                                           403  403  403  403
"""

VIEW_LISTED = """
                                            G    A    A2   B
district                                    +    +    +    +
street,socialworker2                        +    +    +    -
street_b,community_b                        -    -    -    +
community,socialworker,teamleader,observer  +    +    -    -
grid                                        +    -    -    -
*                                           403  403  403  403
"""

# the volunteer sees only their own certificates (none of the targets)
CERT_LISTED = """
                                            G    A    A2   B
district                                    +    +    +    +
street,socialworker2                        +    +    +    -
street_b,community_b                        -    -    -    +
community,socialworker,teamleader,observer  +    +    -    -
grid                                        +    -    -    -
volunteer                                   -    -    -    -
*                                           403  403  403  403
"""

# seen under recognition.view, acted on under issue_certificate / publish_* (admins and community workers)
WORKER_ACT = """
                                            G    A    A2   B
district                                    200  200  200  200
street                                      200  200  200  404
street_b,community_b                        404  404  404  200
community                                   200  200  404  404
grid                                        403  404  404  404
socialworker,teamleader,observer            403  403  404  404
socialworker2                               403  403  403  404
*                                           403  403  403  403
"""

# seen under recognition.view, acted on under approve_stars (admins only)
ADMIN_ACT = """
                                            G    A    A2   B
district                                    201  201  201  201
street                                      201  201  201  404
street_b                                    404  404  404  201
community                                   403  403  404  404
community_b                                 404  404  404  403
grid                                        403  404  404  404
socialworker,teamleader,observer            403  403  404  404
socialworker2                               403  403  403  404
*                                           403  403  403  403
"""

RATE = """
                                            G    A    A2   B
district                                    201  201  201  201
street,socialworker2                        201  201  201  404
street_b,community_b                        404  404  404  201
community,socialworker,teamleader           201  201  404  404
*                                           403  403  403  403
"""

ISSUE = {"person_in_charge": "王建华", "contact": "0634-6012345"}
P = "/api/v1/recognition"

CASES: dict[tuple[str, str], Case] = {
    ("GET", f"{P}/star-thresholds"): Case(table(SELF), lambda c, r, t: ("recognition/star-thresholds", None)),
    ("GET", "/api/v1/me/recognition"): Case(table(MY_RECOGNITION), lambda c, r, t: ("me/recognition", None),
                                            prepare=prepare),
    ("GET", f"{P}/certificates/verify/{{code}}"): Case(
        table(SELF), lambda c, r, t: (f"recognition/certificates/verify/{_c(c, 'A')['issued'].verify_code}", None),
        prepare=prepare),
    ("GET", f"{P}/volunteers/{{volunteer_id}}"): Case(
        table(VIEW_READ), lambda c, r, t: (f"recognition/volunteers/{_c(c, t)['v'].pk}", None), prepare=prepare),
    ("POST", f"{P}/volunteers/{{volunteer_id}}/star-revocations"): Case(
        table(ADMIN_ACT), lambda c, r, t: (f"recognition/volunteers/{_c(c, t)['v'].pk}/star-revocations",
                                           {"reason": "核查不实"}), prepare=prepare),
    ("GET", f"{P}/star-candidates"): Case(
        table(VIEW_READ), lambda c, r, t: (f"recognition/star-candidates?unit_id={c.units[t].pk}", None),
        prepare=prepare),
    ("GET", f"{P}/star-candidate-lists"): Case(
        table(VIEW_LISTED), lambda c, r, t: ("recognition/star-candidate-lists", None),
        listed=lambda body, c, t: _c(c, t)["list"].pk in ids(body), prepare=prepare),
    ("POST", f"{P}/star-candidate-lists"): Case(
        table(WORKER_ACT.replace("200", "201")),
        lambda c, r, t: ("recognition/star-candidate-lists", {"unit_id": c.units[t].pk, "period_end": "2025-12-31"}),
        prepare=prepare),
    ("POST", f"{P}/star-awards"): Case(
        table(ADMIN_ACT), lambda c, r, t: ("recognition/star-awards", {"candidate_list_id": _c(c, t)["list"].pk}),
        prepare=prepare),
    ("GET", f"{P}/certificates"): Case(
        table(CERT_LISTED), lambda c, r, t: ("recognition/certificates?page_size=100", None),
        listed=lambda body, c, t: _c(c, t)["issued"].pk in ids(body), prepare=prepare),
    ("POST", f"{P}/certificates"): Case(
        table(WORKER_ACT.replace("200", "201")),
        lambda c, r, t: ("recognition/certificates", {"volunteer_id": _c(c, t)["v"].pk}), prepare=prepare),
    ("GET", f"{P}/certificates/{{certificate_id}}"): Case(
        table(VIEW_READ), lambda c, r, t: (f"recognition/certificates/{_c(c, t)['issued'].pk}", None),
        prepare=prepare),
    ("GET", f"{P}/certificates/{{certificate_id}}/pdf"): Case(
        table(VIEW_READ), lambda c, r, t: (f"recognition/certificates/{_c(c, t)['issued'].pk}/pdf", None),
        prepare=prepare),
    ("POST", f"{P}/certificates/{{certificate_id}}/accept"): Case(
        table(WORKER_ACT), lambda c, r, t: (f"recognition/certificates/{_c(c, t)['requested'].pk}/accept", {}),
        prepare=prepare),
    ("POST", f"{P}/certificates/{{certificate_id}}/issue"): Case(
        table(WORKER_ACT), lambda c, r, t: (f"recognition/certificates/{_c(c, t)['accepted'].pk}/issue", ISSUE),
        prepare=prepare),
    ("POST", f"{P}/certificates/{{certificate_id}}/revoke"): Case(
        table(WORKER_ACT), lambda c, r, t: (f"recognition/certificates/{_c(c, t)['issued'].pk}/revoke",
                                            {"reason": "重复开具"}), prepare=prepare),
    ("GET", f"{P}/ratings"): Case(
        table(VIEW_LISTED), lambda c, r, t: ("recognition/ratings?page_size=100", None),
        listed=lambda body, c, t: _c(c, t)["rating"].pk in ids(body), prepare=prepare),
    ("POST", f"{P}/ratings"): Case(
        table(RATE), lambda c, r, t: ("recognition/ratings", {"activity_id": _c(c, t)["act"].pk,
                                                              "volunteer_id": _c(c, t)["v"].pk, "score": 4}),
        prepare=prepare),
    ("GET", f"{P}/honours"): Case(
        table(VIEW_LISTED), lambda c, r, t: ("recognition/honours", None),
        listed=lambda body, c, t: _c(c, t)["honours"].pk in ids(body), prepare=prepare),
    ("POST", f"{P}/honours"): Case(
        table(WORKER_ACT.replace("200", "201")),
        lambda c, r, t: ("recognition/honours", {"unit_id": c.units[t].pk, "year": 2025, "title": "优秀志愿者",
                                                 "top": 3}), prepare=prepare),
}

SELF_SERVICE = {("GET", f"{P}/star-thresholds"), ("GET", "/api/v1/me/recognition"),
                ("GET", f"{P}/certificates/verify/{{code}}")}
PUBLIC = {("GET", f"{P}/certificates/verify/{{code}}")}
