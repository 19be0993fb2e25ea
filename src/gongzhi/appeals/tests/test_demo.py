"""The appeals part of the 钢城区 demo: a year of requests from every channel in realistic states, built by the services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.db.models import Count
from django.test import Client
from django.utils import timezone

from gongzhi.appeals.models import Appeal, AppealEvent, AppealState, Channel
from gongzhi.appeals.selectors import overdue_q
from gongzhi.core import clock
from gongzhi.core.demo import demo_load
from gongzhi.points.models import PointsTransaction


@pytest.fixture(scope="class")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield demo_load(residents=300, volunteers=120, log=lambda _line: None)
        transaction.set_rollback(True)


@pytest.mark.usefixtures("demo", "db")
class TestAppealsDemo:
    def test_a_few_hundred_appeals_over_the_year_from_every_channel(self, demo):
        assert "appeals" in demo.apps
        assert 200 <= Appeal.objects.count() <= 400
        channels = dict(Appeal.objects.values_list("channel").annotate(n=Count("pk")))
        assert set(channels) == {Channel.PHOTO_REPORT, Channel.HOTLINE, Channel.WALK_IN, Channel.SECRETARY_MEETING,
                                 Channel.GRID_VISIT}
        oldest = Appeal.objects.order_by("submitted_at").first().submitted_at
        assert clock.now() - oldest > dt.timedelta(days=300)
        texts = " ".join(Appeal.objects.values_list("description", flat=True))
        for words in ("路灯损坏", "垃圾堆积", "家里水龙头坏了", "供暖不足", "物业管理纠纷", "房屋漏水"):
            assert words in texts

    def test_realistic_states(self):
        """Most closed with a rating; some open, some overdue; a few reopened (R-H5), refused (R-H2), merged."""
        total = Appeal.objects.count()
        closed = Appeal.objects.filter(state=AppealState.CLOSED)
        assert closed.count() > total / 2
        assert not closed.filter(rating__isnull=True).exists()
        assert Appeal.objects.exclude(state__in=[AppealState.CLOSED, AppealState.REJECTED,
                                                 AppealState.MERGED]).count() >= 10
        assert Appeal.objects.filter(overdue_q()).exists()
        assert Appeal.objects.filter(reopen_count__gt=0).exists()
        assert Appeal.objects.filter(state=AppealState.REJECTED).exclude(reject_reason="").exists()
        merged = Appeal.objects.filter(state=AppealState.MERGED).select_related("merged_into")
        assert merged.exists()
        assert all(m.merged_into.category_id == m.category_id for m in merged)

    def test_every_step_is_an_event_in_time_order(self):
        """The history was written by the services at past moments: one event per transition, never in the future."""
        assert not AppealEvent.objects.filter(at__gt=clock.now()).exists()
        closed = Appeal.objects.filter(state=AppealState.CLOSED).first()
        actions = list(closed.events.values_list("action", flat=True))
        assert actions[0] == "submit" and actions[-1] == "close"
        assert {"accept", "dispatch", "resolve", "inform", "rate", "visit"} <= set(actions)
        times = list(closed.events.values_list("at", flat=True))
        assert times == sorted(times)
        assert closed.number[2:10] == timezone.localtime(closed.submitted_at).strftime("%Y%m%d")  # backdated

    def test_riders_reports_earned_points(self):
        """An accepted 随手拍 earns its reporter the report item (the points app's subscriber)."""
        assert PointsTransaction.objects.filter(idempotency_key__startswith="appeals:report:").exists()

    def test_the_public_page_shows_the_demo(self):
        r = Client().get("/appeals/public/?period=year")
        assert r.status_code == 200
        assert "艾山街道" in r.content.decode()
