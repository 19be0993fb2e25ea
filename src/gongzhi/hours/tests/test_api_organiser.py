"""Organiser work over HTTP: batch entry, missing check-outs, back-entries, disputes, multi-day activities."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from gongzhi.hours.models import Attendance, Dispute, RecordSource, ServiceRecord
from gongzhi.hours.services import checkin_token

from .factories import activity_in, local, sign_up, volunteer_for


def _batch(api, activity, entries):
    return api("community").post(f"activities/{activity.pk}/attendances", {"entries": entries})


def test_batch_entry_records_times_for_confirmed_signups(api, scene, clock, world):
    """The organiser enters check-in/out times; hours are clipped to the window (R-V4)."""
    other = volunteer_for(world, name="刘明")
    sign_up(scene.activity, other)
    clock.set(2026, 5, 9, 13, 0)
    r = _batch(api, scene.activity, [
        {"volunteer_id": scene.volunteer.pk, "day": "2026-05-09", "checked_in_at": "2026-05-09T08:50:00",
         "checked_out_at": "2026-05-09T11:15:00"},
        {"volunteer_id": other.pk, "day": "2026-05-09", "checked_in_at": "2026-05-09T09:30:00+08:00"},
    ])
    assert r.status_code == 201, r.content
    assert [(a["hours"], a["in_method"]) for a in r.json()] == [("2.2500", "organiser"), (None, "organiser")]


def test_batch_entry_is_all_or_nothing(api, scene, clock, world):
    """A bad row (someone not signed up, a time on another day, out before in) saves no row at all."""
    stranger = volunteer_for(world, name="路人甲")
    good = {"volunteer_id": scene.volunteer.pk, "day": "2026-05-09", "checked_in_at": "2026-05-09T09:00:00"}
    cases = [
        ({"volunteer_id": stranger.pk, "day": "2026-05-09", "checked_in_at": "2026-05-09T09:00:00"},
         "hours.volunteer_not_in_activity"),
        ({**good, "checked_in_at": "2026-05-10T09:00:00"}, "hours.time_outside_day"),
        ({**good, "day": "2026-05-10", "checked_in_at": "2026-05-10T09:00:00"}, "hours.day_outside_activity"),
        ({**good, "checked_out_at": "2026-05-09T08:00:00"}, "hours.out_before_in"),
        ({**good, "checked_in_at": "2026-05-09T07:00:00"}, "hours.too_early"),
        ({**good, "checked_in_at": "9999-12-31T23:59:59-10:00"}, "hours.time_out_of_range"),
        ({**good, "checked_out_at": "9999-12-31T23:59:59-10:00"}, "hours.time_out_of_range"),
    ]
    for bad, code in cases:
        r = _batch(api, scene.activity, [good, bad])
        assert r.status_code in (400, 409) and r.json()["code"] == code, (bad, r.content)
    r = _batch(api, scene.activity, [{**good, "checked_in_at": "garbage"}])
    assert r.status_code == 422
    assert _batch(api, scene.activity, []).status_code == 422
    assert not Attendance.objects.exists()


def test_missing_checkout_is_listed_and_not_confirmable(api, scene, clock):
    """R-V5: an open attendance is listed for the organiser and never guessed; after the organiser enters the
    check-out (organiser method) it can be confirmed."""
    clock.set(2026, 5, 9, 9, 0)
    api("volunteer").post("checkins", {"token": checkin_token(scene.activity)})
    clock.set(2026, 5, 9, 18, 0)
    listing = api("community").get(f"activities/{scene.activity.pk}/attendances").json()
    [missing] = listing["missing_checkouts"]
    assert missing["hours"] is None and missing["checked_out_at"] is None
    r = api("community").post(f"activities/{scene.activity.pk}/confirm", {"attendance_ids": [missing["id"]]})
    assert r.status_code == 409 and r.json()["code"] == "hours.missing_checkout"
    assert api("community").post(f"activities/{scene.activity.pk}/confirm", {}).json() == []  # "all" skips it
    assert not ServiceRecord.objects.exists()

    r = api("community").post(f"attendances/{missing['id']}/checkout", {"checked_out_at": "2026-05-09T08:00:00"})
    assert r.status_code == 400 and r.json()["code"] == "hours.out_before_in"
    r = api("community").post(f"attendances/{missing['id']}/checkout", {"checked_out_at": "2026-05-09T11:00:00"})
    assert r.status_code == 200 and r.json()["out_method"] == "organiser" and r.json()["hours"] == "2.0000"
    [rec] = api("community").post(f"activities/{scene.activity.pk}/confirm", {"attendance_ids": [missing["id"]]}).json()
    assert rec["hours"] == "2.0000"
    r = api("community").post(f"activities/{scene.activity.pk}/confirm", {"attendance_ids": [missing["id"]]})
    assert r.status_code == 409 and r.json()["code"] == "hours.already_confirmed"


def test_absurd_checkout_time_or_attendance_id_is_refused_not_a_500(api, scene, clock):
    """Year 9999 would overflow in UTC; an id beyond the integer range names no attendance; nothing is saved."""
    clock.set(2026, 5, 9, 9, 0)
    api("volunteer").post("checkins", {"token": checkin_token(scene.activity)})
    attendance = Attendance.objects.get()
    r = api("community").post(f"attendances/{attendance.pk}/checkout", {"checked_out_at": "9999-12-31T23:59:59-10:00"})
    assert r.status_code == 400 and r.json()["code"] == "hours.time_out_of_range", r.content
    r = api("community").post(f"activities/{scene.activity.pk}/confirm", {"attendance_ids": [2**63]})
    assert r.status_code == 409 and r.json()["code"] == "hours.not_checked_in", r.content
    attendance.refresh_from_db()
    assert attendance.checked_out_at is None and not ServiceRecord.objects.exists()


def test_back_entry_is_marked_capped_and_unique(api, scene, clock, published):
    """R-V5: 补录 is marked back_entry, never above the activity's duration, and one per volunteer/activity/day."""
    body = {"activity_id": scene.activity.pk, "volunteer_id": scene.volunteer.pk, "day": "2026-05-09",
            "hours": "3.0001", "reason": "纸质签到表补录"}
    r = api("community").post("service-records/back-entries", body)
    assert r.status_code == 400 and r.json()["code"] == "hours.hours_over_duration"
    r = api("community").post("service-records/back-entries", {**body, "day": "2026-05-10", "hours": "1"})
    assert r.status_code == 400 and r.json()["code"] == "hours.day_outside_activity"
    r = api("community").post("service-records/back-entries", {**body, "hours": "3"})
    assert r.status_code == 201 and r.json()["source"] == RecordSource.BACK_ENTRY and r.json()["reason"]
    r = api("community").post("service-records/back-entries", {**body, "hours": "1"})
    assert r.status_code == 409 and r.json()["code"] == "hours.duplicate_original"
    # the socialworker may confirm but not back-enter
    r = api("socialworker").post("service-records/back-entries", {**body, "hours": "1"})
    assert r.status_code == 403
    assert ServiceRecord.objects.count() == 1 and len(published) == 1 and published[0][1] is None
    mine = api("volunteer").get("me/service-records").json()
    assert mine["items"][0]["source_name"] == "补录" and mine["total_hours"] == "3.0000"


def test_back_entry_blocks_confirming_the_same_day(api, scene, clock):
    """A check-in of a day that already has a back-entry cannot be confirmed into a second original."""
    clock.set(2026, 5, 9, 9, 0)
    api("volunteer").post("checkins", {"token": checkin_token(scene.activity)})
    clock.set(2026, 5, 9, 10, 0)
    api("volunteer").post("checkouts", {"token": checkin_token(scene.activity)})
    api("community").post("service-records/back-entries", {
        "activity_id": scene.activity.pk, "volunteer_id": scene.volunteer.pk, "day": "2026-05-09", "hours": "1",
        "reason": "补录"})
    aid = Attendance.objects.get().pk
    r = api("community").post(f"activities/{scene.activity.pk}/confirm", {"attendance_ids": [aid]})
    assert r.status_code == 409 and r.json()["code"] == "hours.duplicate_original"


def test_multi_day_activity_signs_in_daily(api, world, clock):
    """R-V4: a three-day 09:00–17:00 activity gives one attendance per day, each clipped to that day's span."""
    v = volunteer_for(world, user=world.user("volunteer"))
    act = activity_in(world.community_a, starts_at=local(2026, 7, 1, 9), ends_at=local(2026, 7, 3, 17),
                      title="暑期五彩课堂")
    sign_up(act, v)
    vol = api("volunteer")
    for day in (1, 2):
        clock.set(2026, 7, day, 8, 45)
        assert vol.post("checkins", {"token": checkin_token(act)}).status_code == 201
        clock.set(2026, 7, day, 18, 0)
        assert vol.post("checkouts", {"token": checkin_token(act)}).json()["hours"] == "8.0000"
    clock.set(2026, 7, 2, 18, 30)
    r = vol.post("checkins", {"token": checkin_token(act)})
    assert r.status_code == 409 and r.json()["code"] == "hours.too_late"  # day 2's window is over
    records = api("community").post(f"activities/{act.pk}/confirm", {}).json()
    assert [(x["day"], x["hours"]) for x in records] == [("2026-07-01", "8.0000"), ("2026-07-02", "8.0000")]
    assert vol.get("me/service-records").json()["total_hours"] == "16.0000"
    # a correction is capped by that day's 8 hours, not the 56-hour overall window
    r = api("community").post(f"service-records/{records[0]['id']}/corrections", {"hours": "9", "reason": "多算"})
    assert r.status_code == 400


def test_dispute_and_resolution(api, scene, clock, published):
    """R-V6: the volunteer disputes a record; the organiser resolves it with a correction (appended)."""
    clock.set(2026, 5, 9, 9, 0)
    api("volunteer").post("checkins", {"token": checkin_token(scene.activity)})
    clock.set(2026, 5, 9, 10, 0)
    api("volunteer").post("checkouts", {"token": checkin_token(scene.activity)})
    [rec] = api("community").post(f"activities/{scene.activity.pk}/confirm", {}).json()
    r = api("volunteer").post(f"me/service-records/{rec['id']}/disputes", {"reason": "我11点才离开"})
    assert r.status_code == 201 and r.json()["status"] == "open"
    dispute_id = r.json()["id"]
    r = api("volunteer").post(f"me/service-records/{rec['id']}/disputes", {"reason": "再提一次"})
    assert r.status_code == 409 and r.json()["code"] == "hours.dispute_open"
    r = api("community").post(f"me/service-records/{rec['id']}/disputes", {"reason": "不是我的"})
    assert r.status_code == 404
    assert [d["id"] for d in api("community").get("disputes", open=True).json()] == [dispute_id]
    assert api("community_b").get("disputes").json() == []
    r = api("community_b").post(f"disputes/{dispute_id}/resolution", {"note": "x"})
    assert r.status_code == 404
    r = api("community").post(f"disputes/{dispute_id}/resolution", {"note": "核实签到表，更正为2小时", "hours": "2"})
    assert r.status_code == 201 and r.json()["status"] == "resolved" and r.json()["correction_id"]
    r = api("community").post(f"disputes/{dispute_id}/resolution", {"note": "again"})
    assert r.status_code == 409
    assert api("volunteer").get("me/service-records").json()["total_hours"] == "2.0000"
    assert api("volunteer").get("me/disputes").json()[0]["resolution_note"] == "核实签到表，更正为2小时"
    assert published[-1][1].pk == rec["id"]
    assert Dispute.objects.count() == 1


def test_hours_are_decimal_with_four_places(api, scene, clock):
    """R-V4: 1 h 20 min 10 s is kept as 1.3361 hours (display rounds, storage does not)."""
    clock.set(2026, 5, 9, 9, 0)
    api("volunteer").post("checkins", {"token": checkin_token(scene.activity)})
    clock.set(local(2026, 5, 9, 10, 20) + dt.timedelta(seconds=10))
    api("volunteer").post("checkouts", {"token": checkin_token(scene.activity)})
    api("community").post(f"activities/{scene.activity.pk}/confirm", {})
    assert ServiceRecord.objects.get().hours == Decimal("1.3361")
