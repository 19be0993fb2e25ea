"""Builders for recognition tests: active volunteers, finished activities and confirmed service records (ORM)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from gongzhi.activities.models import Activity, ActivityStatus, Category
from gongzhi.core.testing.world import make_person
from gongzhi.hours.models import RecordKind, RecordSource, ServiceRecord
from gongzhi.people.models import Person, VolunteerProfile, VolunteerStatus
from gongzhi.people.services import volunteer_apply

TZ = timezone.get_default_timezone()


def active_volunteer(w, name: str, unit, *, seq: int, user=None, birth: dt.date | None = None):
    """Registered as an adult; ``birth`` then sets a child's birth date directly (the people app's own age rules
    for registration are not what these tests are about)."""
    person = make_person(w, name, unit, seq=seq)
    if user is not None:
        person.user = user
        person.save(update_fields=["user"])
    profile = volunteer_apply(person=person, actor=w.user("district"), consent_confirmed=True)
    if birth is not None:
        Person.objects.filter(pk=person.pk).update(birth_date=birth)
    VolunteerProfile.objects.filter(pk=profile.pk).update(status=VolunteerStatus.ACTIVE)
    profile.refresh_from_db()
    return profile


def activity(unit, title: str = "河道清理", *, day: dt.date = dt.date(2025, 6, 7), hours: int = 4) -> Activity:
    start = dt.datetime.combine(day, dt.time(9), tzinfo=TZ)
    return Activity.objects.create(
        title=title, category=Category.objects.order_by("sort").first(), unit=unit, starts_at=start,
        ends_at=start + dt.timedelta(hours=hours), capacity=20, status=ActivityStatus.FINISHED,
    )


def record(volunteer, act: Activity, hours, *, day: dt.date | None = None, actor=None) -> ServiceRecord:
    return ServiceRecord.objects.create(
        volunteer=volunteer, activity=act, unit_path=act.unit.path, day=day or act.starts_at.date(),
        hours=Decimal(str(hours)), content=act.title, source=RecordSource.CHECKIN, kind=RecordKind.ORIGINAL,
        confirmed_by=actor, confirmed_at=act.ends_at,
    )


def correct(old: ServiceRecord, hours, *, reason: str = "更正") -> ServiceRecord:
    return ServiceRecord.objects.create(
        volunteer=old.volunteer, activity=old.activity, unit_path=old.unit_path, day=old.day,
        hours=Decimal(str(hours)), content=old.content, source=old.source, kind=RecordKind.CORRECTION,
        supersedes=old, reason=reason, confirmed_by=old.confirmed_by, confirmed_at=old.confirmed_at,
    )
