"""On a phone: a street admin adds a holiday on the settings page; the owner extends and escalates an appeal and
sees its current tier and response time (screenshots saved)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from gongzhi.appeals import services
from gongzhi.appeals.models import Appeal, Holiday
from gongzhi.core.testing.world import PASSWORD

from .conftest import submit


def _login(page, base, username):
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the live server reads committed rows
def test_settings_page_and_escalation_on_a_phone(live_server, world, chromium_page):
    page, base = chromium_page, live_server.url
    _login(page, base, "t-street")
    page.goto(f"{base}{reverse('appeals:settings')}")
    page.fill("#holiday-date", "2031-10-01")
    page.fill("#holiday-name", "国庆节")
    page.click("#holiday-form button[type=submit]")
    page.wait_for_selector("text=已添加2031-10-01 国庆节")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path="test-artifacts/appeals-settings.png", full_page=True)
    assert Holiday.objects.filter(date=dt.date(2031, 10, 1)).exists()

    appeal = services.appeal_accept(appeal=submit(world), actor=world.user("community"))
    page.context.clear_cookies()
    _login(page, base, "t-community")
    page.goto(f"{base}{reverse('appeals:detail', args=[appeal.pk])}")
    page.fill("form[action$='/extend/'] input[name=reason]", "等待配件")
    page.click("form[action$='/extend/'] button")
    page.wait_for_selector("text=还可延期9个工作日")
    page.fill("form[action$='/escalate/'] input[name=reason]", "涉及多个网格")
    page.click("form[action$='/escalate/'] button")
    page.wait_for_selector("text=已升级督办")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path="test-artifacts/appeals-escalated.png", full_page=True)
    assert Appeal.objects.get(pk=appeal.pk).level_unit == world.community_a
