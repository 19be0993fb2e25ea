"""The recognition part of the 钢城区 demo: star levels in order, certificates, ratings, last year's honours."""

from __future__ import annotations

import pytest
from django.db import transaction

from gongzhi.conftest import ApiClient
from gongzhi.core.demo import demo_load
from gongzhi.recognition import selectors
from gongzhi.recognition.models import Certificate, HonourList, Rating, StarAward, StarCandidateList


@pytest.fixture(scope="class")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield demo_load(residents=800, volunteers=300, log=lambda _line: None)
        transaction.set_rollback(True)


@pytest.mark.usefixtures("demo", "db")
class TestRecognitionDemo:
    def test_star_awards_follow_the_thresholds_in_order(self, demo):
        """R-V8: every award row is one level above the previous row of that volunteer; hours reach it."""
        assert "recognition" in demo.apps
        assert StarCandidateList.objects.exists()
        awards = list(StarAward.objects.order_by("volunteer_id", "approved_at", "pk").select_related("volunteer__unit"))
        last: dict[int, int] = {}
        for a in awards:
            assert a.level == last.get(a.volunteer_id, 0) + 1
            assert selectors.star_level_for(a.hours_at_award, a.volunteer.unit) >= a.level
            assert a.approved_by_id != a.candidate.candidate_list.published_by_id
            last[a.volunteer_id] = a.level

    def test_demo_volunteer_has_an_issued_certificate_that_verifies(self, demo):
        from gongzhi.accounts.models import User

        cert = Certificate.objects.filter(volunteer__person__user__username="demo-volunteer", status="issued").first()
        if cert is None:
            pytest.skip("demo-volunteer served nothing in 永兴社区 in this demo size")
        body = ApiClient(None).get(f"recognition/certificates/verify/{cert.verify_code}").json()
        assert body["valid"] is True and body["volunteer_name"] == "亓晓雯"
        me = ApiClient(User.objects.get(username="demo-volunteer")).get("me/recognition").json()
        assert me["name"] == "亓晓雯"
        assert Certificate.objects.filter(status__in=["requested", "accepted"]).exists()

    def test_ratings_and_honours(self, demo):
        assert Rating.objects.exists()
        assert set(Rating.objects.values_list("score", flat=True)) <= {1, 2, 3, 4, 5}
        lists = HonourList.objects.all()
        assert lists.exists() and all(1 <= hl.honours.count() <= 10 for hl in lists)
        for hl in lists:
            scores = list(hl.honours.order_by("rank").values_list("score", flat=True))
            assert scores == sorted(scores, reverse=True)
