"""Fixtures for activities tests: active volunteers (with or without a login) and activities built by the services."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from gongzhi.accounts.roles import Role
from gongzhi.accounts.services import role_grant, user_create
from gongzhi.activities.models import Category
from gongzhi.activities.services import ActivityInput, activity_create, activity_publish
from gongzhi.conftest import ApiClient
from gongzhi.core.testing.world import PASSWORD
from gongzhi.people.identity import make_id_number
from gongzhi.people.models import VolunteerProfile, VolunteerStatus
from gongzhi.people.services import PersonInput, person_create, volunteer_apply

_seq = itertools.count(101)
START = dt.datetime(2030, 5, 10, 9, 0, tzinfo=dt.UTC)


def make_volunteer(world, name: str, unit, *, user=None, birth: dt.date = dt.date(1990, 4, 2),
                   status: str = VolunteerStatus.ACTIVE, guardian_name: str = "") -> VolunteerProfile:
    """An active volunteer (screening is people's business; tests start from its outcome)."""
    n = next(_seq)
    person = person_create(
        data=PersonInput(name=name, unit=unit, id_number=make_id_number("370117", birth, 2 * n + 1),
                         phone=f"1580000{n:04d}", guardian_name=guardian_name),
        actor=world.user("district"), source="test")
    if user is not None:
        person.user = user
        person.save(update_fields=["user"])
    profile = volunteer_apply(person=person, actor=world.user("district"), consent_confirmed=True,
                              guardian_name=guardian_name)
    VolunteerProfile.objects.filter(pk=profile.pk).update(status=status)
    profile.refresh_from_db()
    return profile


@pytest.fixture
def volunteer_user(world):
    """The world's "volunteer" login as an active volunteer of 永兴社区 (person 小志)."""
    return make_volunteer(world, "陈小志", world.community_a, user=world.user("volunteer"))


@pytest.fixture
def new_login(world):
    """A fresh login with the volunteer role and an active volunteer record in ``unit``; returns (client, profile)."""

    def make(name: str, unit=None, *, birth: dt.date = dt.date(1990, 4, 2), guardian_name: str = ""):
        unit = unit or world.community_a
        n = next(_seq)
        user = user_create(username=f"t-vol-{n}", password=PASSWORD, display_name=name, phone=f"1350000{n:04d}")
        role_grant(user=user, role=Role.VOLUNTEER, unit=unit, actor=None)
        profile = make_volunteer(world, name, unit, user=user, birth=birth, guardian_name=guardian_name)
        return ApiClient(user), profile

    return make


def activity_input(world, **overrides) -> ActivityInput:
    values = dict(title="永兴社区环境清扫", category=Category.objects.get(code="environment"),
                  unit=world.community_a, starts_at=START, ends_at=START + dt.timedelta(hours=3), capacity=10,
                  address="永兴路文化广场")
    values.update(overrides)
    return ActivityInput(**values)


@pytest.fixture
def make_activity(world):
    def make(*, publish: bool = True, actor=None, **overrides):
        actor = actor or world.user("community")
        activity = activity_create(data=activity_input(world, **overrides), actor=actor)
        if publish:
            activity = activity_publish(activity=activity, actor=actor)
        return activity

    return make
