"""Training fixtures: an active volunteer behind the world's ``volunteer`` login, a course and its sessions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from gongzhi.core import clock
from gongzhi.core.testing.world import make_person
from gongzhi.people.models import VolunteerProfile, VolunteerStatus
from gongzhi.people.services import volunteer_apply
from gongzhi.training import services
from gongzhi.training.models import CourseLevel


def active_volunteer(world, name: str, unit, *, seq: int, user=None) -> VolunteerProfile:
    """A registered volunteer (status 在册) in ``unit``, optionally linked to a login."""
    person = make_person(world, name, unit, seq=seq)
    if user is not None:
        person.user = user
        person.save(update_fields=["user"])
    profile = volunteer_apply(person=person, actor=world.user("district"), consent_confirmed=True)
    VolunteerProfile.objects.filter(pk=profile.pk).update(status=VolunteerStatus.ACTIVE)
    profile.refresh_from_db()
    return profile


@pytest.fixture
def me(world):
    """The ``volunteer`` login's own active volunteer profile, in 永兴社区第一网格."""
    return active_volunteer(world, "陈志愿", world.grid_a, seq=61, user=world.user("volunteer"))


@pytest.fixture
def course(world):
    """网格员履职能力提升培训, opened by 永兴社区."""
    return services.course_create(
        data=services.CourseInput(unit=world.community_a, title="网格员履职能力提升培训", level=CourseLevel.BASIC,
                                  hours=Decimal("3")),
        actor=world.user("community"))


def at(days: float, hours: float = 0) -> dt.datetime:
    return clock.now() + dt.timedelta(days=days, hours=hours)


@pytest.fixture
def session(course, world):
    """An upcoming session of ``course`` with 2 places."""
    return services.session_create(course=course, actor=world.user("community"), starts_at=at(7), ends_at=at(7, 2),
                                   place="永兴社区党群服务中心", capacity=2, trainer="李老师")


@pytest.fixture
def started(course, world, me):
    """A session that started an hour ago with ``me`` and one more volunteer enrolled (before it started)."""
    from gongzhi.training.models import Enrolment, Session

    s = Session.objects.create(course=course, starts_at=at(0, -1), ends_at=at(0, 1), place="永兴社区党群服务中心",
                               capacity=10, enrolled_count=2, created_by=world.user("community"))
    other = active_volunteer(world, "吴九", world.community_a, seq=33)
    for v in (me, other):
        Enrolment.objects.create(session=s, volunteer=v, enrolled_at=at(-2), enrolled_by=world.user("community"))
    return s
