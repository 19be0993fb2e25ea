"""Fixtures for dispatch tests: located units, active volunteers with logins and skills, orders at a set time."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.utils import timezone

from gongzhi.accounts.services import user_create
from gongzhi.core.testing.world import PASSWORD
from gongzhi.dispatch import services
from gongzhi.org.models import Unit
from gongzhi.people.identity import make_id_number
from gongzhi.people.models import Skill, VolunteerProfile, VolunteerStatus
from gongzhi.people.services import PersonInput, person_create, volunteer_apply

# Saturday 2030-05-11 10:00 Asia/Shanghai (a weekend day)
SATURDAY_10 = timezone.make_aware(dt.datetime(2030, 5, 11, 10, 0))
_seq = itertools.count(1)

# 永兴社区 centre, 金鼎社区 1.5 km east, 洪沟社区 (里辛街道) further off
POINTS = {"community_a": ("36.200000", "117.800000"), "community_a2": ("36.200000", "117.816700"),
          "community_b": ("36.230000", "117.760000"), "street_a": ("36.200000", "117.808000"),
          "street_b": ("36.230000", "117.760000"), "district": ("36.210000", "117.790000")}


@pytest.fixture
def at(monkeypatch):
    """``at(moment)`` sets ``gongzhi.core.clock.now``; starts at SATURDAY_10."""

    def set_to(moment):
        monkeypatch.setattr("gongzhi.core.clock.now", lambda: moment)
        return moment

    set_to(SATURDAY_10)
    return set_to


@pytest.fixture
def located(world):
    for name, (lat, lng) in POINTS.items():
        Unit.objects.filter(pk=getattr(world, name).pk).update(latitude=Decimal(lat), longitude=Decimal(lng))
    return world


def make_volunteer(world, name: str, unit, *, skills=(), availability=(), status=VolunteerStatus.ACTIVE,
                   login: bool = True, user=None) -> VolunteerProfile:
    """An active volunteer with a login (screening is people's business; tests start from its outcome)."""
    n = next(_seq)
    person = person_create(data=PersonInput(name=name, unit=unit, id_number=make_id_number("370117",
                                                                                          dt.date(1988, 3, 4), 2 * n + 1),
                                            phone=f"1570000{n:04d}"), actor=world.user("district"), source="test")
    if login and user is None:
        user = user_create(username=f"vol-{n}", password=PASSWORD, display_name=name, phone=f"1560000{n:04d}")
    if user is not None:
        person.user = user
        person.save(update_fields=["user"])
    profile = volunteer_apply(person=person, actor=world.user("district"), consent_confirmed=True,
                              skills=list(skills), availability=list(availability))
    VolunteerProfile.objects.filter(pk=profile.pk).update(status=status)
    profile.refresh_from_db()
    return profile


@pytest.fixture
def volunteer(world, located):
    """The world's "volunteer" login as an active 水电维修 volunteer of 永兴社区, free on weekend days."""
    return make_volunteer(world, "陈小志", world.community_a, user=world.user("volunteer"),
                          skills=["plumbing_electric"], availability=["weekend_day"])


@pytest.fixture
def plumbing():
    return Skill.objects.get(code="plumbing_electric")


@pytest.fixture
def make_order(world, located, at):
    def make(*, unit=None, actor=None, **kw):
        kw.setdefault("title", "家里水龙头坏了")
        return services.order_create(actor=actor or world.user("community"), unit=unit or world.community_a, **kw)

    return make
