"""Builders for the reports tests: facts written with the ORM and announced exactly as the brief's events say."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from gongzhi.activities.models import Activity, ActivityStatus, BeneficiaryCount, Category
from gongzhi.core import clock, events
from gongzhi.core.testing.world import make_person
from gongzhi.hours.models import RecordKind, RecordSource, ServiceRecord
from gongzhi.people.models import VolunteerProfile, VolunteerStatus
from gongzhi.people.services import volunteer_apply

SH = dt.timezone(dt.timedelta(hours=8))


class Facts:
    """The events' publishers, played by the test (the capability services may publish them just the same)."""

    def __init__(self, world):
        self.w = world
        self.seq = 100

    def volunteer(self, name: str, unit, *, active: bool = True) -> VolunteerProfile:
        self.seq += 2
        person = make_person(self.w, name, unit, seq=self.seq, phone=f"1380000{self.seq:04d}")
        profile = volunteer_apply(person=person, actor=self.w.user("district"), consent_confirmed=True)
        if active:
            self.volunteer_status(profile, VolunteerStatus.ACTIVE)
        return profile

    def volunteer_status(self, profile: VolunteerProfile, to: str) -> None:
        before = VolunteerProfile.objects.values_list("status", flat=True).get(pk=profile.pk)  # as stored
        VolunteerProfile.objects.filter(pk=profile.pk).update(status=to)
        profile.refresh_from_db()
        events.publish("people.volunteer_status_changed", profile=profile, from_status=before, to_status=to)

    def activity(self, unit, *, category: str = "convenience", starts: dt.datetime | None = None,
                 finished: bool = True, organiser=None, title: str = "活动") -> Activity:
        starts = starts or dt.datetime(2025, 3, 8, 9, 0, tzinfo=SH)
        a = Activity.objects.create(title=title, category=Category.objects.get(code=category), unit=unit,
                                    organiser=organiser, starts_at=starts, ends_at=starts + dt.timedelta(hours=3),
                                    capacity=30, status=ActivityStatus.ONGOING)
        if finished:
            self.finish(a)
        return a

    def finish(self, activity: Activity) -> None:
        self.status(activity, ActivityStatus.FINISHED)

    def status(self, activity: Activity, to: str) -> None:
        before = activity.status
        activity.status = to
        activity.save(update_fields=["status"])
        events.publish("activities.status_changed", activity=activity, from_status=before, to_status=to)

    def record(self, activity: Activity, volunteer: VolunteerProfile, hours: str, *, day: dt.date | None = None
               ) -> ServiceRecord:
        r = ServiceRecord.objects.create(volunteer=volunteer, activity=activity, unit_path=activity.unit.path,
                                         day=day or activity.starts_at.astimezone(SH).date(),
                                         hours=Decimal(hours), source=RecordSource.CHECKIN,
                                         confirmed_at=clock.now())
        events.publish("hours.record_added", record=r, replaced=None)
        return r

    def correct(self, old: ServiceRecord, hours: str, *, day: dt.date | None = None) -> ServiceRecord:
        r = ServiceRecord.objects.create(volunteer_id=old.volunteer_id, activity_id=old.activity_id,
                                         unit_path=old.unit_path, day=day or old.day, hours=Decimal(hours),
                                         source=old.source, kind=RecordKind.CORRECTION, supersedes=old,
                                         reason="更正时长", confirmed_at=clock.now())
        events.publish("hours.record_added", record=r, replaced=old)
        return r

    def revoke(self, old: ServiceRecord) -> ServiceRecord:
        r = ServiceRecord.objects.create(volunteer_id=old.volunteer_id, activity_id=old.activity_id,
                                         unit_path=old.unit_path, day=old.day, hours=Decimal(0), source=old.source,
                                         kind=RecordKind.REVOCATION, supersedes=old, reason="误录",
                                         confirmed_at=clock.now())
        events.publish("hours.record_added", record=r, replaced=old)
        return r

    def beneficiaries(self, activity: Activity, count: int, *, replaces: BeneficiaryCount | None = None
                      ) -> BeneficiaryCount:
        row = BeneficiaryCount.objects.create(activity=activity, count=count, supersedes=replaces,
                                              recorded_at=clock.now())
        events.publish("activities.beneficiaries_recorded", row=row, replaced=replaces)
        return row


@pytest.fixture
def facts(world):
    return Facts(world)


@pytest.fixture
def small_world(world, facts):
    """A hand-built district whose figures are worked out by hand in the tests (see test_api_dashboard)."""
    f = facts
    v1, v2 = f.volunteer("陈一", world.community_a), f.volunteer("陈二", world.community_a)
    v3, v4 = f.volunteer("陈三", world.community_b), f.volunteer("陈四", world.grid_a)
    f.volunteer("陈五", world.community_a, active=False)
    a1 = f.activity(world.community_a, category="convenience", title="便民理发",
                    starts=dt.datetime(2025, 3, 8, 9, tzinfo=SH), organiser=world.team_a)
    a2 = f.activity(world.grid_a, category="child_care", title="四点半课堂", starts=dt.datetime(2025, 5, 10, 15, tzinfo=SH))
    a3 = f.activity(world.community_b, category="environment", title="河道清理",
                    starts=dt.datetime(2025, 3, 20, 8, tzinfo=SH))
    a4 = f.activity(world.community_a2, category="convenience", title="家电维修", finished=False,
                    starts=dt.datetime(2025, 6, 1, 9, tzinfo=SH))
    a5 = f.activity(world.community_a, category="convenience", title="岁末送温暖",
                    starts=dt.datetime(2024, 12, 30, 9, tzinfo=SH))
    f.record(a1, v1, "3")
    f.record(a1, v1, "1", day=dt.date(2025, 3, 9))
    f.correct(f.record(a1, v2, "2"), "2.5")
    first = f.beneficiaries(a1, 40)
    f.beneficiaries(a1, 45, replaces=first)
    f.beneficiaries(a1, 5)
    f.record(a2, v4, "4")
    f.revoke(f.record(a2, v1, "2"))
    f.record(a3, v3, "1.5")
    f.beneficiaries(a3, 20)
    f.record(a4, v2, "1")
    f.record(a5, v1, "2")
    return {"v": [v1, v2, v3, v4], "a": [a1, a2, a3, a4, a5]}
