"""The scoping matrix: every API endpoint × every world role × objects in the role's own unit and in other units.

The expected answers are tables (style habit 7), one per endpoint. Targets are objects placed in:

    G  = 永兴社区第一网格 (a grid inside 永兴社区)      A  = 永兴社区 (艾山街道)
    A2 = 金鼎社区 (the other community of 艾山街道)    B  = 洪沟社区 (里辛街道, the other street)
    R  = the resident's own record (赵六, 永兴社区)

So for a role at 永兴社区, G/A are "own unit" and A2/B "other unit"; for ``community_b`` it is the other way round.
A cell is the HTTP status for object endpoints; for list endpoints "+" (listed), "-" (absent, 200) or 403.
A row label may name several roles (comma-separated) or ``*`` for every role not named in that table.

Rules: other units' records answer 404, forbidden actions 403 (issue 2, style habit 8); anonymous callers 401.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gongzhi.accounts.services import token_create
from gongzhi.conftest import ApiClient
from gongzhi.core.testing.matrix import (
    Case,
    Ctx,
    Multipart,
    app_cases,
    app_endpoint_sets,
    content,
    ctx_build,
    ids,
    run_case,
    send,
    table,
    tree_ids,
)
from gongzhi.people.identity import make_id_number
from gongzhi.people.models import TeamMembership, VolunteerProfile, VolunteerStatus

# --- the world the matrix runs in ---------------------------------------------------------------------------


def _api_client(user) -> ApiClient:
    c = ApiClient(user)
    c.client.raise_request_exception = False  # a 500 is a cell value to report, not a crash of the matrix
    return c


@pytest.fixture
def ctx(world):
    return ctx_build(world, _api_client)


# --- request builders: (ctx, role, target) -> (url, body); they run inside the rolled-back savepoint -------


def _person_body(ctx: Ctx, t: str) -> dict:
    p = ctx.people[t]
    return {"name": p.name, "unit_id": p.unit_id, "id_number": p.id_number_clear(), "phone": p.phone_clear()}


def _set_status(ctx: Ctx, t: str, status: str) -> None:
    VolunteerProfile.objects.filter(pk=ctx.volunteers[t].pk).update(status=status)


def _membership(ctx: Ctx, t: str) -> None:
    TeamMembership.objects.create(team=ctx.teams[t], person=ctx.volunteers[t].person, joined_on="2025-01-01")


def _other_token(ctx: Ctx, role: str) -> int:
    other = ctx.users["district" if role != "district" else "merchant"]
    return token_create(user=other, name="other")[0].pk


def _import_upload(ctx: Ctx, t: str) -> Multipart:
    if "template" not in ctx.cache:
        r = ctx.clients["district"].get("people/import-template.xlsx")
        ctx.cache["template"] = content(r)
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Multipart(file=SimpleUploadedFile("居民.xlsx", ctx.cache["template"], content_type=xlsx),
                     unit_id=ctx.units[t].pk, dry_run="true")


NEW_GRID_CODE = {"A": "370117001001002", "A2": "370117001002001", "B": "370117002001001"}


SELF_SERVICE = """
        -
*       {code}
"""

# Scope shapes shared by many read endpoints, spelled out once per endpoint below for readability.
UNITS_VISIBLE = """
                                                                    G    A    A2   B
district                                                            +    +    +    +
street,socialworker2,mediator                                       +    +    +    -
street_b,community_b                                                -    -    -    +
community,socialworker,teamleader,observer,volunteer,resident,merchant  +    +    -    -
grid                                                                +    -    -    -
norole                                                              403  403  403  403
"""

UNIT_DETAIL = """
                                                                    G    A    A2   B
district                                                            200  200  200  200
street,socialworker2,mediator                                       200  200  200  404
street_b,community_b                                                404  404  404  200
community,socialworker,teamleader,observer,volunteer,resident,merchant  200  200  404  404
grid                                                                200  404  404  404
norole                                                              403  403  403  403
"""

# org.manage_orgs: admins and community workers register organisations in their subtree
ORG_CREATE = """
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

PEOPLE_READ = """
                                      G    A    A2   B    R
district                              200  200  200  200  200
street,socialworker2,mediator         200  200  200  404  200
street_b,community_b                  404  404  404  200  404
community,socialworker                200  200  404  404  200
grid                                  200  404  404  404  404
resident                              403  403  403  403  200
*                                     403  403  403  403  403
"""

PEOPLE_EDIT = """
                                      G    A    A2   B    R
district                              200  200  200  200  200
street                                200  200  200  404  200
street_b,community_b                  404  404  404  200  404
community                             200  200  404  404  200
grid                                  200  404  404  404  404
socialworker                          403  403  404  404  403
socialworker2,mediator                403  403  403  404  403
*                                     403  403  403  403  403
"""

# R-P1: a resident gives or withdraws their own consent as easily as a worker records it
PEOPLE_CONSENT = """
                                      G    A    A2   B    R
district                              201  201  201  201  201
street                                201  201  201  404  201
street_b,community_b                  404  404  404  201  404
community                             201  201  404  404  201
grid                                  201  404  404  404  404
socialworker                          403  403  404  404  403
socialworker2,mediator                403  403  403  404  403
resident                              403  403  403  403  201
*                                     403  403  403  403  403
"""

VOL_READ = """
                                      G    A    A2   B
district                              200  200  200  200
street,socialworker2                  200  200  200  404
street_b,community_b                  404  404  404  200
community,socialworker,teamleader     200  200  404  404
grid                                  200  404  404  404
*                                     403  403  403  403
"""

VOL_MANAGE = """
                                      G    A    A2   B
district                              200  200  200  200
street                                200  200  200  404
street_b,community_b                  404  404  404  200
community                             200  200  404  404
grid                                  403  404  404  404
socialworker,teamleader               403  403  404  404
socialworker2                         403  403  403  404
*                                     403  403  403  403
"""

TEAM_MANAGE = """
                                      G    A    A2   B
district                              201  201  201  201
street                                201  201  201  404
street_b,community_b                  404  404  404  201
community                             201  201  404  404
teamleader                            403  201  404  404
grid                                  403  404  404  404
socialworker,observer,volunteer,resident,merchant  403  403  404  404
socialworker2,mediator                403  403  403  404
norole                                403  403  403  403
"""

# people.import: admins and community workers, in their subtree
IMPORT_WRITE = """
                                      G    A    A2   B
district                              201  201  201  201
street                                201  201  201  404
street_b,community_b                  404  404  404  201
community                             201  201  404  404
*                                     403  403  403  403
"""

IMPORT_READ = IMPORT_WRITE.replace("201", "200")

MATRIX: dict[tuple[str, str], Case] = {
    # --- accounts -------------------------------------------------------------------------------------------
    ("GET", "/api/v1/me"): Case(table(SELF_SERVICE.format(code=200)), lambda c, r, t: ("me", None)),
    ("GET", "/api/v1/me/tokens"): Case(table(SELF_SERVICE.format(code=200)), lambda c, r, t: ("me/tokens", None)),
    ("POST", "/api/v1/me/tokens"): Case(table(SELF_SERVICE.format(code=201)),
                                        lambda c, r, t: ("me/tokens", {"name": "cli"})),
    ("DELETE", "/api/v1/me/tokens/{token_id}"): Case(
        table("""
                own  other
        *       200  404
        """),
        lambda c, r, t: (f"me/tokens/{token_create(user=c.users[r])[0].pk if t == 'own' else _other_token(c, r)}",
                         None),
    ),
    ("GET", "/api/v1/roles"): Case(
        table("""
                                      G    A    A2   B
        district                      +    +    +    +
        street                        +    +    +    -
        street_b,community_b          -    -    -    +
        community                     +    +    -    -
        *                             403  403  403  403
        """),
        lambda c, r, t: ("roles", None),
        lambda body, c, t: c.assignments[t].pk in ids(body),
    ),
    ("POST", "/api/v1/roles"): Case(
        table("""
                                                        G    A    A2   B
        district                                        201  201  201  201
        street                                          201  201  201  404
        street_b                                        404  404  404  201
        community_b                                     404  404  404  403
        grid                                            403  404  404  404
        community,socialworker,teamleader,observer,volunteer,resident,merchant  403  403  404  404
        socialworker2,mediator                          403  403  403  404
        norole                                          403  403  403  403
        """),
        lambda c, r, t: ("roles", {"user_id": c.users["observer"].pk, "role": "volunteer", "unit_id": c.units[t].pk}),
    ),
    ("DELETE", "/api/v1/roles/{assignment_id}"): Case(
        table("""
                                      G    A    A2   B
        district                      200  200  200  200
        street                        200  200  200  404
        street_b                      404  404  404  200
        *                             403  403  403  403
        """),
        lambda c, r, t: (f"roles/{c.assignments[t].pk}", None),
    ),
    # --- org ------------------------------------------------------------------------------------------------
    ("GET", "/api/v1/units"): Case(table(UNITS_VISIBLE), lambda c, r, t: ("units", None),
                                   lambda body, c, t: c.units[t].pk in ids(body)),
    ("GET", "/api/v1/units/tree"): Case(table(UNITS_VISIBLE), lambda c, r, t: ("units/tree", None),
                                        lambda body, c, t: c.units[t].pk in tree_ids(body)),
    ("GET", "/api/v1/units/{unit_id}"): Case(table(UNIT_DETAIL), lambda c, r, t: (f"units/{c.units[t].pk}", None)),
    ("GET", "/api/v1/units/{unit_id}/subtree"): Case(table(UNIT_DETAIL),
                                                     lambda c, r, t: (f"units/{c.units[t].pk}/subtree", None)),
    ("POST", "/api/v1/units"): Case(
        table("""
                                                                A    A2   B
        district                                                201  201  201
        street                                                  201  201  404
        street_b                                                404  404  201
        community,socialworker,teamleader,observer,volunteer,resident,merchant  403  404  404
        community_b                                             404  404  403
        grid                                                    404  404  404
        socialworker2,mediator                                  403  403  404
        norole                                                  403  403  403
        """),
        lambda c, r, t: ("units", {"code": NEW_GRID_CODE[t], "name": "新网格", "kind": "grid",
                                   "parent_id": c.units[t].pk}),
    ),
    ("GET", "/api/v1/orgs"): Case(table(UNITS_VISIBLE), lambda c, r, t: ("orgs", None),
                                  lambda body, c, t: c.teams[t].pk in ids(body)),
    ("GET", "/api/v1/teams"): Case(table(UNITS_VISIBLE), lambda c, r, t: ("teams", None),
                                   lambda body, c, t: c.teams[t].pk in ids(body)),
    ("GET", "/api/v1/orgs/{org_id}"): Case(table(UNIT_DETAIL), lambda c, r, t: (f"orgs/{c.teams[t].pk}", None)),
    ("POST", "/api/v1/orgs"): Case(
        table(ORG_CREATE),
        lambda c, r, t: ("orgs", {"name": "新社会组织", "kind": "social_org", "unit_id": c.units[t].pk}),
    ),
    # --- people ---------------------------------------------------------------------------------------------
    ("GET", "/api/v1/tags"): Case(table(SELF_SERVICE.format(code=200)), lambda c, r, t: ("tags", None)),
    ("GET", "/api/v1/skills"): Case(table(SELF_SERVICE.format(code=200)), lambda c, r, t: ("skills", None)),
    ("GET", "/api/v1/people"): Case(
        table("""
                                              G    A    A2   B    R
        district                              +    +    +    +    +
        street,socialworker2,mediator         +    +    +    -    +
        street_b,community_b                  -    -    -    +    -
        community,socialworker                +    +    -    -    +
        grid                                  +    -    -    -    -
        *                                     403  403  403  403  403
        """),
        lambda c, r, t: ("people", None),
        lambda body, c, t: c.people[t].pk in ids(body),
    ),
    ("POST", "/api/v1/people"): Case(
        table("""
                                                        G    A    A2   B
        district                                        201  201  201  201
        street                                          201  201  201  404
        street_b,community_b                            404  404  404  201
        community                                       201  201  404  404
        grid                                            201  404  404  404
        socialworker,teamleader,observer,volunteer,resident,merchant  403  403  404  404
        socialworker2,mediator                          403  403  403  404
        norole                                          403  403  403  403
        """),
        lambda c, r, t: ("people", {"name": "新居民", "unit_id": c.units[t].pk,
                                    "id_number": make_id_number("370117", dt.date(1990, 3, 8), 51)}),
    ),
    ("GET", "/api/v1/people/{person_id}"): Case(
        table(PEOPLE_READ),
        lambda c, r, t: (f"people/{c.people[t].pk}", None),
    ),
    ("PUT", "/api/v1/people/{person_id}"): Case(
        table(PEOPLE_EDIT),
        lambda c, r, t: (f"people/{c.people[t].pk}", _person_body(c, t)),
    ),
    ("GET", "/api/v1/people/{person_id}/consents"): Case(
        table(PEOPLE_READ), lambda c, r, t: (f"people/{c.people[t].pk}/consents", None)
    ),
    ("POST", "/api/v1/people/{person_id}/consents"): Case(
        # R-P1: a resident withdraws (or gives) their own consent as easily as a worker records it
        table(PEOPLE_CONSENT),
        lambda c, r, t: (f"people/{c.people[t].pk}/consents", {"purpose": "volunteer_disclosure", "granted": False}),
    ),
    # --- volunteers -----------------------------------------------------------------------------------------
    ("GET", "/api/v1/volunteers"): Case(
        table("""
                                              G    A    A2   B
        district                              +    +    +    +
        street,socialworker2                  +    +    +    -
        street_b,community_b                  -    -    -    +
        community,socialworker,teamleader     +    +    -    -
        grid                                  +    -    -    -
        *                                     403  403  403  403
        """),
        lambda c, r, t: ("volunteers", None),
        lambda body, c, t: c.volunteers[t].pk in ids(body),
    ),
    ("GET", "/api/v1/volunteers/review-queue"): Case(
        table("""
                                              G    A    A2   B
        district                              +    +    +    +
        street,socialworker2                  +    +    +    -
        street_b,community_b                  -    -    -    +
        community,socialworker                +    +    -    -
        *                                     403  403  403  403
        """),
        lambda c, r, t: ("volunteers/review-queue", None),
        lambda body, c, t: c.volunteers[t].pk in ids(body),
    ),
    ("POST", "/api/v1/volunteers"): Case(
        table("""
                                              G    A    A2   B
        district                              201  201  201  201
        street,socialworker2                  201  201  201  404
        street_b,community_b                  404  404  404  201
        community,socialworker                201  201  404  404
        grid                                  201  404  404  404
        mediator                              403  403  403  404
        *                                     403  403  403  403
        """),
        lambda c, r, t: ("volunteers", {"person_id": c.people[t].pk, "consent_confirmed": True}),
    ),
    ("POST", "/api/v1/me/volunteer"): Case(
        table("""
                      -
        resident,teamleader  201
        *             409
        """),
        lambda c, r, t: ("me/volunteer", {"skills": ["first_aid"]}),
    ),
    ("GET", "/api/v1/volunteers/{volunteer_id}"): Case(
        table(VOL_READ),
        lambda c, r, t: (f"volunteers/{c.volunteers[t].pk}", None),
    ),
    ("PATCH", "/api/v1/volunteers/{volunteer_id}"): Case(
        table(VOL_MANAGE),
        lambda c, r, t: (f"volunteers/{c.volunteers[t].pk}", {"availability": ["周末白天"]}),
    ),
    ("POST", "/api/v1/volunteers/{volunteer_id}/reviews"): Case(
        table("""
                                              G    A    A2   B
        district                              201  201  201  201
        street,socialworker2                  201  201  201  404
        street_b,community_b                  404  404  404  201
        community,socialworker                201  201  404  404
        grid                                  403  404  404  404
        teamleader                            403  403  404  404
        *                                     403  403  403  403
        """),
        lambda c, r, t: (f"volunteers/{c.volunteers[t].pk}/reviews", {"decision": "pass", "note": "材料齐全"}),
    ),
    ("POST", "/api/v1/volunteers/{volunteer_id}/suspend"): Case(
        table(VOL_MANAGE),
        lambda c, r, t: (_set_status(c, t, VolunteerStatus.ACTIVE),
                         (f"volunteers/{c.volunteers[t].pk}/suspend", {"reason": "长期未参加活动"}))[1],
    ),
    ("POST", "/api/v1/volunteers/{volunteer_id}/reinstate"): Case(
        table(VOL_MANAGE),
        lambda c, r, t: (_set_status(c, t, VolunteerStatus.SUSPENDED),
                         (f"volunteers/{c.volunteers[t].pk}/reinstate", {"reason": "恢复"}))[1],
    ),
    ("POST", "/api/v1/volunteers/{volunteer_id}/certificates"): Case(
        table(VOL_MANAGE.replace("200", "201")),
        lambda c, r, t: (f"volunteers/{c.volunteers[t].pk}/certificates", {"name": "红十字救护员证"}),
    ),
    # --- teams ----------------------------------------------------------------------------------------------
    ("POST", "/api/v1/orgs/{org_id}/members"): Case(
        table(TEAM_MANAGE),
        lambda c, r, t: (f"orgs/{c.teams[t].pk}/members", {"person_id": c.volunteers[t].person_id}),
    ),
    ("DELETE", "/api/v1/orgs/{org_id}/members/{person_id}"): Case(
        table(TEAM_MANAGE.replace("201", "200")),
        lambda c, r, t: (_membership(c, t), (f"orgs/{c.teams[t].pk}/members/{c.volunteers[t].person_id}", None))[1],
    ),
    # --- xlsx import and export (people.import / people.export: admins and community workers) ------------------
    ("POST", "/api/v1/people/imports"): Case(
        table(IMPORT_WRITE),
        lambda c, r, t: ("people/imports", _import_upload(c, t)),
    ),
    ("GET", "/api/v1/people/imports/{job_id}"): Case(
        table(IMPORT_READ),
        lambda c, r, t: (f"people/imports/{c.import_jobs[t].pk}", None),
    ),
    ("GET", "/api/v1/people/imports/{job_id}/errors.xlsx"): Case(
        table(IMPORT_READ),
        lambda c, r, t: (f"people/imports/{c.import_jobs[t].pk}/errors.xlsx", None),
    ),
    ("GET", "/api/v1/people/import-template.xlsx"): Case(
        table("""
                                                          -
        district,street,street_b,community,community_b    200
        *                                                 403
        """),
        lambda c, r, t: ("people/import-template.xlsx", None),
    ),
    ("GET", "/api/v1/people/export.xlsx"): Case(
        table("""
                                              G    A    A2   B    R
        district                              +    +    +    +    +
        street                                +    +    +    -    +
        street_b,community_b                  -    -    -    +    -
        community                             +    +    -    -    +
        *                                     403  403  403  403  403
        """),
        lambda c, r, t: ("people/export.xlsx", None),
        lambda cells, c, t: c.people[t].name in cells,
    ),
    # --- privacy --------------------------------------------------------------------------------------------
    ("GET", "/api/v1/access-log"): Case(
        table("""
                                      G    A    A2   B
        district                      +    +    +    +
        street                        +    +    +    -
        street_b                      -    -    -    +
        *                             403  403  403  403
        """),
        lambda c, r, t: ("access-log", None),
        lambda body, c, t: c.logs[t].pk in ids(body),
    ),
}

MATRIX.update(app_cases())


@pytest.mark.parametrize("key", list(MATRIX), ids=[f"{m} {p}" for m, p in MATRIX])
def test_scoping_matrix(ctx, key):
    """Each role gets exactly the table's answer for objects in its own and in other units (404 outside, 403 no right)."""
    problems = run_case(ctx, MATRIX, key)
    assert not problems, f"{key[0]} {key[1]}:\n" + "\n".join(problems)


def _api_operations(client) -> set[tuple[str, str]]:
    schema = client.get("/api/v1/openapi.json").json()
    return {(method.upper(), path) for path, ops in schema["paths"].items() for method in ops}


def test_matrix_covers_every_endpoint(api):
    """A new endpoint fails this test until it has a row in the scoping matrix (and the matrix has no stale rows)."""
    operations = _api_operations(api("district"))
    assert operations - set(MATRIX) == set(), "endpoints without a scoping-matrix table"
    assert set(MATRIX) - operations == set(), "matrix rows for endpoints that no longer exist"


# Endpoints about the caller's own account or shared reference data: nothing to refuse to a logged-in user, so
# their refusal case is the anonymous caller (401, below). Everything else must show a 403 somewhere.
SELF_SERVICE_ENDPOINTS = {
    ("GET", "/api/v1/me"), ("GET", "/api/v1/me/tokens"), ("POST", "/api/v1/me/tokens"),
    ("DELETE", "/api/v1/me/tokens/{token_id}"), ("POST", "/api/v1/me/volunteer"),
    ("GET", "/api/v1/tags"), ("GET", "/api/v1/skills"),
} | app_endpoint_sets("SELF_SERVICE")
# Endpoints meant for anonymous callers (a public verification page, a public board): no 401 case.
PUBLIC_ENDPOINTS = app_endpoint_sets("PUBLIC")


def test_every_endpoint_has_a_permission_denied_case():
    """Style habit 8: every endpoint except the caller's own account lists a role that gets 403."""
    without_403 = {key for key, case in MATRIX.items()
                   if not any(cell == "403" for row in case.table.values() for cell in row.values())}
    assert without_403 == SELF_SERVICE_ENDPOINTS


PRIVATE = [key for key in MATRIX if key not in PUBLIC_ENDPOINTS]


@pytest.mark.parametrize("key", PRIVATE, ids=[f"{m} {p}" for m, p in PRIVATE])
def test_anonymous_caller_gets_401(world, key):
    """Without a token or session every endpoint answers 401 with the shared error shape."""
    method, path = key
    url = re.sub(r"\{[^}]+\}", "1", path)
    anon = ApiClient(None)
    r = send(anon, method, url, {})
    assert r.status_code == 401, r.content
    assert r.json()["code"] == "unauthenticated"
    assert json.loads(r.content)["message"] == "请先登录"
