"""Headless Chromium on a phone-sized screen: log in as a community worker, search people, open and reveal a person.

Screenshots go to ``test-artifacts/``. Skipped when /usr/bin/chromium is missing, unless GONGZHI_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import datetime as dt

import pytest

from gongzhi.conftest import ARTIFACTS
from gongzhi.core.testing.world import PASSWORD
from gongzhi.people.identity import make_id_number


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_community_worker_searches_opens_and_reveals_a_person(live_server, world, chromium_page):
    """t-community logs in on a phone, finds 张三丰 by "zsf", opens the masked record and reveals it (R-P3)."""
    page = chromium_page
    clear_id = make_id_number("370117", dt.date(1980, 5, 17), 11)

    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "t-community")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.screenshot(path=ARTIFACTS / "home-community.png", full_page=True)

    page.goto(f"{live_server.url}/people/")
    assert page.locator("#results li a.row").count() == 3  # 张三丰, 李四 (grid), 赵六 — not 王五
    assert clear_id not in page.content()
    page.screenshot(path=ARTIFACTS / "people-list.png", full_page=True)

    page.locator("input[name=q]").press_sequentially("zsf", delay=60)  # keyup → htmx swaps only the results
    page.wait_for_function("document.querySelectorAll('#results li a.row').length === 1")
    assert "张三丰" in page.inner_text("#results") and "q=zsf" in page.url
    page.screenshot(path=ARTIFACTS / "people-search-zsf.png", full_page=True)

    page.click("#results a.row")
    page.wait_for_selector("h1:has-text('张三丰')")
    assert world.people["a"].id_number_masked in page.content() and clear_id not in page.content()
    page.screenshot(path=ARTIFACTS / "person-detail.png", full_page=True)

    page.select_option("select[name=purpose]", "入户走访")
    page.click("form.reveal button[type=submit]")
    page.wait_for_selector("text=已显示完整信息")
    assert clear_id in page.content() and "13812345678" in page.content()
    page.screenshot(path=ARTIFACTS / "person-revealed.png", full_page=True)

    page.goto(f"{live_server.url}/org/")
    page.screenshot(path=ARTIFACTS / "org-tree.png", full_page=True)
    page.click(f"a[href='/org/units/{world.community_a.pk}/']")
    page.wait_for_selector("text=永兴邻里志愿服务队")
    page.screenshot(path=ARTIFACTS / "org-unit.png", full_page=True)

    # a wrong check digit is refused on the field (R-I1)
    page.goto(f"{live_server.url}/people/new/")
    page.fill("input[name=name]", "孙七")
    page.select_option("select[name=unit]", str(world.community_a.pk))
    page.fill("input[name=id_number]", clear_id[:17] + ("0" if clear_id[17] != "0" else "1"))
    page.click("button[type=submit].primary")
    page.wait_for_selector("text=身份证号码校验位错误")
    page.screenshot(path=ARTIFACTS / "person-create-error.png", full_page=True)

    # 代为登记 a volunteer, then the review queue shows round 1 of 2
    page.goto(f"{live_server.url}/people/{world.people['a'].pk}/volunteer/")
    page.check("input[name=skills][value=first_aid]")
    page.check("input[name=consent_confirmed]")
    page.click("button[type=submit].primary")
    page.wait_for_selector("text=等待审核")
    page.screenshot(path=ARTIFACTS / "volunteer-applied.png", full_page=True)
    page.goto(f"{live_server.url}/people/volunteers/review/")
    page.wait_for_selector("text=待第 1 / 2 轮")
    page.screenshot(path=ARTIFACTS / "review-queue.png", full_page=True)
