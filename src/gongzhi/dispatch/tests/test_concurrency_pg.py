"""Twenty volunteers take the same order at once: exactly one wins, nineteen get 409, the appeal has one handler.

Real parallel transactions need PostgreSQL's row locks (SQLite serialises writers by locking the whole file).
"""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.db import connection, connections

from gongzhi.appeals import services as appeal_services
from gongzhi.core.errors import DomainError
from gongzhi.dispatch import services
from gongzhi.dispatch.models import Order, OrderEvent, OrderState

from .conftest import make_volunteer

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif("postgresql" not in settings.DATABASES["default"]["ENGINE"], reason="needs PostgreSQL"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _race(order_pk: int, users) -> tuple[list, list]:
    barrier = threading.Barrier(len(users))
    won, refused, other = [], [], []

    def take(user):
        try:
            barrier.wait()
            services.order_take(order=Order.objects.get(pk=order_pk), actor=user)
            won.append(user.pk)
        except DomainError as exc:
            refused.append(exc.code)
        except Exception as exc:  # noqa: BLE001 - reported below
            other.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=take, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert other == []
    return won, refused


def test_twenty_parallel_takers_one_winner(world, located):
    assert connection.vendor == "postgresql"
    users = [make_volunteer(world, f"志愿者{i:02d}", world.community_a).person.user for i in range(20)]
    order = services.order_create(actor=world.user("community"), title="家里水龙头坏了", unit=world.community_a)
    won, refused = _race(order.pk, users)
    assert len(won) == 1 and refused == ["dispatch.already_taken"] * 19
    order.refresh_from_db()
    assert (order.state, order.taker_id) == (OrderState.TAKEN, won[0])
    assert OrderEvent.objects.filter(order=order, action="take").count() == 1


def test_twenty_parallel_takers_of_an_appeal_order_one_handler(world, located):
    users = [make_volunteer(world, f"志愿者{i:02d}", world.community_a).person.user for i in range(20)]
    data = appeal_services.AppealInput(channel="walk_in", category_code="S04", description="楼道堆满杂物",
                                       unit=world.community_a)
    appeal = appeal_services.appeal_submit(data=data, actor=world.user("community"))
    appeal = appeal_services.appeal_accept(appeal=appeal, actor=world.user("community"))
    appeal = appeal_services.appeal_dispatch(appeal=appeal, actor=world.user("community"), unit=world.community_a)
    order = Order.objects.get(appeal=appeal)
    won, refused = _race(order.pk, users)
    assert len(won) == 1 and len(refused) == 19
    appeal.refresh_from_db()
    assert appeal.assignee_user_id == won[0]
    assert appeal.events.filter(action="take").count() == 1
