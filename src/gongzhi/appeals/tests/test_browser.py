"""On a phone: a resident files a 随手拍 with a photo; a grid worker accepts and dispatches it (screenshots saved)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gongzhi.appeals.models import Appeal
from gongzhi.core.testing.world import PASSWORD

from .conftest import jpeg


def _login(page, base, username):
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the live server reads committed rows
def test_resident_snaps_and_worker_accepts_and_dispatches(live_server, world, chromium_page, tmp_path):
    page, base = chromium_page, live_server.url
    photo = tmp_path / "lamp.jpg"
    photo.write_bytes(jpeg(size=(320, 240)))
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": 36.062, "longitude": 117.815})
    _login(page, base, "t-resident")
    page.goto(f"{base}{reverse('appeals:report')}")
    page.set_input_files("input[name=photo]", str(photo))
    page.select_option("select[name=category]", "C01")
    page.select_option("select[name=unit]", str(world.grid_a.pk))
    page.fill("textarea[name=description]", "永兴路12号路灯不亮")
    page.wait_for_selector("text=已获取位置")
    page.screenshot(path="test-artifacts/appeals-report.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.click("#report-form button[type=submit]")
    page.wait_for_url(f"{base}{reverse('appeals:mine')}")
    page.screenshot(path="test-artifacts/appeals-mine.png", full_page=True)
    appeal = Appeal.objects.get()
    assert appeal.photos.count() == 1 and appeal.unit == world.grid_a

    page.context.clear_cookies()
    _login(page, base, "t-grid")
    page.goto(f"{base}{reverse('appeals:detail', args=[appeal.pk])}")
    page.click("#actions button:has-text('受理')")
    page.wait_for_selector("#actions button:has-text('派单')")
    page.click("#actions button:has-text('派单')")
    page.wait_for_selector("text=已派单")
    page.screenshot(path="test-artifacts/appeals-dispatched.png", full_page=True)
    appeal.refresh_from_db()
    assert appeal.state == "dispatched" and appeal.owner == world.user("grid")
