"""The supervisors' settings page (appeals:settings): see and add holidays (incl. 调休) and time-limit versions."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from gongzhi.appeals.models import Holiday, TimeLimit


def test_supervisor_sees_defaults_and_adds_a_holiday_and_a_limit(browser_login, world, at):
    client = browser_login("street")
    html = client.get(reverse("appeals:settings")).content.decode()
    assert "默认" in html and 'id="holiday-form"' in html and 'id="limit-form"' in html
    r = client.post(reverse("appeals:settings"), {"form": "holiday", "date": "2030-10-01", "name": "国庆节"})
    assert r.status_code == 302 and r.url == reverse("appeals:settings") + "?year=2030"
    r = client.post(reverse("appeals:settings"), {"form": "holiday", "date": "2030-09-28", "name": "国庆调休",
                                                   "workday": "1"})
    assert Holiday.objects.get(date=dt.date(2030, 9, 28)).workday is True
    r = client.post(reverse("appeals:settings"), {
        "form": "limit", "category": "C01", "urgency": "urgent", "accept_working_hours": "1",
        "dispatch_working_hours": "1", "reply_working_days": "2", "effective_from": "2030-05-01", "note": "试行"})
    assert r.status_code == 302
    row = TimeLimit.objects.get()
    assert row.category.code == "C01" and row.created_by == world.user("street")
    html = client.get(reverse("appeals:settings") + "?year=2030").content.decode()
    assert "国庆节" in html and "调休上班" in html and "2030-05-01" in html


def test_bad_input_re_renders_with_the_reason_and_saves_nothing(browser_login, world, at):
    client = browser_login("district")
    r = client.post(reverse("appeals:settings"), {"form": "limit", "urgency": "normal", "accept_working_hours": "x",
                                                   "dispatch_working_hours": "1", "reply_working_days": "1"})
    assert r.status_code == 400 and "时限须为正整数" in r.content.decode()
    Holiday.objects.create(date=dt.date(2030, 10, 1), name="国庆节")
    r = client.post(reverse("appeals:settings"), {"form": "holiday", "date": "2030-10-01", "name": "国庆节"})
    assert r.status_code == 409 and "该日期已在节假日日历中" in r.content.decode()
    r = client.post(reverse("appeals:settings"), {"form": "holiday", "date": "soon", "name": "国庆节"})
    assert r.status_code == 422
    assert TimeLimit.objects.count() == 0 and Holiday.objects.count() == 1


def test_workers_without_supervise_are_refused_and_see_no_link(browser_login, world, at):
    client = browser_login("community")
    assert client.get(reverse("appeals:settings")).status_code == 403
    assert reverse("appeals:settings") not in client.get(reverse("appeals:list")).content.decode()
    assert reverse("appeals:settings") in browser_login("street").get(reverse("appeals:list")).content.decode()
