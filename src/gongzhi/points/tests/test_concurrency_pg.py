"""Sixteen parallel redemptions against one person's balance: never negative, total conserved, verify passes.

Real parallel transactions need PostgreSQL's row locks (SQLite serialises writers by locking the whole file)."""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.db import connection, connections

from gongzhi.core.errors import DomainError
from gongzhi.points import selectors, services
from gongzhi.points.models import Account, PointsTransaction, TxKind
from gongzhi.points.services import Leg

from .factories import adopt, give, person_in

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True),
              pytest.mark.skipif("postgresql" not in settings.DATABASES["default"]["ENGINE"],
                                 reason="needs PostgreSQL row locks")]

THREADS = 24


def test_parallel_redemptions_never_overdraw(world):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    adopt(world)
    person = person_in(world)
    give(world, person, 50)
    before = sum(Account.objects.values_list("balance", flat=True))
    barrier = threading.Barrier(THREADS)
    refused, posted, errors = [], [], []

    def redeem(i: int):
        try:
            barrier.wait()
            tx = services.transaction_post(
                kind=TxKind.REDEMPTION, unit=person.unit, idempotency_key=f"pg-{i % 20}",  # 4 retries of a key
                legs=[Leg(services.account_for_person(person), -7), Leg(services.pool_for_unit(person.unit), 7)],
                reason="兑换", actor=None)
            posted.append(tx.pk)
        except DomainError as exc:
            refused.append(exc.code)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=redeem, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    account = Account.objects.get(person=person)
    redemptions = PointsTransaction.objects.filter(kind=TxKind.REDEMPTION).count()
    assert redemptions == 7  # 50 // 7, each key at most once
    assert account.balance == 50 - 7 * redemptions >= 0
    assert set(refused) <= {"points.insufficient_balance"}
    assert sum(Account.objects.values_list("balance", flat=True)) == before
    assert selectors.ledger_findings() == []
