"""The back office shows notifications and outbox messages read-only, scoped to recipients in the staff's subtree."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission

from gongzhi.notifications.services import notification_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def street_staff(client, world):
    user = world.user("street")
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="notifications"))
    client.force_login(user, backend="gongzhi.accounts.backends.PhoneOrUsernameBackend")
    return client


def test_admin_lists_only_recipients_in_the_staff_subtree(street_staff, world):
    """艾山街道's admin sees the 永兴社区 volunteer's messages, not 洪沟社区's worker's."""
    notification_create(user=world.user("volunteer"), kind="k", title="永兴的消息", channels=["log"])
    notification_create(user=world.user("community_b"), kind="k", title="洪沟的消息", channels=["log"])
    for url in ("/admin/notifications/notification/", "/admin/notifications/outboxmessage/"):
        r = street_staff.get(url)
        text = r.content.decode()
        assert r.status_code == 200, url
        assert "永兴的消息" in text and "洪沟的消息" not in text, url


def test_admin_is_read_only(street_staff, world):
    """No add, change or delete from the back office: senders and services own these rows."""
    note = notification_create(user=world.user("volunteer"), kind="k", title="只读", channels=["log"])
    msg = note.outbox.get()
    assert street_staff.get("/admin/notifications/notification/add/").status_code == 403
    assert street_staff.get("/admin/notifications/outboxmessage/add/").status_code == 403
    r = street_staff.post(f"/admin/notifications/notification/{note.pk}/delete/", {"post": "yes"})
    assert r.status_code == 403
    r = street_staff.get(f"/admin/notifications/outboxmessage/{msg.pk}/change/")
    assert r.status_code == 200 and 'name="_save"' not in r.content.decode()
