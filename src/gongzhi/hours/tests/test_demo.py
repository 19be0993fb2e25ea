"""The hours demo: records for finished activities only, from confirmed sign-ups, with a missing check-out left open."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Sum

from gongzhi.core.demo import DemoContext
from gongzhi.hours import demo
from gongzhi.hours.models import Attendance, RecordKind, RecordSource, ServiceRecord
from gongzhi.hours.services import day_capacity_hours

from .factories import activity_in, local, sign_up, volunteer_for


def test_demo_records_finished_activities(world, published):
    volunteers = [volunteer_for(world, name=f"志愿者{i}") for i in range(40)]
    finished = [activity_in(world.community_a, starts_at=local(2026, 3, d, 9), ends_at=local(2026, 3, d, 12),
                            status="finished", title=f"活动{d}", capacity=40) for d in range(1, 11)]
    multi = activity_in(world.community_b, starts_at=local(2026, 4, 1, 8), ends_at=local(2026, 4, 3, 11, 30),
                        status="finished", title="三天活动", capacity=40)
    upcoming = activity_in(world.community_a, starts_at=local(2026, 12, 20, 9), ends_at=local(2026, 12, 20, 12),
                           status="published", capacity=40)
    for act in [*finished, multi, upcoming]:
        for v in volunteers[:30]:
            sign_up(act, v)
    sign_up(finished[0], volunteers[35], status="waitlisted")
    ctx = DemoContext(residents=0, volunteers=0, today=dt.date(2026, 12, 1), log=lambda m: None)

    demo.contribute(ctx)

    assert not Attendance.objects.filter(activity=upcoming).exists()
    assert not ServiceRecord.objects.filter(volunteer=volunteers[35]).exists()
    [missing] = Attendance.objects.filter(checked_out_at__isnull=True)
    assert missing.activity == multi and not missing.records.exists()
    # multi-day: one attendance per volunteer and day, each day's hours within 3.5 h
    assert Attendance.objects.filter(activity=multi).values("day").distinct().count() == 3
    for r in ServiceRecord.objects.current():
        assert Decimal(0) <= r.hours <= day_capacity_hours(r.activity, r.day)
    current = ServiceRecord.objects.current()
    assert current.filter(source=RecordSource.BACK_ENTRY).exists()
    assert ServiceRecord.objects.filter(kind=RecordKind.CORRECTION).exists()
    assert 330 * 2.5 < float(current.aggregate(t=Sum("hours"))["t"]) < 420 * 3.5
    assert published == []  # bulk writes publish no events (reports recompute at the end of the demo)
    assert demo.is_loaded()
