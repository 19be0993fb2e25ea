"""Lists answer in a fixed number of queries, however many records they hold (no query per row)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from gongzhi.hours.models import RecordSource, ServiceRecord

from .factories import activity_in, local


def _records(scene, n: int) -> None:
    for i in range(n):
        day = dt.date(2026, 4, 1) + dt.timedelta(days=i)
        act = activity_in(scene.w.community_a, starts_at=local(day.year, day.month, day.day, 9),
                          ends_at=local(day.year, day.month, day.day, 12), title=f"活动{i}")
        ServiceRecord.objects.create(volunteer=scene.volunteer, activity=act, unit_path=act.unit.path, day=day,
                                     hours=Decimal("2.5"), source=RecordSource.BACK_ENTRY,
                                     confirmed_by=scene.w.user("community"), confirmed_at=local(2026, 5, 1))


def test_my_service_records_take_the_same_queries_for_3_or_12_records(api, scene, django_assert_max_num_queries):
    """GET /me/service-records: the volunteer's history in a handful of queries (was one per record for the name)."""
    client = api("volunteer")
    _records(scene, 3)
    with django_assert_max_num_queries(8):
        r = client.get("me/service-records")
    assert r.status_code == 200 and len(r.json()["items"]) == 3
    _records(scene, 9)
    with django_assert_max_num_queries(8):
        r = client.get("me/service-records")
    assert r.status_code == 200 and len(r.json()["items"]) == 12
    assert r.json()["total_hours"] in ("30.0000", "30", "30.00", 30, 30.0)
