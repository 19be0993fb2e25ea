"""The activities demo: a year of activities in the seeds' range, counters consistent, upcoming ones to join."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.db.models import Count, Q, Sum

from gongzhi.accounts.models import User
from gongzhi.activities.models import (
    Activity,
    ActivityStatus,
    BeneficiaryCount,
    InsurancePolicy,
    Project,
    Signup,
    SignupStatus,
)
from gongzhi.activities.selectors import activity_list, audience_allows, covering_policy
from gongzhi.core.demo import demo_load
from gongzhi.people.models import VolunteerStatus


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield demo_load(log=lambda line: None)
        transaction.set_rollback(True)


@pytest.mark.usefixtures("demo", "db")
class TestActivitiesDemo:
    def test_a_year_in_the_seeds_range(self):
        """480余场次, 8000余人次, 惠及群众4.5万人次 (the seeds' yearly figures)."""
        finished = Activity.objects.filter(status=ActivityStatus.FINISHED)
        assert 470 <= finished.count() <= 500
        confirmed = Signup.objects.filter(activity__in=finished, status=SignupStatus.CONFIRMED).count()
        assert 7800 <= confirmed <= 8600
        total = BeneficiaryCount.objects.filter(activity__in=finished, superseded_by__isnull=True).aggregate(
            n=Sum("count"))["n"]
        assert 43_000 <= total <= 47_000
        assert not finished.filter(beneficiaries__isnull=True).exists()
        assert {"天更蓝水更清", "文明交通引导", "钢城无孤", "暑期五彩课堂", "红马甲一刻钟"} <= set(
            Project.objects.values_list("name", flat=True))

    def test_counters_agree_with_the_signups_and_capacity(self):
        rows = Activity.objects.annotate(
            c=Count("signups", filter=Q(signups__status=SignupStatus.CONFIRMED)),
            w=Count("signups", filter=Q(signups__status=SignupStatus.WAITLISTED)))
        for a in rows:
            assert (a.confirmed_count, a.waitlist_count) == (a.c, a.w), a.title
            assert a.confirmed_count <= a.capacity
        assert not Signup.objects.exclude(volunteer__status=VolunteerStatus.ACTIVE).exists()

    def test_each_signup_fits_the_audience(self):
        for s in Signup.objects.select_related("activity__unit", "volunteer__unit", "volunteer__person")[:3000]:
            assert audience_allows(s.activity, home=s.volunteer.unit, person=s.volunteer.person), s.activity.title

    def test_upcoming_activities_the_demo_volunteer_can_join(self):
        me = User.objects.get(username="demo-volunteer")
        upcoming = activity_list(actor=me, status=ActivityStatus.PUBLISHED)
        assert upcoming.count() >= 4
        assert any(a.waitlist_count for a in upcoming)
        assert any(a.confirmed_count < a.capacity and not a.signups.filter(volunteer__person__user=me).exists()
                   for a in upcoming)

    def test_dangerous_activity_has_a_policy(self):  # R-V10
        [drill] = Activity.objects.filter(category__dangerous=True)
        assert drill.status == ActivityStatus.PUBLISHED
        assert covering_policy(drill) == InsurancePolicy.objects.get()
