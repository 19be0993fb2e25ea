"""Headless Chromium on a phone: the header badge counts unread messages; opening one from the inbox marks it read.

The screenshot goes to ``test-artifacts/notifications-inbox.png``.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from gongzhi.conftest import ARTIFACTS
from gongzhi.core.testing.world import PASSWORD
from gongzhi.notifications.services import notification_create


def _note(world, title, body=""):
    return notification_create(user=world.user("volunteer"), kind="reminder", title=title, body=body)


@pytest.fixture
def note(world):
    """Written before the browser starts: while Playwright's event loop runs in this thread, an ORM query would open
    a second Django connection (context-local) that outlives the test."""
    _note(world, "报名成功：天更蓝水更清")
    return _note(world, "提醒：明天8:00文明交通引导", body="钢城大街路口集合")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the live server reads committed rows
def test_inbox_on_a_phone(live_server, world, note, chromium_page):
    """On a phone, the header badge shows the unread count and opening a message from the inbox marks it read."""
    page = chromium_page
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "t-volunteer")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}{reverse('notifications:inbox')}")
    page.wait_for_selector("#inbox-badge .unread-count")
    assert page.inner_text("#inbox-badge .unread-count") == "2"
    page.screenshot(path=ARTIFACTS / "notifications-inbox.png", full_page=True)
    page.click(f"#notification-{note.pk} a.row")
    page.wait_for_selector("text=钢城大街路口集合")
    page.wait_for_selector("#inbox-badge .unread-count")
    # opened = read: the badge (reloaded with the page) counts one unread left (no ORM query here, see ``note``)
    assert page.inner_text("#inbox-badge .unread-count") == "1"
