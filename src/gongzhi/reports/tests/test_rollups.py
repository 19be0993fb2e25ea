"""The rollups: incremental counters per unit and period, equal to a recomputation from the base tables."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from gongzhi.reports import rollups
from gongzhi.reports.models import Rollup

from .conftest import SH

pytestmark = pytest.mark.django_db


def row(unit, period="2025", category=""):
    grain = {4: "y", 7: "q" if "Q" in period else "m", 3: "a"}[len(period)]
    return Rollup.objects.get(unit_path=unit.path, grain=grain, period=period, category=category)


def test_record_counts_at_its_unit_and_every_ancestor(world, facts):
    """A record's hours count at the organising community, its street and the district, in month/quarter/year/all."""
    v = facts.volunteer("甲", world.community_a)
    a = facts.activity(world.community_a)
    facts.record(a, v, "2.5")
    for unit in (world.community_a, world.street_a, world.district):
        for period in ("2025-03", "2025-Q1", "2025", "all"):
            r = row(unit, period)
            assert (r.activities, r.participations, r.volunteers, r.records, r.hours) == (1, 1, 1, 1, Decimal("2.5"))
    assert row(world.district, "2025", "convenience").hours == Decimal("2.5")
    assert not Rollup.objects.filter(unit_path=world.street_b.path).exists()


def test_correction_moves_by_the_difference_and_revocation_removes(world, facts):
    """R-V6: a correction replaces the hours (counted once), a revocation stops the record counting."""
    v, w2 = facts.volunteer("甲", world.community_a), facts.volunteer("乙", world.community_a)
    a = facts.activity(world.community_a)
    r1 = facts.record(a, v, "3")
    facts.record(a, v, "2", day=dt.date(2025, 3, 9))  # second day of the same activity: still one 人次
    r3 = facts.record(a, w2, "4")
    facts.correct(r1, "1.25")
    facts.revoke(r3)
    r = row(world.district)
    assert (r.participations, r.volunteers, r.records, r.hours) == (1, 1, 2, Decimal("3.25"))
    assert rollups.check() == []


def test_distinct_volunteers_are_exact_per_period(world, facts):
    """One volunteer in two months: one in the year, one in each month; two volunteers in one month: two."""
    v, w2 = facts.volunteer("甲", world.community_a), facts.volunteer("乙", world.community_b)
    a = facts.activity(world.community_a)
    b = facts.activity(world.community_b, starts=dt.datetime(2025, 5, 1, 9, tzinfo=SH))
    facts.record(a, v, "1")
    facts.record(b, v, "1")
    facts.record(b, w2, "1")
    assert row(world.district, "2025").volunteers == 2
    assert row(world.district, "2025-03").volunteers == 1
    assert row(world.district, "2025-05").volunteers == 2
    assert row(world.street_b, "2025").volunteers == 2
    assert row(world.street_a, "2025").volunteers == 1


def test_activity_finish_and_reopen_and_beneficiary_correction(world, facts):
    """场次 counts finished activities; 惠及人次 the current beneficiary rows (a correction replaces the old count)."""
    a = facts.activity(world.grid_a, finished=False)
    assert not Rollup.objects.filter(activities__gt=0).exists()
    facts.finish(a)
    first = facts.beneficiaries(a, 40)
    facts.beneficiaries(a, 12)
    facts.beneficiaries(a, 35, replaces=first)
    r = row(world.community_a)
    assert (r.activities, r.beneficiaries) == (1, 47)
    facts.status(a, "ongoing")
    assert row(world.district).activities == 0
    assert rollups.check() == []


def test_rebuild_reproduces_the_incremental_rollups(world, facts):
    """`gongzhi rollups --rebuild` from scratch gives the same rows; --check fails on a tampered counter."""
    v = facts.volunteer("甲", world.community_a)
    a = facts.activity(world.community_a)
    r1 = facts.record(a, v, "2")
    facts.correct(r1, "1.5")
    facts.beneficiaries(a, 9)
    before = set(Rollup.objects.filter(records__gt=0).values_list("unit_path", "grain", "period", "category",
                                                                    "hours_e4", "volunteers", "participations"))
    call_command("rollups", "--rebuild", "--check")
    after = set(Rollup.objects.filter(records__gt=0).values_list("unit_path", "grain", "period", "category",
                                                                   "hours_e4", "volunteers", "participations"))
    assert before == after
    Rollup.objects.filter(unit_path=world.district.path, grain="a", category="").update(hours_e4=1)
    with pytest.raises(CommandError):
        call_command("rollups", "--check")
