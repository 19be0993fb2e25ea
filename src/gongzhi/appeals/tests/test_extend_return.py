"""Extension (延期) and return to sender (退回), R-H4: up to 10 working days beyond the reply limit with a reason; an
order dispatched to the wrong unit goes back to the owner within 2 working days of dispatch, with a reason."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from gongzhi.appeals import services
from gongzhi.appeals.models import Appeal, AppealEvent, Holiday
from gongzhi.notifications.models import Notification

from .conftest import submit


def local(*args):
    return timezone.make_aware(dt.datetime(*args))


def _post(client, appeal_id, action, **body):
    return client.post(f"appeals/{appeal_id}/{action}", body)


def accepted(world, owner="community", **kw):
    return services.appeal_accept(appeal=submit(world, **kw), actor=world.user(owner))  # Mon 10:00 → Mon 13 10:00


def test_owner_extends_the_reply_limit_by_working_days_with_a_reason(api, world, at):
    """R-H4: +3 working days from Monday 13 10:00 → Thursday 16 10:00; the event keeps both deadlines."""
    appeal = accepted(world)
    r = _post(api("community"), appeal.pk, "extend", days=3, reason="等待物业维修配件")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["state"] == "accepted" and body["extended_days"] == 3 and body["extension_left"] == 7
    assert timezone.localtime(Appeal.objects.get(pk=appeal.pk).reply_due_at) == local(2030, 5, 16, 10, 0)
    event = AppealEvent.objects.get(appeal=appeal, action="extend")
    assert event.note == "等待物业维修配件" and event.detail["days"] == 3
    assert event.from_state == event.to_state == "accepted"


def test_extensions_add_up_to_ten_working_days_and_no_more(api, world, at):
    """R-H4: 4 + 6 = 10 is allowed; one more day is refused and nothing changes."""
    appeal = accepted(world)
    assert _post(api("community"), appeal.pk, "extend", days=4, reason="一").status_code == 200
    assert _post(api("street"), appeal.pk, "extend", days=6, reason="二").status_code == 200  # a supervisor may
    due = Appeal.objects.get(pk=appeal.pk).reply_due_at
    assert timezone.localtime(due) == local(2030, 5, 27, 10, 0)  # Mon 13 + 10 working days
    r = _post(api("community"), appeal.pk, "extend", days=1, reason="三")
    assert r.status_code == 409 and r.json()["code"] == "appeals.extension_exceeded"
    assert Appeal.objects.get(pk=appeal.pk).reply_due_at == due
    assert AppealEvent.objects.filter(appeal=appeal, action="extend").count() == 2


def test_extension_refusals(api, world, at):
    appeal = accepted(world)
    r = _post(api("community"), appeal.pk, "extend", days=2)
    assert r.status_code == 400 and r.json()["code"] == "appeals.reason_required"
    r = _post(api("community"), appeal.pk, "extend", days=0, reason="x")
    assert r.status_code == 400 and r.json()["code"] == "appeals.extension_days"
    r = _post(api("community"), appeal.pk, "extend", days=11, reason="x")
    assert r.status_code == 409 and r.json()["code"] == "appeals.extension_exceeded"
    r = _post(api("grid"), appeal.pk, "extend", days=1, reason="x")  # a handler, not the owner
    assert r.status_code == 403 and r.json()["code"] == "appeals.not_owner"
    r = _post(api("community"), submit(world).pk, "extend", days=1, reason="x")  # not accepted yet
    assert r.status_code == 409 and r.json()["code"] == "appeals.bad_transition"
    assert not AppealEvent.objects.filter(action="extend").exists()


def test_a_holiday_inside_the_extension_is_skipped(world, at):
    Holiday.objects.create(date=dt.date(2030, 5, 14), name="调休")
    appeal = accepted(world)
    appeal = services.appeal_extend(appeal=appeal, actor=world.user("community"), days=1, reason="协调")
    assert timezone.localtime(appeal.reply_due_at) == local(2030, 5, 15, 10, 0)


# --- return (退回) ---------------------------------------------------------------------------------------------

def dispatched(world, api, unit):
    appeal = accepted(world)
    r = _post(api("community"), appeal.pk, "dispatch", unit_id=unit.pk)
    assert r.status_code == 200, r.content
    return appeal


def test_the_wrong_unit_returns_the_order_to_the_owner(api, world, at):
    """R-H4: the grid worker returns it with a reason; back to accepted, assignees cleared, the owner notified."""
    appeal = dispatched(world, api, world.grid_a)
    r = api("grid").get(f"appeals/{appeal.pk}")
    assert "return" in r.json()["actions"]
    assert "return" not in api("community").get(f"appeals/{appeal.pk}").json()["actions"]  # the owner
    at(local(2030, 5, 8, 9, 0))
    r = _post(api("grid"), appeal.pk, "return", reason="不属于本网格，应由金鼎社区办理")
    assert r.status_code == 200, r.content
    assert r.json()["state"] == "accepted" and r.json()["assignee"] is None
    assert r.json()["owner"] == "t-community"
    event = AppealEvent.objects.get(appeal=appeal, action="return")
    assert event.note.startswith("不属于本网格") and event.detail["unit"] == world.grid_a.pk
    assert Notification.objects.filter(user=world.user("community"), kind="appeals.returned").exists()
    # the owner may dispatch again
    assert _post(api("community"), appeal.pk, "dispatch", unit_id=world.community_a.pk).status_code == 200


def test_return_after_two_working_days_is_refused(api, world, at):
    """Dispatched Monday 10:00: the window closes Wednesday 10:00 (a holiday Tuesday moves it to Thursday)."""
    appeal = dispatched(world, api, world.grid_a)
    at(local(2030, 5, 8, 10, 1))
    r = _post(api("grid"), appeal.pk, "return", reason="不属于本网格")
    assert r.status_code == 409 and r.json()["code"] == "appeals.return_window"
    Holiday.objects.create(date=dt.date(2030, 5, 7), name="假日")
    assert _post(api("grid"), appeal.pk, "return", reason="不属于本网格").status_code == 200


def test_return_refusals(api, world, at):
    appeal = dispatched(world, api, world.grid_a)
    r = _post(api("grid"), appeal.pk, "return")
    assert r.status_code == 400 and r.json()["code"] == "appeals.reason_required"
    r = _post(api("community"), appeal.pk, "return", reason="x")  # the owner cannot return to themself
    assert r.status_code == 403 and r.json()["code"] == "appeals.not_recipient"
    r = _post(api("community_b"), appeal.pk, "return", reason="x")  # another street: not even visible
    assert r.status_code == 404
    waiting = accepted(world)
    r = _post(api("grid"), waiting.pk, "return", reason="x")
    assert r.status_code == 409 and r.json()["code"] == "appeals.bad_transition"
    assert not AppealEvent.objects.filter(action="return").exists()


def test_a_team_member_outside_the_appeals_unit_may_return_an_order_sent_to_their_unit(api, world, at):
    """Dispatched by the street admin to 金鼎社区: its worker cannot see 永兴's appeals, yet may return the order."""
    from gongzhi.accounts.roles import Role
    from gongzhi.accounts.services import role_grant, user_create
    from gongzhi.conftest import ApiClient

    worker = user_create(username="t-jinding", password="test-pass-123", display_name="jinding", phone="13900009999")
    role_grant(user=worker, role=Role.COMMUNITY_WORKER, unit=world.community_a2, actor=None)
    appeal = accepted(world, owner="street")
    services.appeal_dispatch(appeal=appeal, actor=world.user("street"), unit=world.community_a2)
    client = ApiClient(worker)
    r = _post(client, appeal.pk, "return", reason="应由永兴社区办理")
    assert r.status_code == 200, r.content
    assert client.get(f"appeals/{appeal.pk}").status_code == 404  # still not theirs to see
    assert Appeal.objects.get(pk=appeal.pk).state == "accepted"


def test_time_to_accept_and_first_action_after_dispatch(api, world, at):
    """The "马上" figures per appeal: filing → 受理, and 派单 → the first action on it (接单, start, 处置, 退回)."""
    appeal = submit(world)
    at(local(2030, 5, 6, 10, 30))
    appeal = services.appeal_accept(appeal=appeal, actor=world.user("community"))
    at(local(2030, 5, 6, 11, 0))
    services.appeal_dispatch(appeal=appeal, actor=world.user("community"), unit=world.grid_a)
    body = api("community").get(f"appeals/{appeal.pk}").json()
    assert body["accept_seconds"] == 1800 and body["first_action_seconds"] is None
    at(local(2030, 5, 6, 11, 20))
    services.appeal_start(appeal=appeal, actor=world.user("grid"))
    body = api("community").get(f"appeals/{appeal.pk}").json()
    assert body["first_action_seconds"] == 1200
