"""Escalation one tier up (grid → community → street → district) by the 督办 job on red items, once per deadline,
and by hand (小事不出网格，大事不出街道); on a clock the tests control, with holidays and 调休 workdays (R-H5, R-H8)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from gongzhi.appeals import services
from gongzhi.appeals.models import Appeal, AppealEvent, Holiday
from gongzhi.core import events
from gongzhi.notifications.models import Notification

from .conftest import submit


def local(*args):
    return timezone.make_aware(dt.datetime(*args))


def escalations(appeal):
    return list(AppealEvent.objects.filter(appeal=appeal, action="escalate").order_by("pk"))


def test_the_job_escalates_a_red_grid_appeal_to_its_community_once(world, at):
    """R-H8: past the 8 working hours to accept → 督办 + escalate to 永兴社区; a second run changes nothing."""
    seen = []
    handler = events.subscribe("appeals.escalated", lambda **kw: seen.append((kw["from_unit"], kw["to_unit"])))
    try:
        appeal = submit(world)  # Monday 10:00 in the grid, due Tuesday 10:00
        at(local(2030, 5, 7, 9, 59))
        assert services.overdue_supervise() == 0 and escalations(appeal) == []
        at(local(2030, 5, 7, 10, 1))
        assert services.overdue_supervise() == 1
        assert services.overdue_supervise() == 0
    finally:
        events.unsubscribe("appeals.escalated", handler)
    appeal.refresh_from_db()
    assert appeal.level_unit == world.community_a and appeal.state == "submitted"
    [event] = escalations(appeal)
    assert event.detail["from_unit"] == world.grid_a.pk and event.detail["to_unit"] == world.community_a.pk
    assert event.detail["manual"] is False and event.actor is None
    assert event.from_state == event.to_state == "submitted"
    assert seen == [(world.grid_a, world.community_a)]
    assert AppealEvent.objects.filter(appeal=appeal, action="supervise").count() == 1


def test_the_handlers_and_supervisors_at_the_target_unit_are_notified(world, at):
    """Users holding appeals.handle or appeals.supervise at 永兴社区 itself: the community and social workers; not the
    observer (view only) nor the grid worker below nor the street admin above."""
    appeal = submit(world)
    at(local(2030, 5, 8, 10, 0))
    services.overdue_supervise()
    notified = set(Notification.objects.filter(kind="appeals.escalated").values_list("user__username", flat=True))
    assert notified == {"t-community", "t-socialworker"}
    note = Notification.objects.filter(kind="appeals.escalated").first()
    assert appeal.number in note.title and note.url.endswith(f"/{appeal.pk}/")


def test_a_new_deadline_escalates_again_up_to_the_district_and_no_further(world, at):
    """Each deadline escalates once: accept limit (grid → community), then the reply limit (→ street), then an
    extension's new limit (→ district); at the district the job still supervises but cannot go higher."""
    appeal = submit(world)
    at(local(2030, 5, 7, 11, 0))
    services.overdue_supervise()
    appeal = services.appeal_accept(appeal=appeal, actor=world.user("grid"))  # reply due Tue 14 11:00
    at(local(2030, 5, 14, 12, 0))
    services.overdue_supervise()
    appeal.refresh_from_db()
    assert appeal.level_unit == world.street_a
    appeal = services.appeal_extend(appeal=appeal, actor=world.user("grid"), days=1, reason="需协调供电公司")
    at(local(2030, 5, 15, 12, 0))
    services.overdue_supervise()
    appeal.refresh_from_db()
    assert appeal.level_unit == world.district
    appeal = services.appeal_extend(appeal=appeal, actor=world.user("grid"), days=1, reason="仍在协调")
    at(local(2030, 5, 16, 12, 0))
    assert services.overdue_supervise() == 1
    assert [e.detail["to_unit"] for e in escalations(appeal)] == [world.community_a.pk, world.street_a.pk,
                                                                   world.district.pk]


def test_a_holiday_keeps_an_appeal_green_and_a_makeup_workday_turns_it_red(world, at):
    """Working time only: Friday 15:00 + 8 working hours → Monday 15:00; with Monday a holiday → Tuesday 15:00;
    with the Saturday a 调休 working day → Saturday 15:00."""
    at(local(2030, 5, 10, 15, 0))
    Holiday.objects.create(date=dt.date(2030, 5, 13), name="端午节")
    held = submit(world)
    assert timezone.localtime(held.accept_due_at) == local(2030, 5, 14, 15, 0)
    at(local(2030, 5, 13, 16, 0))  # the holiday Monday, after 15:00
    assert services.overdue_supervise() == 0 and escalations(held) == []

    Holiday.objects.create(date=dt.date(2030, 5, 18), name="调休上班", workday=True)
    at(local(2030, 5, 17, 15, 0))  # Friday again
    makeup = submit(world)
    assert timezone.localtime(makeup.accept_due_at) == local(2030, 5, 18, 15, 0)
    at(local(2030, 5, 18, 15, 30))  # the worked Saturday
    services.overdue_supervise()
    assert len(escalations(makeup)) == 1
    assert len(escalations(held)) == 1  # held went red on Tuesday 14 15:00, escalated on this run


def test_finished_and_handled_appeals_are_not_escalated(world, at):
    grid = world.user("grid")
    rejected = submit(world)
    services.appeal_reject(appeal=rejected, actor=grid, reason="litigation")
    resolved = services.appeal_accept(appeal=submit(world), actor=grid)
    for step in (lambda a: services.appeal_dispatch(appeal=a, actor=grid, unit=world.grid_a),
                 lambda a: services.appeal_start(appeal=a, actor=grid),
                 lambda a: services.appeal_resolve(appeal=a, actor=grid)):
        resolved = step(resolved)
    at(local(2030, 5, 20, 10, 0))
    assert services.overdue_supervise() == 0
    assert not AppealEvent.objects.filter(action="escalate").exists()


# --- manual escalation -----------------------------------------------------------------------------------------

def _post(client, appeal_id, action, **body):
    return client.post(f"appeals/{appeal_id}/{action}", body)


def test_the_owner_escalates_a_big_matter_to_the_street_with_a_reason(api, world, at):
    """小事不出网格，大事不出街道: the owner escalates one tier at a time; the reason is on the event."""
    appeal = services.appeal_accept(appeal=submit(world, unit=world.community_a), actor=world.user("community"))
    r = _post(api("community"), appeal.pk, "escalate", reason="涉及多个社区的管网改造")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["level_unit"] == world.street_a.name and body["escalated"] is True and body["state"] == "accepted"
    assert body["events"][-1]["action"] == "escalate" and body["events"][-1]["detail"]["manual"] is True
    assert body["events"][-1]["note"] == "涉及多个社区的管网改造"
    assert Notification.objects.filter(kind="appeals.escalated", user=world.user("street")).exists()
    r = _post(api("community"), appeal.pk, "escalate", reason="需区级协调")
    assert r.json()["level_unit"] == world.district.name
    r = _post(api("community"), appeal.pk, "escalate", reason="再升级")
    assert r.status_code == 409 and r.json()["code"] == "appeals.top_tier"


def test_manual_escalation_refusals(api, world, at):
    appeal = services.appeal_accept(appeal=submit(world), actor=world.user("community"))
    r = _post(api("community"), appeal.pk, "escalate")
    assert r.status_code == 400 and r.json()["code"] == "appeals.reason_required"
    r = _post(api("grid"), appeal.pk, "escalate", reason="不是我的工单")
    assert r.status_code == 403 and r.json()["code"] == "appeals.not_owner"
    r = _post(api("observer"), appeal.pk, "escalate", reason="x")
    assert r.status_code == 403
    waiting = submit(world)
    r = _post(api("grid"), waiting.pk, "escalate", reason="无人受理")
    assert r.status_code == 403  # no owner yet: only a supervisor
    assert _post(api("street"), waiting.pk, "escalate", reason="无人受理").status_code == 200
    assert Appeal.objects.get(pk=appeal.pk).level_unit is None
    assert AppealEvent.objects.filter(action="escalate").count() == 1


def test_escalated_to_my_unit_filter(api, world, at):
    """A list of appeals escalated to a unit where I hold a role (the community worker sees the 永兴 ones)."""
    up = submit(world)
    stays = submit(world)
    services.appeal_accept(appeal=stays, actor=world.user("grid"))
    at(local(2030, 5, 7, 11, 0))
    services.overdue_supervise()  # up: waiting past its accept limit; stays: accepted, reply not yet due
    r = api("community").get("appeals?escalated_to_me=true")
    assert [a["id"] for a in r.json()["items"]] == [up.pk]
    assert api("street").get("appeals?escalated_to_me=true").json()["items"] == []
    assert api("community").get(f"appeals/{up.pk}").json()["level_unit"] == world.community_a.name
