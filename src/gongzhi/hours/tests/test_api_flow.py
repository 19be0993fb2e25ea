"""The whole hours flow over HTTP: QR token → check-in → check-out → clipped hours → confirm → correction → revocation."""

from __future__ import annotations

from decimal import Decimal

from gongzhi.hours.models import Attendance, RecordKind, RecordSource, ServiceRecord
from gongzhi.hours.services import checkin_token

from .factories import local


def _token(api, scene):
    r = api("community").get(f"activities/{scene.activity.pk}/checkin-token")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["url"].startswith("http://testserver/hours/checkin/") and body["token"] in body["url"]
    return body["token"]


def test_full_flow_qr_to_revocation(api, scene, clock, published):
    """R-V4, R-V5, R-V6: scan → in → out → hours clipped to the window → confirm → correct → revoke."""
    vol = api("volunteer")
    clock.set(2026, 5, 9, 8, 40)  # 20 min early: allowed (30 min slack), but hours start at 09:00
    r = vol.post("checkins", {"token": _token(api, scene)})
    assert r.status_code == 201, r.content
    assert r.json()["in_method"] == "qr" and r.json()["missing_checkout"] is True

    clock.set(2026, 5, 9, 12, 25)  # after the end: hours stop at 12:00 (travel excluded)
    r = vol.post("checkouts", {"token": _token(api, scene)})
    assert r.status_code == 200, r.content
    assert r.json()["hours"] == "3.0000"

    organiser = api("community")
    listing = organiser.get(f"activities/{scene.activity.pk}/attendances").json()
    assert [i["hours"] for i in listing["items"]] == ["3.0000"] and listing["missing_checkouts"] == []

    r = organiser.post(f"activities/{scene.activity.pk}/confirm", {})
    assert r.status_code == 200, r.content
    [original] = r.json()
    assert original["hours"] == "3.0000" and original["source"] == RecordSource.CHECKIN
    assert original["content"].startswith("敬老院义剪") and original["unit_path"] == scene.activity.unit.path
    assert original["confirmed_by"] is not None

    r = organiser.post(f"service-records/{original['id']}/corrections", {"hours": "2.5", "reason": "中途离开半小时"})
    assert r.status_code == 201, r.content
    correction = r.json()
    assert correction["kind"] == RecordKind.CORRECTION and correction["supersedes_id"] == original["id"]

    old = ServiceRecord.objects.get(pk=original["id"])  # append-only: the original is untouched
    assert old.hours == Decimal("3.0000") and old.kind == RecordKind.ORIGINAL and old.reason == ""

    mine = vol.get("me/service-records").json()
    assert mine["total_hours"] == "2.5000" and [i["id"] for i in mine["items"]] == [correction["id"]]

    r = organiser.post(f"service-records/{correction['id']}/revocations", {"reason": "重复登记"})
    assert r.status_code == 201 and r.json()["hours"] == "0.0000"
    assert vol.get("me/service-records").json()["total_hours"] == "0.0000"

    detail = organiser.get(f"service-records/{correction['id']}").json()
    assert detail["current"] is False and [h["id"] for h in detail["history"]] == [original["id"]]

    # hours.record_added: one event per row, replaced = the superseded row
    assert [(rec.pk, rep.pk if rep else None) for rec, rep in published] == [
        (original["id"], None), (correction["id"], original["id"]), (r.json()["id"], correction["id"])]


def test_superseded_record_cannot_be_corrected_again(api, scene, clock):
    """R-V6: only current records are corrected; the stale one answers 409 and nothing is written."""
    rec = _confirmed(api, scene, clock)
    api("community").post(f"service-records/{rec}/corrections", {"hours": "1", "reason": "核对"})
    before = ServiceRecord.objects.count()
    r = api("community").post(f"service-records/{rec}/corrections", {"hours": "2", "reason": "再次核对"})
    assert r.status_code == 409 and r.json()["code"] == "hours.not_current"
    r = api("community").post(f"service-records/{rec}/revocations", {"reason": "撤销"})
    assert r.status_code == 409
    assert ServiceRecord.objects.count() == before


def test_correction_cannot_exceed_the_activity_duration(api, scene, clock):
    """R-V6: a correction above the 3-hour activity is refused."""
    rec = _confirmed(api, scene, clock)
    r = api("community").post(f"service-records/{rec}/corrections", {"hours": "3.5", "reason": "多算"})
    assert r.status_code == 400 and r.json()["code"] == "hours.hours_over_duration"
    assert r.json()["detail"]["max_hours"] == "3.0000"
    r = api("community").post(f"service-records/{rec}/corrections", {"hours": "-1", "reason": "负数"})
    assert r.status_code == 422
    r = api("community").post(f"service-records/{rec}/corrections", {"hours": "2", "reason": "  "})
    assert r.status_code == 400 and r.json()["code"] == "hours.reason_required"
    assert ServiceRecord.objects.count() == 1


def _confirmed(api, scene, clock) -> int:
    vol = api("volunteer")
    clock.set(2026, 5, 9, 9, 5)
    assert vol.post("checkins", {"token": checkin_token(scene.activity)}).status_code == 201
    clock.set(2026, 5, 9, 11, 35)
    assert vol.post("checkouts", {"token": checkin_token(scene.activity)}).status_code == 200
    [rec] = api("community").post(f"activities/{scene.activity.pk}/confirm", {}).json()
    assert rec["hours"] == "2.5000"
    return rec["id"]


def test_expired_and_forged_tokens_are_refused(api, scene, clock):
    """A token from two slots ago, or one with a changed activity, saves nothing (400)."""
    clock.set(2026, 5, 9, 9, 0)
    token = checkin_token(scene.activity)
    clock.set(local(2026, 5, 9, 9, 1).replace(second=5))  # two slots later
    r = api("volunteer").post("checkins", {"token": token})
    assert r.status_code == 400 and r.json()["code"] == "hours.token_invalid"
    forged = token.replace(token.split(":")[0], token.split(":")[0][:-2] + "xx")
    r = api("volunteer").post("checkins", {"token": forged})
    assert r.status_code == 400 and r.json()["code"] == "hours.token_invalid"
    r = api("volunteer").post("checkins", {"token": "nonsense"})
    assert r.status_code == 400
    assert not Attendance.objects.exists()


def test_token_of_the_previous_slot_still_works(api, scene, clock):
    """A code shown up to a minute ago is accepted (current and previous 30-second slot)."""
    clock.set(local(2026, 5, 9, 9, 0).replace(second=29))
    token = checkin_token(scene.activity)
    clock.set(local(2026, 5, 9, 9, 0).replace(second=59))
    assert api("volunteer").post("checkins", {"token": token}).status_code == 201


def test_checkin_rules(api, scene, clock):
    """R-V4: too early, too late, twice, check-out before check-in, without a confirmed sign-up → 4xx."""
    vol = api("volunteer")
    clock.set(2026, 5, 9, 8, 29)
    r = vol.post("checkins", {"token": checkin_token(scene.activity)})
    assert r.status_code == 409 and r.json()["code"] == "hours.too_early"
    clock.set(2026, 5, 9, 12, 1)
    r = vol.post("checkins", {"token": checkin_token(scene.activity)})
    assert r.status_code == 409 and r.json()["code"] == "hours.too_late"
    clock.set(2026, 5, 9, 10, 0)
    r = vol.post("checkouts", {"token": checkin_token(scene.activity)})
    assert r.status_code == 409 and r.json()["code"] == "hours.not_checked_in"
    assert vol.post("checkins", {"token": checkin_token(scene.activity)}).status_code == 201
    r = vol.post("checkins", {"token": checkin_token(scene.activity)})
    assert r.status_code == 409 and r.json()["code"] == "hours.already_checked_in"
    assert vol.post("checkouts", {"token": checkin_token(scene.activity)}).status_code == 200
    r = vol.post("checkouts", {"token": checkin_token(scene.activity)})
    assert r.status_code == 409 and r.json()["code"] == "hours.already_checked_out"
    # an account without a sign-up: refused, nothing saved
    r = api("resident").post("checkins", {"token": checkin_token(scene.activity)})
    assert r.status_code == 409 and r.json()["code"] == "hours.not_volunteer"
    assert Attendance.objects.count() == 1


def test_unconfirmed_signup_cannot_check_in(api, world, clock):
    """Only confirmed sign-ups check in (a waitlisted volunteer is refused)."""
    from .factories import activity_in, sign_up, volunteer_for

    v = volunteer_for(world, user=world.user("volunteer"))
    act = activity_in(world.community_a, starts_at=local(2026, 5, 9, 9), ends_at=local(2026, 5, 9, 12))
    sign_up(act, v, status="waitlisted")
    clock.set(2026, 5, 9, 9, 30)
    r = api("volunteer").post("checkins", {"token": checkin_token(act)})
    assert r.status_code == 409 and r.json()["code"] == "hours.not_signed_up"


def test_geofence_inside_and_outside(api, scene, clock):
    """Self check-in by position: within 300 m accepted; 1 km away refused with the distance; absurd → 400."""
    vol = api("volunteer")
    clock.set(2026, 5, 9, 9, 0)
    body = {"activity_id": scene.activity.pk, "latitude": 36.209, "longitude": 117.8}  # ~1 km north
    r = vol.post("checkins", body)
    assert r.status_code == 403 and r.json()["code"] == "hours.outside_geofence"
    assert r.json()["detail"]["distance_m"] == 1001 and "1001 米" in r.json()["message"]
    for lat, lng in ((91, 117.8), (36.2, 181), (float("nan"), 1)):
        r = vol.client.post("/api/v1/checkins", f'{{"activity_id": {scene.activity.pk}, "latitude": {lat}, '
                            f'"longitude": {lng}}}'.replace("nan", "NaN"), content_type="application/json",
                            **vol.headers)
        assert r.status_code in (400, 422), (lat, lng, r.content)
    assert not Attendance.objects.exists()
    r = vol.post("checkins", {"activity_id": scene.activity.pk, "latitude": 36.2015, "longitude": 117.8})  # ~167 m
    assert r.status_code == 201 and r.json()["in_method"] == "geo"
    assert Attendance.objects.get().in_latitude == Decimal("36.201500")


def test_under_six_gets_no_recognised_hours(api, world, clock):
    """R-V9: a five-year-old's attendance is confirmed with 0 hours (HOURS_MIN_AGE, default 6)."""
    import datetime as dt

    from .factories import activity_in, sign_up, volunteer_for

    v = volunteer_for(world, user=world.user("volunteer"), birth=dt.date(2021, 1, 1))
    act = activity_in(world.community_a, starts_at=local(2026, 5, 9, 9), ends_at=local(2026, 5, 9, 12))
    sign_up(act, v)
    clock.set(2026, 5, 9, 9, 0)
    api("volunteer").post("checkins", {"token": checkin_token(act)})
    clock.set(2026, 5, 9, 11, 0)
    assert api("volunteer").post("checkouts", {"token": checkin_token(act)}).json()["hours"] == "0.0000"
    [rec] = api("community").post(f"activities/{act.pk}/confirm", {}).json()
    assert rec["hours"] == "0.0000"
