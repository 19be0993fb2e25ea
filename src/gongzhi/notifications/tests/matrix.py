"""Scoping-matrix rows for notifications (collected by ``accounts/tests/test_scoping_matrix.py``).

The ``/me/notifications`` endpoints are the caller's own inbox: every logged-in user gets an answer about their own
rows, another user's notification is 404, and the refusal case is the anonymous 401. ``/outbox`` is for admins
(``notifications.view_outbox``), scoped to recipients who hold roles in the admin's subtree.
"""

from __future__ import annotations

from gongzhi.accounts.roles import Role
from gongzhi.accounts.services import role_grant, user_create
from gongzhi.core.testing.matrix import Case, Ctx, ids, table
from gongzhi.core.testing.world import PASSWORD
from gongzhi.notifications.services import notification_create

PHONES = {"G": "13900007701", "A": "13900007702", "A2": "13900007703", "B": "13900007704"}


def _prepare(ctx: Ctx) -> None:
    """One volunteer account per target unit, each with a notification waiting to go out by SMS."""
    outbox = {}
    for t, unit in ctx.units.items():
        user = user_create(username=f"t-outbox-{t}", password=PASSWORD, display_name=f"收信人{t}", phone=PHONES[t])
        role_grant(user=user, role=Role.VOLUNTEER, unit=unit, actor=None)
        note = notification_create(user=user, kind="signup_confirmed", title="报名成功", channels=["sms"])
        outbox[t] = note.outbox.get().pk
    ctx.cache["outbox"] = outbox


def _note_for(ctx: Ctx, role: str, t: str) -> int:
    other = ctx.users["district" if role != "district" else "merchant"]
    user = ctx.users[role] if t == "own" else other
    return notification_create(user=user, kind="test", title="测试消息").pk


SELF_200 = """
        -
*       200
"""

CASES: dict[tuple[str, str], Case] = {
    ("GET", "/api/v1/me/notifications"): Case(table(SELF_200), lambda c, r, t: ("me/notifications", None)),
    ("GET", "/api/v1/me/notifications/unread-count"): Case(
        table(SELF_200), lambda c, r, t: ("me/notifications/unread-count", None)
    ),
    ("POST", "/api/v1/me/notifications/read-all"): Case(
        table(SELF_200), lambda c, r, t: ("me/notifications/read-all", None)
    ),
    ("POST", "/api/v1/me/notifications/{notification_id}/read"): Case(
        table("""
                own  other
        *       200  404
        """),
        lambda c, r, t: (f"me/notifications/{_note_for(c, r, t)}/read", None),
    ),
    ("GET", "/api/v1/outbox"): Case(
        table("""
                                      G    A    A2   B
        district                      +    +    +    +
        street                        +    +    +    -
        street_b                      -    -    -    +
        *                             403  403  403  403
        """),
        lambda c, r, t: ("outbox", None),
        lambda body, c, t: c.cache["outbox"][t] in ids(body),
        prepare=_prepare,
    ),
}

SELF_SERVICE = {
    ("GET", "/api/v1/me/notifications"),
    ("GET", "/api/v1/me/notifications/unread-count"),
    ("POST", "/api/v1/me/notifications/read-all"),
    ("POST", "/api/v1/me/notifications/{notification_id}/read"),
}
