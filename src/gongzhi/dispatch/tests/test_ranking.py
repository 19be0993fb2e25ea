"""The ranking: the ring search over nearby cells returns exactly the brute force's top N; slots and cells."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.utils import timezone

from gongzhi.core import clock
from gongzhi.dispatch import ranking, rules, selectors
from gongzhi.dispatch.models import Candidate
from gongzhi.people.models import VolunteerProfile

from .conftest import make_volunteer


def test_slots_follow_the_local_day_and_evening():
    assert ranking.slot_of(timezone.make_aware(dt.datetime(2030, 5, 11, 10))) == "weekend_day"
    assert ranking.slot_of(timezone.make_aware(dt.datetime(2030, 5, 13, 19))) == "weekday_evening"
    assert ranking.slot_of(timezone.make_aware(dt.datetime(2030, 5, 13, 6, 59))) == "weekday_evening"
    assert ranking.slot_of(timezone.make_aware(dt.datetime(2030, 10, 1, 10)),
                           frozenset({dt.date(2030, 10, 1)})) == "holiday"


def test_the_ring_holds_everyone_closer_than_its_reach():
    rnd = random.Random(7)
    lat, lng = 36.2037, 117.8051
    reach = ranking.ring_reach_km(lat, 2)
    for _ in range(500):
        p = (lat + rnd.uniform(-0.03, 0.03), lng + rnd.uniform(-0.03, 0.03))
        if ranking.distance_km(lat, lng, *p) < reach:
            y0, x0 = ranking.cell_xy(lat, lng)
            y, x = ranking.cell_xy(*p)
            assert abs(y - y0) <= 2 and abs(x - x0) <= 2


@pytest.mark.django_db
def test_ring_search_equals_brute_force_on_random_volunteers(world, located, monkeypatch):
    """Sixty volunteers scattered over ≈ 6 km, random skills, slots and loads: same top 10 both ways, many orders."""
    rnd = random.Random(20300511)
    monkeypatch.setattr(clock, "now", lambda: timezone.make_aware(dt.datetime(2030, 5, 11, 10)))
    for i in range(60):
        make_volunteer(world, f"志愿者{i}", world.community_a, login=False,
                       skills=rnd.sample(["plumbing_electric", "first_aid", "tutoring"], rnd.randint(0, 2)),
                       availability=rnd.sample(list(rules.SLOT_BITS), rnd.randint(0, 3)))
    from gongzhi.dispatch import services

    services.candidates_rebuild()
    for c in Candidate.objects.all():
        c.latitude, c.longitude = 36.2 + rnd.uniform(-0.03, 0.03), 117.8 + rnd.uniform(-0.03, 0.03)
        c.cell, c.recent_load = ranking.cell_of(c.latitude, c.longitude), rnd.choice([0, 0, 1, 3])
        c.save()
    skills = [None, *VolunteerProfile.objects.values_list("skills__pk", flat=True).distinct()]
    for _ in range(25):
        t = ranking.Target(36.2 + rnd.uniform(-0.02, 0.02), 117.8 + rnd.uniform(-0.02, 0.02),
                           rnd.choice([s for s in skills]), rnd.choice(list(rules.SLOT_BITS.values())))
        fast = [(round(r["score"], 9), r["volunteer_id"]) for r in selectors.ranked(t, 10)]
        brute = [(round(s, 9), v) for s, v in selectors.ranked_python(t, 10)]
        assert fast == brute
