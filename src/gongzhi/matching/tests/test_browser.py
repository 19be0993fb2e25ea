"""On a phone: a community worker opens the three lists, then the matching view of a need, sees the suggested
resources nearest first with distance and reason beside the running projects, and agrees a match (screenshots)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from gongzhi.core.testing.world import PASSWORD
from gongzhi.matching.models import Match

from .conftest import GRID_POINT, need, project, resource


def _login(page, base, username):
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the live server reads committed rows
def test_worker_matches_a_need_on_a_phone(live_server, world, chromium_page):
    page, base = chromium_page, live_server.url
    lat, lng = GRID_POINT
    n = need(world, unit=world.grid_a, title="独居老人居家安全隐患排查", latitude=lat, longitude=lng, beneficiaries=48)
    need(world, kind="legal", title="老旧小区物业纠纷法律咨询")  # a gap: no legal resource
    resource(world, name="永兴社区积分超市", offers=("elderly", "convenience"), latitude=lat + Decimal("0.0012"),
             longitude=lng, address="永兴社区党群服务中心一楼", capacity="为高龄老人送货上门")
    resource(world, unit=world.community_a2, name="金鼎社区卫生服务站", kind="clinic", offers=("elderly", "health"),
             latitude=lat + Decimal("0.015"), longitude=lng + Decimal("0.01"))
    project(world, name="“爱上门”助老服务项目", social_worker=world.user("socialworker"))

    _login(page, base, "t-community")
    page.goto(f"{base}{reverse('matching:home')}")
    page.wait_for_selector("#matrix")
    page.screenshot(path="test-artifacts/matching-home.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert "有需求无资源" in page.inner_text("#matrix")

    page.goto(f"{base}{reverse('matching:need_match', args=[n.pk])}")
    resources = page.locator("#suggested-resources li")
    assert resources.count() == 2
    assert "永兴社区积分超市" in resources.nth(0).inner_text() and "距离约133米" in resources.nth(0).inner_text()
    assert "金鼎社区卫生服务站" in resources.nth(1).inner_text()
    assert "“爱上门”助老服务项目" in page.inner_text("#suggested-projects")
    page.screenshot(path="test-artifacts/matching-view.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    resources.nth(0).locator("button:has-text('确认对接')").click()
    page.wait_for_selector("#matches")
    assert "已确认" in page.inner_text("#matches") and "已对接" in page.inner_text(".page-head")
    page.locator("#suggested-projects button:has-text('提议对接')").click()
    page.wait_for_selector("#matches li:nth-child(2)")
    page.screenshot(path="test-artifacts/matching-agreed.png", full_page=True)
    assert sorted(Match.objects.values_list("status", flat=True)) == ["agreed", "proposed"]
