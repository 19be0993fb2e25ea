"""On a phone: a volunteer opens the activity list, opens an activity and signs up (screenshots in test-artifacts/)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gongzhi.activities.models import Signup
from gongzhi.core.testing.world import PASSWORD


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the live server reads committed rows
def test_volunteer_signs_up_on_a_phone(live_server, world, make_activity, volunteer_user, chromium_page):
    activity = make_activity(title="永兴社区便民驿站值守", capacity=3)
    page = chromium_page
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "t-volunteer")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}{reverse('activities:list')}")
    page.wait_for_selector("text=永兴社区便民驿站值守")
    page.screenshot(path="test-artifacts/activities-list.png", full_page=True)
    page.click("text=永兴社区便民驿站值守")
    page.wait_for_selector("text=立即报名")
    page.click("text=立即报名")
    page.wait_for_selector("text=取消报名")
    page.screenshot(path="test-artifacts/activities-detail-signed-up.png", full_page=True)
    assert Signup.objects.get(activity=activity).status == "confirmed"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # nothing overflows the phone's width
