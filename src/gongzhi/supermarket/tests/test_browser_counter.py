"""Headless Chromium on a phone: the resident shows the member QR, the shop's staff enter the code at the counter,
redeem and see the receipt. Screenshots go to ``test-artifacts/``. Skipped without /usr/bin/chromium unless
GONGZHI_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import pytest

from gongzhi.conftest import ARTIFACTS
from gongzhi.core.testing.world import PASSWORD
from gongzhi.supermarket.models import Redemption

from .conftest import balance


def _login(page, username):
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")


def _fits(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page is {width}px wide on a 390px phone"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_counter_redemption_on_a_phone(live_server, world, shop, chromium_page):
    """Member QR → the staff enters its code → 赵* with 100 points → two 洗衣液 → the receipt; balance 80."""
    page = chromium_page
    page.goto(f"{live_server.url}/login/?next=/supermarket/member/")
    _login(page, "t-resident")
    page.wait_for_selector(".member-qr svg")
    box = page.locator(".member-qr svg").bounding_box()
    assert box["width"] <= 390 and box["x"] >= 0  # the code fits the phone screen
    _fits(page)
    page.screenshot(path=ARTIFACTS / "supermarket-member-qr.png", full_page=True)
    token = page.locator(".member-qr").get_attribute("data-token")
    assert token
    page.goto(f"{live_server.url}/supermarket/")  # the resident's catalogue: the shops of their street
    page.wait_for_selector("text=永兴社区积分超市")
    assert page.locator("text=鸡蛋").count() == 0  # 洪沟's goods are another street's
    _fits(page)
    page.screenshot(path=ARTIFACTS / "supermarket-catalogue.png", full_page=True)
    page.context.clear_cookies()  # the resident's phone is not the shop's

    page.goto(f"{live_server.url}/login/?next=/supermarket/counter/")
    _login(page, "t-merchant")
    page.wait_for_selector("input[name=member_token]")
    page.fill("input[name=member_token]", token)  # what the scanner types
    page.click("#scan-form button[type=submit]")
    page.wait_for_selector("#confirm")
    assert page.inner_text("#member-name") == "赵*" and page.inner_text("#member-balance") == "100"
    page.select_option("select[name=item]", str(shop.soap.pk))
    page.fill("input[name=quantity]", "2")
    _fits(page)
    page.screenshot(path=ARTIFACTS / "supermarket-counter-confirm.png", full_page=True)
    page.click("#confirm button[type=submit]")
    page.wait_for_selector("#receipt")
    red = Redemption.objects.get()
    assert page.inner_text("#receipt-number") == red.receipt_number
    assert "兑换成功" in page.inner_text(".messages")
    _fits(page)
    page.screenshot(path=ARTIFACTS / "supermarket-receipt.png", full_page=True)
    assert red.points == 20 and red.quantity == 2 and balance(world.people["resident"]) == 80
