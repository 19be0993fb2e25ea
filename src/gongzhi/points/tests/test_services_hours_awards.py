"""Automatic awards from confirmed hours through ``hours.record_added`` (R-J4, R-V5), caps, corrections and
revocations with clawbacks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import override_settings

from gongzhi.activities.models import Category
from gongzhi.hours import services as hours_services
from gongzhi.hours.models import Attendance, CheckMethod, RecordKind, RecordSource
from gongzhi.points import selectors, services
from gongzhi.points.models import Account, Clawback, PointsTransaction, TxKind
from gongzhi.points.services import Leg

from .factories import activity_in, adopt, local, record, successor, volunteer_for


def balance(person) -> int:
    return Account.objects.filter(person=person).values_list("balance", flat=True).first() or 0


def redeem(person, points: int, key: str):
    """A redemption-like transaction: person → the community's pool."""
    return services.transaction_post(kind=TxKind.REDEMPTION, unit=person.unit, idempotency_key=key,
                                     legs=[Leg(services.account_for_person(person), -points),
                                           Leg(services.pool_for_unit(person.unit), points)],
                                     reason="兑换", actor=None)


@pytest.fixture
def rules(world):
    return adopt(world)


def test_a_confirmed_check_in_record_earns_one_point_per_whole_hour(world, rules):
    """R-J4: 1 confirmed hour = 1 point; Decimal hours are floored per record (2.75 h → 2 points)."""
    rec = record(world, hours="2.7500")
    tx = PointsTransaction.objects.get(idempotency_key=f"hours:record:{rec.pk}")
    assert balance(rec.volunteer.person) == 2
    assert tx.rule_item.code == "hour" and tx.rule_item.ruleset == rules  # R-J1: names its rule version
    assert selectors.ledger_findings() == []


def test_back_entries_earn_nothing_by_default(world, rules):
    """R-V5: only check-in-based hours earn points unless a setting says so."""
    rec = record(world, hours="3.0000", source=RecordSource.BACK_ENTRY)
    assert balance(rec.volunteer.person) == 0
    with override_settings(POINTS_BACK_ENTRIES_EARN=True):
        other = record(world, hours="3.0000", source=RecordSource.BACK_ENTRY)
    assert balance(other.volunteer.person) == 3


def test_no_rule_set_in_force_means_no_points(world):
    """R-J1: points come only from an adopted rule table; before its effective date nothing is awarded."""
    adopt(world, effective_from=dt.date(2099, 1, 1))
    rec = record(world, hours="4.0000")
    assert balance(rec.volunteer.person) == 0


def test_the_nearest_unit_with_rules_decides_and_the_latest_version_in_force(world):
    """A grid uses its community's rules; a newer version applies from its effective date on (R-J1)."""
    adopt(world, world.community_a, hour_points=1)
    adopt(world, world.community_a, hour_points=2, effective_from=dt.date(2026, 6, 1))
    assert selectors.ruleset_in_force(world.grid_a, dt.date(2026, 5, 31)).version == 1
    assert selectors.ruleset_in_force(world.grid_a, dt.date(2026, 6, 1)).version == 2
    assert selectors.ruleset_in_force(world.community_b, dt.date(2026, 6, 1)) is None


def test_a_redelivered_event_posts_nothing_new(world, rules):
    """Keys derive from the source row (hours:record:<id>): the same event twice posts once."""
    rec = record(world, hours="3.0000")
    from gongzhi.hours import events as hours_events

    hours_events.record_added(record=rec, replaced=None)
    assert PointsTransaction.objects.filter(source_id=rec.pk, source_type="hours.servicerecord").count() == 1
    assert balance(rec.volunteer.person) == 3


def test_a_correction_posts_the_difference_both_ways(world, rules):
    rec = record(world, hours="3.0000")
    up = successor(world, rec, hours="5.5000")
    assert balance(rec.volunteer.person) == 5
    successor(world, up, hours="1.0000")
    assert balance(rec.volunteer.person) == 1
    assert selectors.ledger_findings() == []


def test_a_revocation_takes_the_points_back(world, rules):
    rec = record(world, hours="4.0000")
    successor(world, rec, kind=RecordKind.REVOCATION)
    assert balance(rec.volunteer.person) == 0
    assert not Clawback.objects.exists()


def test_spent_points_are_clawed_back_from_later_awards_never_below_zero(world, rules):
    """A revocation after the person spent the points takes what the balance allows and records the rest; the next
    award settles it. Every invariant holds throughout."""
    rec = record(world, hours="4.0000")
    person = rec.volunteer.person
    redeem(person, 3, "spend-1")
    successor(world, rec, kind=RecordKind.REVOCATION)
    assert balance(person) == 0
    claw = Clawback.objects.get(person=person)
    assert claw.points == 3 and services.clawback_outstanding(claw) == 3
    record(world, volunteer=rec.volunteer, hours="2.0000", day=rec.day - dt.timedelta(days=1))
    assert balance(person) == 0 and services.clawback_outstanding(claw) == 1
    record(world, volunteer=rec.volunteer, hours="5.0000", day=rec.day - dt.timedelta(days=2))
    assert balance(person) == 4 and services.clawback_outstanding(claw) == 0
    assert selectors.ledger_findings() == []


def test_daily_and_monthly_caps_clip_automatic_awards(world):
    adopt(world, cap_day=3, cap_month=5)
    vol = volunteer_for(world)
    day = dt.date(2026, 3, 2)
    record(world, volunteer=vol, hours="2.0000", day=day)
    record(world, volunteer=vol, hours="2.0000", day=day)  # only 1 more that day
    assert balance(vol.person) == 3
    record(world, volunteer=vol, hours="4.0000", day=day + dt.timedelta(days=1))  # month cap leaves 2
    assert balance(vol.person) == 5
    record(world, volunteer=vol, hours="4.0000", day=dt.date(2026, 4, 1))  # a new month
    assert balance(vol.person) == 8


def test_a_category_item_adds_its_points_per_record(world):
    category = Category.objects.order_by("pk").first()
    adopt(world, category=category)
    rec = record(world, hours="1.0000")
    assert balance(rec.volunteer.person) == 1 + 3
    successor(world, rec, kind=RecordKind.REVOCATION)
    assert balance(rec.volunteer.person) == 0


def test_the_hours_app_path_awards_and_revokes(world, rules):
    """Through the real hours services: confirm → award; revoke → reversal (same transaction as the record)."""
    start = local(2026, 3, 5, 9)
    act = activity_in(world.community_a, starts_at=start, ends_at=start + dt.timedelta(hours=3))
    vol = volunteer_for(world)
    from gongzhi.hours.tests.factories import sign_up

    signup = sign_up(act, vol)
    att = Attendance.objects.create(activity=act, signup=signup, volunteer=vol, day=start.date(), checked_in_at=start,
                                    in_method=CheckMethod.QR, checked_out_at=start + dt.timedelta(hours=3),
                                    out_method=CheckMethod.QR)
    rec = hours_services.attendance_confirm(attendance=att, actor=world.user("district"))
    assert rec.hours == Decimal("3.0000") and balance(vol.person) == 3
    hours_services.service_record_revoke(record=rec, reason="活动未实际开展", actor=world.user("district"))
    assert balance(vol.person) == 0
    assert selectors.ledger_findings() == []
