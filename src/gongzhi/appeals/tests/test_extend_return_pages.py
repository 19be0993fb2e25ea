"""Detail-page buttons for 延期, 退回 and 升级 (R-H4), the response times shown, and the "escalated to me" filter."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from gongzhi.appeals import services
from gongzhi.appeals.models import Appeal

from .conftest import submit


def local(*args):
    return timezone.make_aware(dt.datetime(*args))


def test_owner_extends_and_escalates_from_the_detail_page(browser_login, world, at):
    appeal = services.appeal_accept(appeal=submit(world), actor=world.user("community"))
    client = browser_login("community")
    html = client.get(reverse("appeals:detail", args=[appeal.pk])).content.decode()
    assert reverse("appeals:transition", args=[appeal.pk, "extend"]) in html and 'name="days"' in html
    assert reverse("appeals:transition", args=[appeal.pk, "escalate"]) in html
    r = client.post(reverse("appeals:transition", args=[appeal.pk, "extend"]), {"days": "2", "reason": "等配件"})
    assert r.status_code == 302
    r = client.post(reverse("appeals:transition", args=[appeal.pk, "escalate"]), {"reason": "需街道协调"})
    assert r.status_code == 302
    appeal.refresh_from_db()
    assert appeal.extended_days == 2 and appeal.level_unit == world.community_a
    html = client.get(reverse("appeals:detail", args=[appeal.pk])).content.decode()
    assert "已升级督办" in html and "还可延期8个工作日" in html and "受理用时" in html


def test_a_refusal_on_the_page_shows_the_reason(browser_login, world, at):
    appeal = services.appeal_accept(appeal=submit(world), actor=world.user("community"))
    r = browser_login("community").post(reverse("appeals:transition", args=[appeal.pk, "extend"]),
                                        {"days": "11", "reason": "太久"})
    assert r.status_code == 409 and "延期合计不能超过" in r.content.decode()
    assert Appeal.objects.get(pk=appeal.pk).extended_days == 0


def test_the_receiver_returns_from_the_page_and_sees_the_first_action_time(browser_login, world, at):
    appeal = services.appeal_accept(appeal=submit(world), actor=world.user("community"))
    at(local(2030, 5, 6, 11, 0))
    services.appeal_dispatch(appeal=appeal, actor=world.user("community"), unit=world.grid_a)
    client = browser_login("grid")
    html = client.get(reverse("appeals:detail", args=[appeal.pk])).content.decode()
    assert reverse("appeals:transition", args=[appeal.pk, "return"]) in html
    at(local(2030, 5, 6, 12, 30))
    r = client.post(reverse("appeals:transition", args=[appeal.pk, "return"]), {"reason": "不属于本网格"})
    assert r.status_code == 302
    html = client.get(reverse("appeals:detail", args=[appeal.pk])).content.decode()
    assert 'id="first-action-duration">1小时30分钟<' in html
    assert Appeal.objects.get(pk=appeal.pk).state == "accepted"


def test_list_filter_escalated_to_my_unit(browser_login, world, at):
    up, stays = submit(world, description="升级的诉求"), submit(world, description="没升级的诉求")
    services.appeal_escalate(appeal=up, actor=world.user("street"), reason="无人受理")
    html = browser_login("community").get(reverse("appeals:list") + "?escalated=1").content.decode()
    assert up.number in html and stays.number not in html
