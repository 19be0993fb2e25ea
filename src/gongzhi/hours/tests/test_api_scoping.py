"""Scoping of service records: a street admin sees only their street's records; other units' records are 404."""

from __future__ import annotations

import datetime as dt

from gongzhi.hours import services

from .factories import activity_in, local, sign_up, volunteer_for


def _record(world, unit, name):
    v = volunteer_for(world, name=name, unit=unit)
    act = activity_in(unit, starts_at=local(2026, 5, 9, 9), ends_at=local(2026, 5, 9, 12), title=f"{unit.name}活动")
    sign_up(act, v)
    return services.service_record_back_enter(activity=act, volunteer=v, day=dt.date(2026, 5, 9), hours="2",
                                              reason="补录", actor=world.user("district"))


def test_street_admin_sees_only_their_street(api, world):
    a, a2, b = (_record(world, world.community_a, "甲"), _record(world, world.community_a2, "乙"),
                _record(world, world.community_b, "丙"))
    body = api("street").get("service-records").json()
    assert {i["id"] for i in body["items"]} == {a.pk, a2.pk} and body["total_hours"] == "4.0000"
    assert {i["id"] for i in api("street_b").get("service-records").json()["items"]} == {b.pk}
    assert api("street").get(f"service-records/{b.pk}").status_code == 404
    assert api("community").get(f"service-records/{a2.pk}").status_code == 404  # the other community of the street
    assert api("community").get(f"service-records/{a.pk}").status_code == 200
    r = api("community").post(f"service-records/{a2.pk}/corrections", {"hours": "1", "reason": "x"})
    assert r.status_code == 404
    assert api("volunteer").get("service-records").status_code == 403  # no hours.view


def test_record_filters(api, world):
    a = _record(world, world.community_a, "甲")
    assert api("district").get("service-records", source="back_entry").json()["count"] == 1
    assert api("district").get("service-records", source="checkin").json()["count"] == 0
    assert api("district").get("service-records", start="2026-05-10").json()["count"] == 0
    assert api("district").get("service-records", volunteer_id=a.volunteer_id).json()["count"] == 1
    assert api("district").get("service-records", source="bogus").status_code == 422
    assert api("district").get("service-records", start="yesterday").status_code == 422


def test_volunteer_page_for_other_street_is_404(client, world):
    a = _record(world, world.community_a, "甲")
    client.force_login(world.user("community_b"), backend="gongzhi.accounts.backends.PhoneOrUsernameBackend")
    assert client.get(f"/hours/volunteers/{a.volunteer_id}/").status_code == 404
    assert client.get(f"/hours/records/{a.pk}/").status_code == 404
