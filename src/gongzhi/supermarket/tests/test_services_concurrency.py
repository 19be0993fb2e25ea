"""Concurrent redemptions (PostgreSQL): 20 counters at once, one balance, one small stock (R-J2, issue 4 "Done")."""

from __future__ import annotations

import threading

import pytest
from django.core.management import call_command, get_commands
from django.db import connection, connections
from django.db.models import Sum

from gongzhi.core.errors import DomainError
from gongzhi.points.models import Account, AccountKind, PointsTransaction, Posting
from gongzhi.supermarket import services
from gongzhi.supermarket.models import CatalogueItem, Merchant, MerchantKind, Redemption

from .conftest import give

pytestmark = [pytest.mark.postgres_only,
              pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")]

THREADS = 20


def _race(n, fn) -> list[str]:
    barrier = threading.Barrier(n)
    outcomes: list[str] = []

    def run(i):
        try:
            barrier.wait()
            fn(i)
            outcomes.append("ok")
        except DomainError as err:
            outcomes.append(err.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(outcomes) == n, "a thread did not finish"
    return sorted(outcomes)


def _invariants() -> None:
    """Every transaction sums to zero, every balance equals its postings, no person below zero."""
    for tx in PointsTransaction.objects.annotate(total=Sum("postings__amount")):
        assert tx.total == 0, tx
    for account in Account.objects.annotate(total=Sum("postings__amount")):
        assert account.balance == (account.total or 0), account
    assert not Account.objects.filter(kind=AccountKind.PERSON, balance__lt=0).exists()
    assert Account.objects.aggregate(s=Sum("balance"))["s"] == 0 == Posting.objects.aggregate(s=Sum("amount"))["s"]
    if "ledger" in get_commands():  # the points app's `gongzhi ledger verify` (exits non-zero on a breach)
        call_command("ledger", "verify")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # keeps migration-seeded rows for later tests
def test_parallel_counters_never_oversell_nor_overdraw(world):
    """Round 1: 20 counters redeem one 洗衣液 (stock 5) from a balance of 70 → exactly 5 succeed, 15 out of stock.
    Round 2: 20 counters redeem 食用油 (stock 10, 10 points) from the 20 points left → exactly 2 succeed, 18 short.
    A retry storm with one key (round 3) is one redemption. The ledger's invariants hold after every round."""
    d = world.user("district")
    person = world.people["resident"]
    merchant = services.merchant_create(unit=world.community_a, name="永兴社区积分超市", kind=MerchantKind.STORE,
                                        actor=d)
    soap = services.item_create(merchant=merchant, data=services.ItemInput(name="洗衣液", points_price=10), stock=5,
                                actor=d)
    oil = services.item_create(merchant=merchant, data=services.ItemInput(name="食用油", points_price=10), stock=10,
                               actor=d)
    egg = services.item_create(merchant=merchant, data=services.ItemInput(name="鸡蛋", points_price=1), stock=100,
                               actor=d)
    give(person, 71)
    give(world.people["a"], 40)  # a bystander whose balance must not move
    total_before = Account.objects.filter(kind=AccountKind.PERSON).aggregate(s=Sum("balance"))["s"]

    def redeem(item, key):
        services.redemption_create(merchant=Merchant.objects.get(pk=merchant.pk), person=person,
                                   item=CatalogueItem.objects.get(pk=item.pk), quantity=1, channel="counter",
                                   actor=d, idempotency_key=key)

    assert _race(THREADS, lambda i: redeem(soap, f"soap-{i}")) == ["ok"] * 5 + ["supermarket.out_of_stock"] * 15
    assert CatalogueItem.objects.get(pk=soap.pk).stock == 0
    _invariants()
    assert _race(THREADS, lambda i: redeem(oil, f"oil-{i}")) == ["ok"] * 2 + ["points.insufficient_balance"] * 18
    assert CatalogueItem.objects.get(pk=oil.pk).stock == 8
    _invariants()
    assert _race(THREADS, lambda i: redeem(egg, "the-same-key")) == ["ok"] * THREADS
    assert Redemption.objects.filter(item=egg).count() == 1 and CatalogueItem.objects.get(pk=egg.pk).stock == 99
    _invariants()

    account = Account.objects.get(person=person)
    assert account.balance == 0
    assert Account.objects.get(person=world.people["a"]).balance == 40
    moved = Redemption.objects.aggregate(s=Sum("points"))["s"]
    assert moved == 71
    merchant.account.refresh_from_db()
    assert merchant.account.balance == moved
    total_after = Account.objects.filter(kind=AccountKind.PERSON).aggregate(s=Sum("balance"))["s"]
    assert total_before - total_after == moved
