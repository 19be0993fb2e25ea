"""Configurable time limits (R-H3, R-H4, R-H8, R-U3): TimeLimit rows override rules.LIMITS, most specific wins,
append-only versions; holidays and limits managed by supervisors through the API, the admin and the settings page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.appeals import rules, services
from gongzhi.appeals.models import AppealEvent, Category, Holiday, TimeLimit

from .conftest import MONDAY_10, submit


def local(*args):
    return timezone.make_aware(dt.datetime(*args))


def limit(world, *, category="", urgency="normal", accept=8, dispatch=8, reply=5, at=None):
    return services.time_limit_create(actor=world.user("district"), category_code=category, urgency=urgency,
                                      accept_working_hours=accept, dispatch_working_hours=dispatch,
                                      reply_working_days=reply, effective_from=at)


def test_without_rows_the_defaults_apply(world, at):
    """R-H3: no configuration → rules.LIMITS (8 working hours to accept, 5 working days to reply)."""
    assert rules.limit_for(category=Category.objects.get(code="C01"), urgency="normal",
                           at=MONDAY_10) == rules.LIMITS["normal"]
    appeal = submit(world)
    assert timezone.localtime(appeal.accept_due_at) == local(2030, 5, 7, 10, 0)


def test_the_most_specific_row_wins_leaf_over_major_class_over_any(world, at):
    """R-U3: a minor class may have its own limit (e.g. 暴露垃圾 4 h); a leaf row beats its major class beats all."""
    leaf = Category.objects.filter(parent__isnull=False).select_related("parent").first()
    other_leaf = Category.objects.filter(parent=leaf.parent).exclude(pk=leaf.pk).first()
    limit(world, accept=6)
    limit(world, category=leaf.parent.code, accept=4)
    limit(world, category=leaf.code, accept=2)
    assert rules.limit_for(category=leaf, urgency="normal", at=MONDAY_10).accept_working_hours == 2
    assert rules.limit_for(category=other_leaf, urgency="normal", at=MONDAY_10).accept_working_hours == 4
    unrelated = Category.objects.filter(parent__isnull=False).exclude(parent=leaf.parent).first()
    assert rules.limit_for(category=unrelated, urgency="normal", at=MONDAY_10).accept_working_hours == 6
    assert rules.limit_for(category=leaf, urgency="urgent", at=MONDAY_10) == rules.LIMITS["urgent"]
    appeal = submit(world, category=leaf.code)
    assert timezone.localtime(appeal.accept_due_at) == local(2030, 5, 6, 12, 0)


def test_a_new_version_takes_over_from_its_effective_time_and_the_old_row_stays(world, at):
    """Append-only: a change is a new row; deadlines already set are not touched."""
    first = limit(world, reply=3)
    before = services.appeal_accept(appeal=submit(world), actor=world.user("grid"))
    second = limit(world, reply=4, at=local(2030, 5, 8, 0, 0))
    assert TimeLimit.objects.count() == 2
    assert timezone.localtime(before.reply_due_at) == local(2030, 5, 9, 10, 0)  # 3 working days
    at(local(2030, 5, 7, 10, 0))
    assert rules.limit_for(category=before.category, urgency="normal", at=local(2030, 5, 7, 10, 0)) \
        .reply_working_days == 3
    at(local(2030, 5, 8, 10, 0))
    after = services.appeal_accept(appeal=submit(world), actor=world.user("grid"))
    assert timezone.localtime(after.reply_due_at) == local(2030, 5, 14, 10, 0)  # 4 working days
    assert TimeLimit.objects.get(pk=first.pk).reply_working_days == 3 and second.pk != first.pk


def test_accept_sets_the_dispatch_limit_and_a_late_dispatch_is_recorded(world, at):
    """R-H8: each order carries its own limits; dispatching after the dispatch limit is marked late on the event."""
    limit(world, dispatch=2)
    appeal = services.appeal_accept(appeal=submit(world), actor=world.user("grid"))
    assert timezone.localtime(appeal.dispatch_due_at) == local(2030, 5, 6, 12, 0)
    at(local(2030, 5, 6, 16, 0))
    services.appeal_dispatch(appeal=appeal, actor=world.user("grid"), unit=world.grid_a)
    assert AppealEvent.objects.get(appeal=appeal, action="dispatch").detail["late"] is True


# --- API -------------------------------------------------------------------------------------------------------

def test_supervisor_lists_and_adds_holidays_and_a_makeup_workday(api, world, at):
    """R-H8: the holiday calendar is configuration; a 调休 Saturday is a working day."""
    client = api("district")
    r = client.post("appeals/holidays", {"date": "2030-10-01", "name": "国庆节"})
    assert r.status_code == 201, r.content
    r = client.post("appeals/holidays", {"date": "2030-09-28", "name": "国庆调休上班", "workday": True})
    assert r.status_code == 201 and r.json()["workday"] is True
    r = client.get("appeals/holidays?year=2030")
    assert [h["date"] for h in r.json()] == ["2030-09-28", "2030-10-01"]
    assert Holiday.objects.get(date=dt.date(2030, 9, 28)).workday


@pytest.mark.parametrize("year", ["-1", "0", "99999999999999999999", "abc"])
def test_a_year_outside_the_calendar_answers_422_not_500(api, world, at, year):
    r = api("district").get(f"appeals/holidays?year={year}")
    assert r.status_code == 422, r.content


def test_a_hand_edited_year_on_the_settings_page_shows_this_year(browser_login, world, at):
    from django.urls import reverse

    r = browser_login("district").get(reverse("appeals:settings") + "?year=-1")
    assert r.status_code == 200


def test_holiday_refusals(api, world, at):
    client = api("street")
    assert client.post("appeals/holidays", {"date": "2030-10-01", "name": "国庆节"}).status_code == 201
    r = client.post("appeals/holidays", {"date": "2030-10-01", "name": "国庆节"})
    assert r.status_code == 409 and r.json()["code"] == "appeals.holiday_exists"
    r = client.post("appeals/holidays", {"date": "2030-10-02", "name": "  "})
    assert r.status_code == 400 and r.json()["code"] == "appeals.holiday_name"
    for role in ("community", "grid", "resident"):
        assert api(role).post("appeals/holidays", {"date": "2030-10-03", "name": "x"}).status_code == 403
        assert api(role).get("appeals/holidays").status_code == 403
    assert Holiday.objects.count() == 1


def test_supervisor_adds_a_limit_version_and_sees_which_is_in_force(api, world, at):
    client = api("district")
    r = client.post("appeals/limits", {"urgency": "normal", "accept_working_hours": 6, "dispatch_working_hours": 4,
                                       "reply_working_days": 5, "note": "区政府办公室通知"})
    assert r.status_code == 201, r.content
    r = client.post("appeals/limits", {"category": "C01", "urgency": "normal", "accept_working_hours": 4,
                                       "dispatch_working_hours": 2, "reply_working_days": 3})
    assert r.status_code == 201 and r.json()["category"] == "C01"
    r = client.post("appeals/limits", {"urgency": "normal", "accept_working_hours": 5, "dispatch_working_hours": 4,
                                       "reply_working_days": 5})
    rows = client.get("appeals/limits").json()
    assert len(rows) == 3
    in_force = {(row["category"], row["accept_working_hours"]) for row in rows if row["in_force"]}
    assert in_force == {(None, 5), ("C01", 4)}
    appeal = submit(world, category="C01")
    assert timezone.localtime(appeal.accept_due_at) == local(2030, 5, 6, 14, 0)


def test_limit_refusals_save_nothing(api, world, at):
    client = api("district")
    body = {"urgency": "normal", "accept_working_hours": 4, "dispatch_working_hours": 2, "reply_working_days": 3}
    r = client.post("appeals/limits", {**body, "accept_working_hours": 0})
    assert r.status_code == 400 and r.json()["code"] == "appeals.limit_invalid"
    r = client.post("appeals/limits", {**body, "urgency": "whenever"})
    assert r.status_code == 400 and r.json()["code"] == "appeals.limit_invalid"
    r = client.post("appeals/limits", {**body, "category": "NOPE"})
    assert r.status_code == 400 and r.json()["code"] == "appeals.category_unknown"
    assert api("community").post("appeals/limits", body).status_code == 403
    assert api("observer").get("appeals/limits").status_code == 403
    assert TimeLimit.objects.count() == 0


# --- admin -----------------------------------------------------------------------------------------------------

def test_admin_adds_holidays_and_limit_versions_through_the_services_and_never_edits_them(client, world, at):
    from gongzhi.accounts.models import User

    admin_user = User.objects.create_superuser(username="t-admin", password="test-pass-123")
    client.force_login(admin_user)
    r = client.post("/admin/appeals/holiday/add/", {"date": "2030-10-01", "name": "国庆节"})
    assert r.status_code == 302, r.content.decode()[:2000]
    assert Holiday.objects.get(date=dt.date(2030, 10, 1)).name == "国庆节"
    r = client.post("/admin/appeals/timelimit/add/", {
        "urgency": "urgent", "accept_working_hours": 1, "dispatch_working_hours": 1, "reply_working_days": 2,
        "effective_from_0": "2030-05-06", "effective_from_1": "08:00:00", "note": "试行"})
    assert r.status_code == 302, r.content.decode()[:2000]
    row = TimeLimit.objects.get()
    assert row.created_by == admin_user and row.reply_working_days == 2
    assert client.get("/admin/appeals/timelimit/").status_code == 200
    assert client.post(f"/admin/appeals/timelimit/{row.pk}/delete/", {"post": "yes"}).status_code == 403
    assert TimeLimit.objects.count() == 1


def test_admin_config_is_hidden_from_staff_without_supervise(client, world, at):
    worker = world.user("community")
    worker.is_staff = True
    worker.save(update_fields=["is_staff"])
    client.force_login(worker)
    assert client.get("/admin/appeals/holiday/").status_code == 403
