"""Headless Chromium on a phone: the resident opens 我的积分, appeals a deduction, and the public board fits the
screen without login. Screenshots go to ``test-artifacts/``."""

from __future__ import annotations

import pytest

from gongzhi.conftest import ARTIFACTS
from gongzhi.core import clock
from gongzhi.core.testing.world import PASSWORD
from gongzhi.points import services

from .factories import adopt, give


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_resident_appeals_on_a_phone_and_the_board_fits(live_server, world, chromium_page):
    adopt(world)
    person = world.people["resident"]
    give(world, person, 30)
    give(world, world.people["a"], 12)
    d = services.deduction_enter(person=person, reason="楼道内堆放杂物", actor=world.user("socialworker"))
    services.deduction_approve(deduction=d, actor=world.user("community"))
    page = chromium_page

    page.goto(f"{live_server.url}/login/?next=/points/me/")
    page.fill("input[name=username]", "t-resident")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("h1:has-text('我的积分')")
    assert page.inner_text(".stat .value >> nth=0") == "20"
    page.click("summary:has-text('申诉')")
    page.fill(f"#appeal-{d.pk}", "杂物是邻居装修临时放的")
    page.screenshot(path=ARTIFACTS / "points-mine-appeal.png", full_page=True)
    page.click("button:has-text('提交申诉')")
    page.wait_for_selector("text=申诉已提交")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=ARTIFACTS / "points-mine.png", full_page=True)

    page.context.clear_cookies()
    page.goto(f"{live_server.url}/points/board/{world.community_a.code}/{clock.now():%Y-%m}/")
    page.wait_for_selector("text=积分榜")
    text = page.inner_text("main")
    assert "张*丰" in text and "张三丰" not in text and "赵*" in text
    page.screenshot(path=ARTIFACTS / "points-board.png", full_page=True)
