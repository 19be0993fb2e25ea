"""Builders for hours tests: activities and confirmed sign-ups made with the ORM (no dependency on activities'
services), volunteers linked to the world's accounts, and a controllable clock."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from gongzhi.activities.models import Activity, ActivityStatus, Category, Signup, SignupStatus
from gongzhi.core.testing.world import make_person
from gongzhi.people.models import VolunteerProfile, VolunteerStatus
from gongzhi.people.services import volunteer_apply

_seq = iter(range(101, 10_000, 2))


def local(y, m, d, hh=0, mm=0) -> dt.datetime:
    return timezone.make_aware(dt.datetime(y, m, d, hh, mm))


def volunteer_for(world, *, name="陈志愿", unit=None, user=None, birth=None) -> VolunteerProfile:
    """An active volunteer; linked to ``user`` (an account) when given."""
    person = make_person(world, name, unit or world.community_a, seq=next(_seq))
    if user is not None:
        person.user = user
        person.save(update_fields=["user"])
    profile = volunteer_apply(person=person, actor=world.user("district"), consent_confirmed=True)
    VolunteerProfile.objects.filter(pk=profile.pk).update(status=VolunteerStatus.ACTIVE)
    if birth is not None:
        type(person).objects.filter(pk=person.pk).update(birth_date=birth)
    return VolunteerProfile.objects.select_related("person").get(pk=profile.pk)


def activity_in(unit, *, starts_at, ends_at, title="敬老院义剪", status=ActivityStatus.ONGOING, capacity=20,
                latitude=Decimal("36.200000"), longitude=Decimal("117.800000"), radius=300, **kw) -> Activity:
    return Activity.objects.create(
        title=title, category=Category.objects.order_by("pk").first(), unit=unit, starts_at=starts_at,
        ends_at=ends_at, capacity=capacity, status=status, latitude=latitude, longitude=longitude,
        checkin_radius_m=radius, address="钢城区永兴路8号社区服务中心", description="为老人免费理发", **kw,
    )


def sign_up(activity: Activity, volunteer: VolunteerProfile, status=SignupStatus.CONFIRMED) -> Signup:
    now = timezone.now()
    signup = Signup.objects.create(activity=activity, volunteer=volunteer, status=status, created_at=now,
                                   updated_at=now)
    if status == SignupStatus.CONFIRMED:
        Activity.objects.filter(pk=activity.pk).update(confirmed_count=activity.confirmed_count + 1)
        activity.confirmed_count += 1
    return signup
