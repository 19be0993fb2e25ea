"""Scoping-matrix rows for the three lists API (collected by ``accounts/tests/test_scoping_matrix.py``).

Targets: one need, one resource, one running project and one proposed match (need ↔ resource) per unit G/A/A2/B,
plus a 助老 appeal per unit for "from appeal". Viewing needs ``matching.view`` (workers, social workers, observers) in
the row's subtree; registering needs and resources and acting on matches needs ``matching.manage`` (observers get
403); projects need ``matching.projects`` (admins and social workers; community and grid workers get 403).
"""

from __future__ import annotations

from gongzhi.appeals import services as appeal_services
from gongzhi.core.testing.matrix import Case, Ctx, ids, table
from gongzhi.matching import services

from .conftest import need, project, resource


def prepare(ctx: Ctx) -> None:
    district = ctx.users["district"]
    w = ctx.w
    built = {}
    for t, unit in ctx.units.items():
        n = need(w, unit=unit, title=f"助老需求{t}", actor=district)
        r = resource(w, unit=unit, name=f"便民超市{t}", actor=district)
        p = project(w, unit=unit, name=f"助老项目{t}", actor=district)
        m = services.match_propose(need=need(w, unit=unit, title=f"对接中的需求{t}", actor=district), resource=r,
                                   actor=district)
        a = appeal_services.appeal_submit(data=appeal_services.AppealInput(
            channel="walk_in", category_code="S02", description=f"独居老人需要助餐{t}", unit=unit,
            reporter_phone="13812345678"), actor=ctx.users["resident"])
        built[t] = {"need": n, "resource": r, "project": p, "match": m, "appeal": a}
    ctx.cache["matching"] = built


def _obj(c: Ctx, t: str, what: str):
    return c.cache["matching"][t][what]


def _listed(what: str):
    return lambda body, c, t: _obj(c, t, what).pk in ids(body)


SELF = """
        -
*       {code}
"""

VIEWERS = "district,street,street_b,community,community_b,grid,socialworker,socialworker2,observer"

SUMMARY = f"""
        -
{VIEWERS}   200
*       403
"""

LISTED = """
                                                  G    A    A2   B
district                                          +    +    +    +
street,socialworker2                              +    +    +    -
street_b,community_b                              -    -    -    +
community,socialworker,observer                   +    +    -    -
grid                                              +    -    -    -
*                                                 403  403  403  403
"""

DETAIL = """
                                                  G    A    A2   B
district                                          200  200  200  200
street,socialworker2                              200  200  200  404
street_b,community_b                              404  404  404  200
community,socialworker,observer                   200  200  404  404
grid                                              200  404  404  404
*                                                 403  403  403  403
"""

MANAGE = """
                                                  G    A    A2   B
district                                          {c}  {c}  {c}  {c}
street,socialworker2                              {c}  {c}  {c}  404
street_b,community_b                              404  404  404  {c}
community,socialworker                            {c}  {c}  404  404
grid                                              {c}  404  404  404
observer                                          403  403  404  404
*                                                 403  403  403  403
"""

# appeals.view lets the mediator read the appeal (street 艾山), matching.manage is what they lack
FROM_APPEAL = """
                                                  G    A    A2   B
district                                          201  201  201  201
street,socialworker2                              201  201  201  404
street_b,community_b                              404  404  404  201
community,socialworker                            201  201  404  404
grid                                              201  404  404  404
observer                                          403  403  404  404
mediator                                          403  403  403  404
*                                                 403  403  403  403
"""

PROJECTS = """
                                                  G    A    A2   B
district                                          {c}  {c}  {c}  {c}
street,socialworker2                              {c}  {c}  {c}  404
street_b                                          404  404  404  {c}
community_b                                       404  404  404  403
socialworker                                      {c}  {c}  404  404
community,observer                                403  403  404  404
grid                                              403  404  404  404
*                                                 403  403  403  403
"""


def _need_body(c: Ctx, r: str, t: str):
    return "matching/needs", {"unit_id": c.units[t].pk, "kind": "elderly", "title": "高龄老人助餐", "source": "survey"}


def _resource_body(c: Ctx, r: str, t: str):
    return "matching/resources", {"unit_id": c.units[t].pk, "name": "社区卫生室", "kind": "clinic",
                                  "offers": ["health", "elderly"]}


def _project_body(c: Ctx, r: str, t: str):
    return "matching/projects", {"unit_id": c.units[t].pk, "name": "温暖小哥上门维修", "kinds": ["repair"],
                                 "funder": "社区公益基金", "funding": "community_fund", "budget": "20000.00",
                                 "starts_on": "2030-01-01", "ends_on": "2030-12-31"}


def _propose(c: Ctx, r: str, t: str):
    return "matching/matches", {"need_id": _obj(c, t, "need").pk, "resource_id": _obj(c, t, "resource").pk}


CASES = {
    ("GET", "/api/v1/matching/kinds"): Case(table(SELF.format(code=200)), lambda c, r, t: ("matching/kinds", None)),
    ("GET", "/api/v1/matching/summary"): Case(table(SUMMARY), lambda c, r, t: ("matching/summary", None),
                                              prepare=prepare),
    ("GET", "/api/v1/matching/needs"): Case(table(LISTED), lambda c, r, t: ("matching/needs?page_size=200", None),
                                            listed=_listed("need"), prepare=prepare),
    ("POST", "/api/v1/matching/needs"): Case(table(MANAGE.format(c=201)), _need_body),
    ("POST", "/api/v1/matching/needs/from-appeal"): Case(
        table(FROM_APPEAL), lambda c, r, t: ("matching/needs/from-appeal", {"appeal_id": _obj(c, t, "appeal").pk}),
        prepare=prepare),
    ("GET", "/api/v1/matching/needs/{need_id}"): Case(
        table(DETAIL), lambda c, r, t: (f"matching/needs/{_obj(c, t, 'need').pk}", None), prepare=prepare),
    ("GET", "/api/v1/matching/needs/{need_id}/suggestions"): Case(
        table(DETAIL), lambda c, r, t: (f"matching/needs/{_obj(c, t, 'need').pk}/suggestions", None),
        prepare=prepare),
    ("POST", "/api/v1/matching/needs/{need_id}/close"): Case(
        table(MANAGE.format(c=200)), lambda c, r, t: (f"matching/needs/{_obj(c, t, 'need').pk}/close", {}),
        prepare=prepare),
    ("GET", "/api/v1/matching/resources"): Case(
        table(LISTED), lambda c, r, t: ("matching/resources?page_size=200", None), listed=_listed("resource"),
        prepare=prepare),
    ("POST", "/api/v1/matching/resources"): Case(table(MANAGE.format(c=201)), _resource_body),
    ("GET", "/api/v1/matching/resources/{resource_id}"): Case(
        table(DETAIL), lambda c, r, t: (f"matching/resources/{_obj(c, t, 'resource').pk}", None), prepare=prepare),
    ("POST", "/api/v1/matching/resources/{resource_id}/withdraw"): Case(
        table(MANAGE.format(c=200)),
        lambda c, r, t: (f"matching/resources/{_obj(c, t, 'resource').pk}/withdraw", {"reason": "停业"}),
        prepare=prepare),
    ("GET", "/api/v1/matching/projects"): Case(
        table(LISTED), lambda c, r, t: ("matching/projects?page_size=200", None), listed=_listed("project"),
        prepare=prepare),
    ("POST", "/api/v1/matching/projects"): Case(table(PROJECTS.format(c=201)), _project_body),
    ("GET", "/api/v1/matching/projects/{project_id}"): Case(
        table(DETAIL), lambda c, r, t: (f"matching/projects/{_obj(c, t, 'project').pk}", None), prepare=prepare),
    ("POST", "/api/v1/matching/projects/{project_id}/{action}"): Case(
        table(PROJECTS.format(c=200)),
        lambda c, r, t: (f"matching/projects/{_obj(c, t, 'project').pk}/finish", {}), prepare=prepare),
    ("POST", "/api/v1/matching/matches"): Case(table(MANAGE.format(c=201)), _propose, prepare=prepare),
    ("POST", "/api/v1/matching/matches/{match_id}/{action}"): Case(
        table(MANAGE.format(c=200)), lambda c, r, t: (f"matching/matches/{_obj(c, t, 'match').pk}/agree", {}),
        prepare=prepare),
}

SELF_SERVICE = {("GET", "/api/v1/matching/kinds")}
