"""The inbox API: a user reads only their own notifications (another's id → 404), read/unread, the unread count;
the outbox view for admins, scoped to recipients in their subtree."""

from __future__ import annotations

import datetime as dt

import pytest

from gongzhi.accounts.roles import Role
from gongzhi.accounts.services import role_grant, user_create
from gongzhi.notifications.models import Notification
from gongzhi.notifications.services import notification_create, outbox_dispatch

pytestmark = pytest.mark.django_db


def _notes(world, clock, name="volunteer", n=3):
    out = []
    for i in range(n):
        out.append(notification_create(user=world.user(name), kind="signup_confirmed", title=f"报名成功 {i}"))
        clock.advance(minutes=1)
    return out


def test_list_is_own_newest_first_with_unread_count(api, world, clock):
    """GET /me/notifications lists the caller's notifications newest first, with the unread count."""
    notes = _notes(world, clock)
    _notes(world, clock, name="resident", n=2)
    body = api("volunteer").get("me/notifications").json()
    assert [x["id"] for x in body["items"]] == [n.pk for n in reversed(notes)]
    assert body["count"] == 3 and body["unread_count"] == 3
    assert body["items"][0] == {"id": notes[-1].pk, "kind": "signup_confirmed", "title": "报名成功 2", "body": "",
                                "url": "", "created_at": body["items"][0]["created_at"], "read_at": None,
                                "unread": True}
    assert dt.datetime.fromisoformat(body["items"][0]["created_at"]) == notes[-1].created_at


def test_list_is_paged_and_filters_unread(api, world, clock):
    """page/page_size page the list; unread=true / false filter by read state."""
    notes = _notes(world, clock, n=5)
    Notification.objects.filter(pk=notes[0].pk).update(read_at=clock.at)
    client = api("volunteer")
    body = client.get("me/notifications", page=2, page_size=2).json()
    assert (body["count"], body["pages"], [x["id"] for x in body["items"]]) == (5, 3, [notes[2].pk, notes[1].pk])
    assert {x["id"] for x in client.get("me/notifications", unread="true").json()["items"]} == {
        n.pk for n in notes[1:]}
    assert [x["id"] for x in client.get("me/notifications", unread="false").json()["items"]] == [notes[0].pk]
    assert client.get("me/notifications", page_size="many").status_code == 422


def test_mark_one_read_is_idempotent_and_keeps_first_read_time(api, world, clock):
    """POST .../read marks it read at the clock's time; a second call keeps that time."""
    note = _notes(world, clock, n=1)[0]
    client = api("volunteer")
    r = client.post(f"me/notifications/{note.pk}/read")
    assert r.status_code == 200 and r.json()["unread"] is False
    first = Notification.objects.get(pk=note.pk).read_at
    assert first == clock.at
    clock.advance(hours=1)
    assert client.post(f"me/notifications/{note.pk}/read").status_code == 200
    assert Notification.objects.get(pk=note.pk).read_at == first
    assert client.get("me/notifications/unread-count").json() == {"unread": 0}


def test_another_users_notification_is_404(api, world, clock):
    """Reading or marking someone else's notification answers 404 and changes nothing."""
    other = _notes(world, clock, name="resident", n=1)[0]
    r = api("volunteer").post(f"me/notifications/{other.pk}/read")
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    assert Notification.objects.get(pk=other.pk).read_at is None
    assert api("volunteer").post("me/notifications/999999/read").status_code == 404


def test_read_all_marks_only_own(api, world, clock):
    """POST /me/notifications/read-all marks the caller's unread ones, not anybody else's."""
    _notes(world, clock, n=3)
    others = _notes(world, clock, name="resident", n=2)
    client = api("volunteer")
    assert client.get("me/notifications/unread-count").json() == {"unread": 3}
    assert client.post("me/notifications/read-all").json() == {"marked": 3, "unread": 0}
    assert client.post("me/notifications/read-all").json() == {"marked": 0, "unread": 0}
    assert Notification.objects.filter(pk__in=[n.pk for n in others], read_at__isnull=True).count() == 2


def test_anonymous_gets_401(api):
    """The inbox needs a login."""
    assert api(None).get("me/notifications").status_code == 401
    assert api(None).get("me/notifications/unread-count").status_code == 401


def _recipient(username, unit, phone):
    user = user_create(username=username, password="x-pass-123", display_name=username, phone=phone)
    role_grant(user=user, role=Role.VOLUNTEER, unit=unit, actor=None)
    return user


def test_outbox_is_scoped_to_recipients_in_the_admins_subtree(api, world, clock, memory):
    """A street admin sees outbox messages of users holding roles (or living) in the street; the district sees all;
    a community worker has no outbox permission (403)."""
    a = _recipient("t-rcpt-a", world.community_a2, "13900006601")
    b = _recipient("t-rcpt-b", world.community_b, "13900006602")
    msg_a = notification_create(user=a, kind="k", title="甲", channels=["memory"]).outbox.get()
    msg_b = notification_create(user=b, kind="k", title="乙", channels=["memory"]).outbox.get()
    msg_res = notification_create(user=world.user("resident"), kind="k", title="丙", channels=["memory"]).outbox.get()

    def seen(role, **params):
        return {x["id"] for x in api(role).get("outbox", **params).json()["items"]}

    assert seen("street") == {msg_a.pk, msg_res.pk}
    assert seen("street_b") == {msg_b.pk}
    assert {msg_a.pk, msg_b.pk, msg_res.pk} <= seen("district")
    r = api("community").get("outbox")
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    outbox_dispatch(now=clock.at)
    body = api("street").get("outbox", status="sent").json()
    assert {x["id"] for x in body["items"]} == {msg_a.pk, msg_res.pk}
    item = next(x for x in body["items"] if x["id"] == msg_a.pk)
    assert (item["recipient"], item["channel"], item["status"], item["attempts"]) == ("t-rcpt-a", "memory", "sent", 1)
    assert seen("street", status="pending") == set()


def test_outbox_unknown_status_is_400(api):
    """An unknown status filter is refused with a Chinese message (after the permission check)."""
    r = api("district").get("outbox", status="lost")
    assert r.status_code == 400
    assert r.json()["code"] == "notifications.status_unknown" and "待发送" in r.json()["message"]
    assert api("community").get("outbox", status="lost").status_code == 403
