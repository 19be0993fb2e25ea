"""On a phone: a resident snapping a lamp that a neighbour reported 30 m away is told, and may still submit."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from gongzhi.appeals.models import Appeal
from gongzhi.core.testing.world import PASSWORD

from .conftest import submit


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the live server reads committed rows
def test_report_page_offers_the_nearby_duplicate_and_lets_the_reporter_go_on(live_server, world, chromium_page):
    page, base = chromium_page, live_server.url
    first = submit(world, latitude=Decimal("36.062270"), longitude=Decimal("117.815000"))  # ≈ 30 m north
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": 36.062, "longitude": 117.815})
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", "t-resident")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}{reverse('appeals:report')}")
    page.wait_for_selector("text=已获取位置")
    page.select_option("select[name=category]", "C01")
    page.wait_for_selector("#duplicates:not([hidden])")
    text = page.locator("#duplicates").inner_text()
    assert "附近已有相同问题" in text and "约30米" in text and "待受理" in text
    page.screenshot(path="test-artifacts/appeals-report-duplicate.png", full_page=True)
    page.click("#duplicates-continue")
    assert page.locator("#duplicates").is_hidden()
    page.select_option("select[name=unit]", str(world.grid_a.pk))
    page.fill("textarea[name=description]", "路灯还是不亮")
    page.click("#report-form button[type=submit]")
    page.wait_for_url(f"{base}{reverse('appeals:mine')}")
    assert Appeal.objects.exclude(pk=first.pk).get().description == "路灯还是不亮"
