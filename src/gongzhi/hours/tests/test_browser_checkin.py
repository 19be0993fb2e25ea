"""Headless Chromium on a phone: the organiser shows the QR code, a volunteer opens (scans) its link, logs in and
checks in. Screenshots go to ``test-artifacts/``. Skipped without /usr/bin/chromium unless GONGZHI_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import pytest

from gongzhi.conftest import ARTIFACTS
from gongzhi.core.testing.world import PASSWORD
from gongzhi.hours.models import Attendance


def _login(page, username):
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_volunteer_scans_the_qr_link_and_checks_in(live_server, scene, clock, chromium_page):
    """The scanned link survives the login; 签到 opens today's attendance and the page then offers 签退 (R-V4)."""
    page = chromium_page
    clock.set(2026, 5, 9, 8, 50)

    page.goto(f"{live_server.url}/login/")
    _login(page, "t-community")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/hours/activities/{scene.activity.pk}/qr/")
    page.wait_for_selector(".qr-code svg")
    box = page.locator(".qr-code svg").bounding_box()
    assert box["width"] <= 390 and box["x"] >= 0  # the code fits the phone screen
    page.screenshot(path=ARTIFACTS / "hours-qr.png", full_page=True)
    link = page.locator(".qr-code").get_attribute("data-url").replace("http://testserver", live_server.url)
    assert link.startswith(f"{live_server.url}/hours/checkin/")
    page.context.clear_cookies()  # the organiser's phone is not the volunteer's

    page.goto(link)
    page.wait_for_selector("input[name=username]")
    _login(page, "t-volunteer")
    page.wait_for_selector("h1:has-text('敬老院义剪')")
    assert page.locator("text=尚未签到").count() == 1
    page.screenshot(path=ARTIFACTS / "hours-checkin-before.png", full_page=True)

    page.click("#checkin-button")
    page.wait_for_selector("text=已于 08:50 签到")
    assert page.inner_text("#checkin-button") == "签退"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page is {width}px wide on a 390px phone"
    page.screenshot(path=ARTIFACTS / "hours-checkin-done.png", full_page=True)
    attendance = Attendance.objects.get()
    assert attendance.volunteer_id == scene.volunteer.pk and attendance.in_method == "qr"

    # the organiser's list shows the open attendance under 缺少签退 (R-V5), laid out for the phone
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/login/?next=/hours/activities/{scene.activity.pk}/")
    _login(page, "t-community")
    page.wait_for_selector("#missing")
    assert "缺少签退（1）" in page.inner_text("#missing")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=ARTIFACTS / "hours-organiser-missing.png", full_page=True)
