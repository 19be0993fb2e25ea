"""The access-log page: admins browse unmasked reads in their subtree (R-P3, R-P4); others get 403."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gongzhi.people import selectors

pytestmark = pytest.mark.django_db


def _reveal(world, user_name, person_name, purpose="核实身份"):
    person = world.people[person_name]
    selectors.person_view(actor=world.user(user_name), person=person, reveal=True, purpose=purpose)


def test_street_admin_sees_reveals_in_their_street_only(browser_login, world):
    """A street admin sees who revealed whom, which fields and why — only for their own street."""
    _reveal(world, "community", "a", purpose="入户走访")
    _reveal(world, "community_b", "b")
    r = browser_login("street").get(reverse("privacy:access_log"))
    body = r.content.decode()
    assert r.status_code == 200 and "个人信息访问日志" in body
    assert "张三丰" in body and "入户走访" in body and "证件号码" in body and "community" in body
    assert "王五" not in body


def test_page_reveal_shows_up_in_the_log(browser_login, world):
    """A reveal made on the person page appears on the district admin's log page with channel 页面."""
    browser_login("community").post(reverse("people:reveal", args=[world.people["a"].pk]), {"purpose": "办理业务"})
    body = browser_login("district").get(reverse("privacy:access_log"), {"channel": "page"}).content.decode()
    assert "张三丰" in body and "办理业务" in body and "页面" in body


def test_filter_by_subject(browser_login, world):
    """Filtering by subject shows only that person's rows."""
    _reveal(world, "community", "a")
    _reveal(world, "community", "a_grid")
    body = browser_login("district").get(reverse("privacy:access_log"), {
        "subject_type": "people.person", "subject_id": world.people["a_grid"].pk}).content.decode()
    assert "李四" in body and "张三丰" not in body


@pytest.mark.parametrize("role", ["community", "grid", "socialworker", "resident"])
def test_non_admins_get_403(browser_login, role):
    """Only district and street admins hold privacy.view_access_log."""
    r = browser_login(role).get(reverse("privacy:access_log"))
    assert r.status_code == 403
    assert "没有权限" in r.content.decode()


def test_anonymous_is_sent_to_login(client):
    """Logged-out visitors are redirected to the login page."""
    r = client.get(reverse("privacy:access_log"))
    assert r.status_code == 302 and reverse("web:login") in r["Location"]
