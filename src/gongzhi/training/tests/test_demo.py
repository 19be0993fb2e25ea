"""The training part of the 钢城区 demo: seed courses, a year of sessions with > 500 人次, sessions to enrol in."""

from __future__ import annotations

import pytest
from django.db import transaction

from gongzhi.conftest import ApiClient
from gongzhi.core import clock
from gongzhi.core.demo import demo_load
from gongzhi.training.models import AttendanceMark, Course, Enrolment, Session, SessionStatus


@pytest.fixture(scope="class")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield demo_load(residents=800, volunteers=300, log=lambda _line: None)
        transaction.set_rollback(True)


@pytest.mark.usefixtures("demo", "db")
class TestTrainingDemo:
    def test_seed_courses_at_district_and_street_level(self, demo):
        """The seeds' courses exist, graded by level, at the district and at streets."""
        assert "training" in demo.apps
        titles = set(Course.objects.values_list("title", flat=True))
        assert {"网格员履职能力提升培训", "党建引领社区治理专题培训", "社区书记先锋论坛", "急救技能培训",
                "《社区志愿者手册》通识培训"} <= titles
        kinds = set(Course.objects.values_list("unit__kind", flat=True))
        assert {"district", "street"} <= kinds
        assert set(Course.objects.values_list("level", flat=True)) == {"general", "basic", "intermediate", "advanced"}

    def test_a_year_of_sessions_with_more_than_500_attendances(self):
        """About 20 sessions were held over the past year; current marks count more than 500 人次."""
        held = Session.objects.filter(status=SessionStatus.HELD)
        assert 18 <= held.count() <= 25
        assert all(s.starts_at < clock.now() for s in held)
        assert AttendanceMark.objects.current().filter(attended=True).count() > 500
        for s in held:
            assert s.enrolled_count == s.enrolments.count() <= s.capacity
        # every enrolee is registered under the course's unit (the course is open to them)
        for e in Enrolment.objects.select_related("volunteer__unit", "session__course__unit")[:300]:
            assert e.volunteer.unit.path.startswith(e.session.course.unit.path)
        corrections = AttendanceMark.objects.filter(supersedes__isnull=False)
        assert corrections.exists() and all(m.supersedes.passed is False for m in corrections)

    def test_demo_volunteer_can_enrol_in_an_upcoming_session(self):
        """demo-volunteer sees upcoming sessions with places and enrols; their record shows past training."""
        from gongzhi.accounts.models import User

        client = ApiClient(User.objects.get(username="demo-volunteer"))
        upcoming = client.get("training/sessions", upcoming="true").json()["items"]
        assert len(upcoming) >= 2 and all(s["places_left"] > 0 for s in upcoming)
        r = client.post(f"training/sessions/{upcoming[0]['id']}/enrolments", {})
        assert r.status_code == 201, r.content
        mine = client.get("me/training").json()
        assert mine["courses_completed"] >= 1 and mine["history"]
