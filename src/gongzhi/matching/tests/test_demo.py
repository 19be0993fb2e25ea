"""The matching part of the 钢城区 demo: the seeds' resources, funded projects, survey needs and matches."""

from __future__ import annotations

import pytest
from django.db import transaction

from gongzhi.core.demo import demo_load
from gongzhi.matching.models import Match, Need, Project, Resource
from gongzhi.matching.selectors import summary


@pytest.fixture(scope="class")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield demo_load(residents=300, volunteers=120, log=lambda _line: None)
        transaction.set_rollback(True)


@pytest.mark.usefixtures("demo", "db")
class TestMatchingDemo:
    def test_resources_link_supermarkets_and_social_organisations(self, demo):
        assert "matching" in demo.apps
        shop = Resource.objects.get(name="永兴社区积分超市")
        assert shop.merchant is not None and shop.merchant.name == "永兴社区积分超市"
        assert Resource.objects.get(name="钢城区百善社会工作服务中心").organisation is not None
        assert {"merchant", "social_org", "clinic"} <= set(Resource.objects.values_list("kind", flat=True))
        assert not Resource.objects.filter(latitude__isnull=True).exists()

    def test_projects_funded_by_government_and_the_community_fund(self):
        warm = Project.objects.get(name="温暖小哥上门维修")
        assert (warm.funding, warm.status, warm.social_worker.username) == ("community_fund", "running",
                                                                           "demo-socialworker")
        assert Project.objects.get(name="“爱上门”助老服务项目").funding == "government"
        assert set(Project.objects.values_list("status", flat=True)) == {"planned", "running", "finished"}

    def test_survey_needs_matches_in_every_status_and_a_gap(self):
        assert Need.objects.filter(source="survey").count() >= 8
        assert set(Match.objects.values_list("status", flat=True)) == {"proposed", "agreed", "served", "withdrawn"}
        assert Need.objects.get(title="老旧楼道水电线路维修").status == "served"
        from gongzhi.accounts.models import User

        rows = {r.kind.code: r for r in summary(actor=User.objects.get(username="demo-district"))}
        assert rows["sanitation"].gap and not rows["elderly"].gap

    def test_needs_from_appeals_when_the_appeals_demo_ran(self):
        from gongzhi.appeals.models import Appeal

        livelihood = Appeal.objects.filter(category__code__startswith="S").exists()
        assert Need.objects.filter(source="appeal", appeal__isnull=False).exists() == livelihood
