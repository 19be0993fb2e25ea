"""On a phone: a volunteer opens the board, takes the nearest order and marks it done (screenshots saved)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gongzhi.core.testing.world import PASSWORD
from gongzhi.dispatch import services
from gongzhi.dispatch.models import Order, OrderState


def _login(page, base, username):
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the live server reads committed rows
def test_volunteer_takes_the_nearest_order_on_a_phone(live_server, world, volunteer, plumbing, chromium_page):
    page, base = chromium_page, live_server.url
    worker = world.user("community")
    near = services.order_create(actor=worker, title="家里水龙头坏了", unit=world.community_a, skill=plumbing,
                                 description="张阿姨家厨房水龙头漏水", latitude="36.2010", longitude="117.8000")
    services.order_create(actor=worker, title="帮独居老人取药", unit=world.community_a, latitude="36.2100",
                          longitude="117.8100")
    _login(page, base, "t-volunteer")
    page.goto(f"{base}{reverse('dispatch:board')}")
    cards = page.locator("#board li.card")
    assert cards.count() == 2 and "家里水龙头坏了" in cards.first.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path="test-artifacts/dispatch-board.png", full_page=True)
    cards.first.locator("button[type=submit]").click()
    page.wait_for_selector("text=接单成功")
    page.screenshot(path="test-artifacts/dispatch-taken.png", full_page=True)
    near.refresh_from_db()
    assert (near.state, near.taker) == (OrderState.TAKEN, world.user("volunteer"))
    page.locator(f"#mine-{near.pk} button.primary").click()
    page.wait_for_selector("text=任务已完成")
    page.screenshot(path="test-artifacts/dispatch-done.png", full_page=True)
    assert Order.objects.get(pk=near.pk).state == OrderState.DONE
