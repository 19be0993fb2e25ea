"""Scoping-matrix rows for the appeals API (collected by ``accounts/tests/test_scoping_matrix.py``).

Targets: one submitted 随手拍 per unit G/A/A2/B, filed by the world's resident. Viewing needs ``appeals.view`` (workers,
observers, mediators) in the appeal's subtree; acting needs ``appeals.handle`` (observers and mediators get 403); the
reporter may add before-photos to their own appeal anywhere. Submitting, the category tree and "my appeals" are open to
every logged-in user.
"""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from gongzhi.appeals import services
from gongzhi.core.testing.matrix import Case, Ctx, Multipart, ids, table

from .conftest import jpeg


def prepare(ctx: Ctx) -> None:
    resident = ctx.users["resident"]
    ctx.cache["appeals"] = {
        t: services.appeal_submit(data=services.AppealInput(channel="photo_report", category_code="C01",
                                                            description=f"路灯不亮{t}", unit=unit,
                                                            reporter_phone="13812345678"), actor=resident)
        for t, unit in ctx.units.items()
    }


def _id(c: Ctx, t: str) -> int:
    return c.cache["appeals"][t].pk


def _listed(body, c: Ctx, t: str) -> bool:
    return _id(c, t) in ids(body)


SELF = """
        -
*       {code}
"""

LISTED = """
                                                  G    A    A2   B
district                                          +    +    +    +
street,socialworker2,mediator                     +    +    +    -
street_b,community_b                              -    -    -    +
community,socialworker,observer                   +    +    -    -
grid                                              +    -    -    -
*                                                 403  403  403  403
"""

DETAIL = """
                                                  G    A    A2   B
district                                          200  200  200  200
street,socialworker2,mediator                     200  200  200  404
street_b,community_b                              404  404  404  200
community,socialworker,observer                   200  200  404  404
grid                                              200  404  404  404
*                                                 403  403  403  403
"""

ACT = """
                                                  G    A    A2   B
district                                          {c}  {c}  {c}  {c}
street,socialworker2                              {c}  {c}  {c}  404
street_b,community_b                              404  404  404  {c}
community,socialworker                            {c}  {c}  404  404
grid                                              {c}  404  404  404
mediator                                          403  403  403  404
observer                                          403  403  404  404
resident                                          {own} {own} {own} {own}
*                                                 403  403  403  403
"""


PUBLIC_VIEW = """
                                                  G    A    A2   B
*                                                 200  200  200  200
"""


def _photo(c: Ctx, r: str, t: str):
    return (f"appeals/{_id(c, t)}/photos",
            Multipart(file=SimpleUploadedFile("p.jpg", jpeg(), content_type="image/jpeg"), stage="before"))


CASES = {
    ("GET", "/api/v1/appeals/categories"): Case(table(SELF.format(code=200)),
                                                lambda c, r, t: ("appeals/categories", None)),
    ("POST", "/api/v1/appeals"): Case(table(SELF.format(code=201)), lambda c, r, t: (
        "appeals", {"category": "C01", "description": "井盖缺失", "unit_id": c.units["G"].pk})),
    ("GET", "/api/v1/me/appeals"): Case(table(SELF.format(code=200)), lambda c, r, t: ("me/appeals", None)),
    ("GET", "/api/v1/appeals"): Case(table(LISTED), lambda c, r, t: ("appeals?page_size=200", None), listed=_listed,
                                     prepare=prepare),
    ("GET", "/api/v1/appeals/{appeal_id}"): Case(table(DETAIL), lambda c, r, t: (f"appeals/{_id(c, t)}", None),
                                                 prepare=prepare),
    ("POST", "/api/v1/appeals/{appeal_id}/{action}"): Case(
        table(ACT.format(c=200, own=403)), lambda c, r, t: (f"appeals/{_id(c, t)}/accept", {}), prepare=prepare),
    ("POST", "/api/v1/appeals/{appeal_id}/photos"): Case(table(ACT.format(c=201, own=201)), _photo, prepare=prepare),
    # possible duplicates on intake: any logged-in reporter, nothing personal in the answer
    ("GET", "/api/v1/appeals/duplicates"): Case(table(SELF.format(code=200)), lambda c, r, t: (
        "appeals/duplicates?category=C01&latitude=36.062&longitude=117.815", None), prepare=prepare),
    # the public map, list and figures: no login at all; every role (and anyone) gets the same answer
    ("GET", "/api/v1/public/appeals"): Case(table(PUBLIC_VIEW), lambda c, r, t: (
        f"public/appeals?unit={c.units[t].code}", None), prepare=prepare),
    ("GET", "/api/v1/public/appeals/figures"): Case(table(PUBLIC_VIEW), lambda c, r, t: (
        f"public/appeals/figures?unit={c.units[t].code}&period=year", None), prepare=prepare),
}

# holidays and time limits are district-wide configuration for holders of appeals.supervise (district and street
# admins, R-H8); everyone else 403
CONFIG = """
        -
district,street,street_b    {code}
*       403
"""

_LIMIT = {"urgency": "urgent", "accept_working_hours": 1, "dispatch_working_hours": 1, "reply_working_days": 1}

CASES |= {
    ("GET", "/api/v1/appeals/holidays"): Case(table(CONFIG.format(code=200)),
                                              lambda c, r, t: ("appeals/holidays", None)),
    ("POST", "/api/v1/appeals/holidays"): Case(table(CONFIG.format(code=201)), lambda c, r, t: (
        "appeals/holidays", {"date": "2031-01-01", "name": "元旦"})),
    ("GET", "/api/v1/appeals/limits"): Case(table(CONFIG.format(code=200)), lambda c, r, t: ("appeals/limits", None)),
    ("POST", "/api/v1/appeals/limits"): Case(table(CONFIG.format(code=201)), lambda c, r, t: ("appeals/limits", _LIMIT)),
}

SELF_SERVICE = {("GET", "/api/v1/appeals/categories"), ("POST", "/api/v1/appeals"), ("GET", "/api/v1/me/appeals")}
SELF_SERVICE |= {("GET", "/api/v1/appeals/duplicates"), ("GET", "/api/v1/public/appeals"),
                 ("GET", "/api/v1/public/appeals/figures")}
PUBLIC = {("GET", "/api/v1/public/appeals"), ("GET", "/api/v1/public/appeals/figures")}
