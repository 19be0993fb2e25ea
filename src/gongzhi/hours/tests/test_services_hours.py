"""Services and selectors the other apps rely on: windows, derived hours, totals, tokens."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import signing

from gongzhi.core.errors import DomainError
from gongzhi.hours import selectors, services
from gongzhi.hours.models import RecordSource

from .factories import activity_in, local, sign_up, volunteer_for


def test_day_windows(world):
    """R-V4: one-day activities are their window; daily spans repeat; overnight ones split at midnight."""
    daily = activity_in(world.community_a, starts_at=local(2026, 7, 1, 9), ends_at=local(2026, 7, 3, 17))
    assert services.day_window(daily, dt.date(2026, 7, 2)) == (local(2026, 7, 2, 9), local(2026, 7, 2, 17))
    assert services.day_window(daily, dt.date(2026, 7, 4)) is None
    night = activity_in(world.community_a, starts_at=local(2026, 7, 1, 20), ends_at=local(2026, 7, 2, 6))
    assert services.day_window(night, dt.date(2026, 7, 1)) == (local(2026, 7, 1, 20), local(2026, 7, 2, 0))
    assert services.day_capacity_hours(night, dt.date(2026, 7, 2)) == Decimal("6.0000")
    assert services.activity_days(night) == [dt.date(2026, 7, 1), dt.date(2026, 7, 2)]


def test_tampered_token_payload_is_refused(world, clock):
    act = activity_in(world.community_a, starts_at=local(2026, 5, 9, 9), ends_at=local(2026, 5, 9, 12))
    other = signing.dumps({"a": act.pk, "s": 1}, salt="another.salt")
    with pytest.raises(DomainError) as e:
        services.checkin_token_activity_id(other)
    assert e.value.code == "hours.token_invalid"
    assert services.checkin_token_activity_id(services.checkin_token(act)) == act.pk


def test_min_age_is_configurable(world, clock, settings):
    """R-V9: HOURS_MIN_AGE (default 6) decides when hours are recognised."""
    v = volunteer_for(world, birth=dt.date(2016, 6, 1))  # nine on the service day
    assert services.recognised(v, dt.date(2026, 5, 9), Decimal("2")) == Decimal("2")
    settings.HOURS_MIN_AGE = 10
    assert services.recognised(v, dt.date(2026, 5, 9), Decimal("2")) == Decimal("0")


def test_volunteer_total_hours_for_recognition(world, clock):
    """Totals count current records only, by day range and source (certificates and star levels use these)."""
    v = volunteer_for(world)
    community = world.user("community")
    acts = [activity_in(world.community_a, starts_at=local(2026, m, 9, 9), ends_at=local(2026, m, 9, 12))
            for m in (3, 4, 5)]
    recs = []
    for act in acts:
        sign_up(act, v)
        recs.append(services.service_record_back_enter(activity=act, volunteer=v, day=act.starts_at.date(),
                                                       hours="3", reason="补录", actor=community))
    services.service_record_correct(record=recs[0], hours="1", reason="更正", actor=community)
    services.service_record_revoke(record=recs[1], reason="撤销", actor=community)
    assert selectors.volunteer_total_hours(v) == Decimal("4.0000")
    assert selectors.volunteer_total_hours(v, start=dt.date(2026, 4, 1)) == Decimal("3.0000")
    assert selectors.volunteer_total_hours(v, end=dt.date(2026, 3, 31)) == Decimal("1.0000")
    assert selectors.volunteer_total_hours(v, source=RecordSource.CHECKIN) == Decimal("0.0000")
    assert [r.hours for r in selectors.volunteer_records(v)] == [Decimal("3.0000"), Decimal("1.0000")]
    assert len(selectors.volunteer_records(v, current=False)) == 5
