"""The dispatch part of the demo: a 温暖小哥-style repair team's 水电维修 orders, taken and done; open orders on the
demo volunteer's board; the candidate table built."""

from __future__ import annotations

import pytest
from django.db import transaction

from gongzhi.core.demo import demo_load
from gongzhi.dispatch import selectors
from gongzhi.dispatch.models import Candidate, Order, OrderState
from gongzhi.people.models import VolunteerProfile


@pytest.fixture(scope="class")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield demo_load(residents=300, volunteers=120, log=lambda _line: None)
        transaction.set_rollback(True)


@pytest.mark.usefixtures("demo", "db")
class TestDispatchDemo:
    def test_the_repair_team_fixed_the_tap_and_one_order_waits(self, demo):
        assert "dispatch" in demo.apps
        repairs = Order.objects.filter(team__name="金鼎社区便民维修邻里志愿服务队", skill__code="plumbing_electric")
        assert repairs.filter(title="家里水龙头坏了", state=OrderState.DONE).exists()
        assert repairs.filter(state=OrderState.OPEN).count() == 1
        done = repairs.filter(state=OrderState.DONE).first()
        assert done.taken_at > done.created_at and done.first_action_at and done.done_at

    def test_the_demo_volunteer_has_orders_on_the_board_and_the_candidates_are_built(self, demo):
        from gongzhi.accounts.models import User

        _profile, items = selectors.board(actor=User.objects.get(username="demo-volunteer"))
        assert len(items) >= 2
        assert Candidate.objects.count() == VolunteerProfile.objects.count()
