"""Page-matrix rows for the inbox: a notification is its recipient's alone (another user's → 404)."""

from __future__ import annotations

from gongzhi.core.testing.matrix import PageCase, everyone, table
from gongzhi.notifications.services import notification_create


def _note(c, r, t) -> int:
    """``own``: a notification to the caller; ``other``: one to somebody else."""
    other = c.users["district" if r != "district" else "merchant"]
    return notification_create(user=c.users.get(r, other) if t == "own" else other, kind="test", title="测试消息").pk


def _unread_of_others(c, r, t) -> str:
    notification_create(user=c.users["district" if r != "district" else "merchant"], kind="test", title="别人的消息")
    return "/notifications/read-all/"


PAGES = {
    "notifications:inbox": PageCase(everyone("200"), lambda c, r, t: "/notifications/"),
    "notifications:badge": PageCase(everyone("200"), lambda c, r, t: "/notifications/badge/", anon="204"),
    "notifications:read_all": PageCase(everyone("405"), _unread_of_others, post=everyone("302")),
    "notifications:detail": PageCase(table("""
           own   other
        *  200   404
        """), lambda c, r, t: f"/notifications/{_note(c, r, t)}/",
                                     anon="login"),
    "notifications:read": PageCase(everyone("405", "own other"), lambda c, r, t: f"/notifications/{_note(c, r, t)}/read/",
                                   post=table("""
           own   other
        *  302   404
        """)),
}
