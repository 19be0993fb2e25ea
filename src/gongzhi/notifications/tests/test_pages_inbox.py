"""Inbox pages: newest first, unread bold, opening marks read, mark all read, paged, htmx partials; the header
badge is a fragment loaded after the page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gongzhi.notifications.models import Notification
from gongzhi.notifications.services import notification_create

pytestmark = pytest.mark.django_db


def _note(world, name="volunteer", **kw):
    return notification_create(user=world.user(name), kind=kw.pop("kind", "waitlist_promoted"),
                               title=kw.pop("title", "候补转正：文明交通引导"), **kw)


def test_inbox_lists_own_newest_first_unread_bold(browser_login, world, clock):
    """The inbox shows the user's notifications newest first; unread titles are bold, read ones are not."""
    old = _note(world, title="报名成功：天更蓝水更清")
    clock.advance(minutes=5)
    new = _note(world, title="活动取消：义诊义剪")
    _note(world, name="resident", title="别人的消息")
    Notification.objects.filter(pk=old.pk).update(read_at=clock.at)
    body = browser_login("volunteer").get(reverse("notifications:inbox")).content.decode()
    assert body.index("活动取消：义诊义剪") < body.index("报名成功：天更蓝水更清")
    assert "<strong>活动取消：义诊义剪</strong>" in body
    assert "<span>报名成功：天更蓝水更清</span>" in body and "<strong>报名成功：天更蓝水更清</strong>" not in body
    assert "别人的消息" not in body
    assert "1 条未读" in body and "全部标为已读" in body
    assert f'id="notification-{new.pk}"' in body


def test_inbox_needs_login(client):
    """Anonymous visitors are sent to the login page."""
    r = client.get(reverse("notifications:inbox"))
    assert r.status_code == 302 and "/login" in r["Location"]


def test_opening_a_notification_marks_it_read(browser_login, world, clock):
    """Opening shows the message and its link, and marks it read."""
    note = _note(world, body="请于6月1日8:00到钢城大街路口报到", url="/activities/7/")
    r = browser_login("volunteer").get(reverse("notifications:detail", args=[note.pk]))
    body = r.content.decode()
    assert r.status_code == 200 and "请于6月1日8:00到钢城大街路口报到" in body and 'href="/activities/7/"' in body
    assert Notification.objects.get(pk=note.pk).read_at == clock.at


def test_opening_does_not_offer_a_link_to_another_site(browser_login, world):
    """A link that leaves the site is not shown as a button."""
    note = _note(world, url="https://evil.example/phish")
    body = browser_login("volunteer").get(reverse("notifications:detail", args=[note.pk])).content.decode()
    assert "evil.example" not in body


def test_another_users_notification_page_is_404(browser_login, world):
    """Opening or marking someone else's notification is not found, and it stays unread."""
    other = _note(world, name="resident")
    client = browser_login("volunteer")
    assert client.get(reverse("notifications:detail", args=[other.pk])).status_code == 404
    assert client.post(reverse("notifications:read", args=[other.pk])).status_code == 404
    assert Notification.objects.get(pk=other.pk).read_at is None


def test_mark_one_read_htmx_returns_the_row_and_refreshes_the_badge(browser_login, world):
    """The htmx mark-read swaps the row (title no longer bold) and triggers the badge reload."""
    note = _note(world)
    r = browser_login("volunteer").post(reverse("notifications:read", args=[note.pk]), HTTP_HX_REQUEST="true")
    body = r.content.decode()
    assert r.status_code == 200 and "<html" not in body
    assert "<strong>" not in body and f'id="notification-{note.pk}"' in body
    assert r["HX-Trigger"] == "notifications-changed"
    assert Notification.objects.get(pk=note.pk).read_at is not None


def test_mark_one_read_without_htmx_redirects_to_the_inbox(browser_login, world):
    """A plain form post marks it read and goes back to the inbox."""
    note = _note(world)
    r = browser_login("volunteer").post(reverse("notifications:read", args=[note.pk]))
    assert r.status_code == 302 and r["Location"] == reverse("notifications:inbox")
    assert Notification.objects.get(pk=note.pk).read_at is not None


def test_mark_all_read(browser_login, world):
    """Mark all read marks every own unread notification, not other users'."""
    for _ in range(3):
        _note(world)
    other = _note(world, name="resident")
    client = browser_login("volunteer")
    r = client.post(reverse("notifications:read_all"), HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and "0 条未读" in r.content.decode() and r["HX-Trigger"] == "notifications-changed"
    assert not Notification.objects.filter(user=world.user("volunteer"), read_at__isnull=True).exists()
    assert Notification.objects.get(pk=other.pk).read_at is None
    assert client.post(reverse("notifications:read_all")).status_code == 302
    assert client.get(reverse("notifications:read_all")).status_code == 405


def test_inbox_is_paged_and_htmx_gets_the_results_only(browser_login, world, clock):
    """25 notifications: 20 on page 1, 5 on page 2; an htmx request gets only the results partial; unread=1 filters."""
    notes = []
    for i in range(25):
        notes.append(_note(world, title=f"第{i:02d}条提醒"))
        clock.advance(minutes=1)
    client = browser_login("volunteer")
    page1 = client.get(reverse("notifications:inbox")).content.decode()
    assert "第24条提醒" in page1 and "第05条提醒" in page1 and "第04条提醒" not in page1
    assert "第 1 / 2 页" in page1
    page2 = client.get(reverse("notifications:inbox"), {"page": 2}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in page2 and "第04条提醒" in page2 and "第05条提醒" not in page2
    Notification.objects.filter(pk__in=[n.pk for n in notes[1:]]).update(read_at=clock.at)
    unread = client.get(reverse("notifications:inbox"), {"unread": "1"}).content.decode()
    assert "第00条提醒" in unread and "第01条提醒" not in unread


def test_badge_fragment_shows_the_unread_count(browser_login, world):
    """The badge fragment shows the unread count (nothing when zero) and links to the inbox."""
    client = browser_login("volunteer")
    empty = client.get(reverse("notifications:badge")).content.decode()
    assert 'class="unread-count"' not in empty and reverse("notifications:inbox") in empty
    for _ in range(3):
        _note(world)
    _note(world, name="resident")
    r = client.get(reverse("notifications:badge"))
    body = r.content.decode()
    assert r["Cache-Control"] == "no-store" and "<html" not in body
    assert '<span class="unread-count"' in body and ">3</span>" in body
    assert 'hx-trigger="notifications-changed from:body"' in body


def test_badge_for_a_logged_out_page_is_empty(client):
    """A page whose session expired gets 204 for the badge (htmx swaps nothing), never the login page."""
    r = client.get(reverse("notifications:badge"))
    assert r.status_code == 204 and r.content == b""


def test_badge_shows_99_plus(browser_login, world):
    """More than 99 unread show as 99+."""
    Notification.objects.bulk_create([Notification(user=world.user("volunteer"), kind="k", title="t",
                                                   created_at="2026-06-01T09:00:00+08:00") for _ in range(120)])
    body = browser_login("volunteer").get(reverse("notifications:badge")).content.decode()
    assert ">99+</span>" in body


def test_header_loads_the_badge_after_the_page(browser_login, world):
    """Every page's header holds the badge link that htmx fills in on load (the page itself does no count query)."""
    body = browser_login("community").get(reverse("web:home")).content.decode()
    assert f'id="inbox-badge" href="{reverse("notifications:inbox")}" data-badge="{reverse("notifications:badge")}"' in body
    assert "web/app.js" in body  # loads the badge with htmx.ajax on DOMContentLoaded (no inline script: CSP)
    assert "unread-count" not in body
