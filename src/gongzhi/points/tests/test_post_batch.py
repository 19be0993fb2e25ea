"""Several awards posted together (a confirmed record's hours slot and category slot) in one batch of statements
keep every promise of posting them one by one: balanced postings, balances moved once, and a key committed meanwhile
by a concurrent request answered as a retry would be (R-J4)."""

from __future__ import annotations

import pytest

from gongzhi.points import services
from gongzhi.points.models import Account, PointsTransaction, Posting, TxKind
from gongzhi.points.services import Leg, _post_batch, _tx_digest

from .factories import person_in

pytestmark = pytest.mark.django_db


def entries(world, person, amounts: dict[str, int]) -> tuple[list[dict], dict[int, Account]]:
    mine, pool = services.account_for_person(person), services.pool_for_unit(world.community_a)
    locked = services._lock_accounts([mine.pk, pool.pk])
    out = []
    for key, amount in amounts.items():
        legs = [Leg(locked[pool.pk], -amount), Leg(locked[mine.pk], amount)]
        out.append(dict(kind=TxKind.AWARD, unit=world.community_a, idempotency_key=key, legs=legs, reason="志愿服务",
                        actor=None, source=("test.batch", 1),
                        digest=_tx_digest(kind=TxKind.AWARD, unit=world.community_a, legs=legs, reason="志愿服务",
                                          rule_item=None, source=("test.batch", 1), reverses=None)))
    return out, locked


def test_a_batch_posts_each_transaction_balanced_and_moves_each_balance_once(world):
    person = person_in(world)
    batch, _ = entries(world, person, {"batch:hours": 2, "batch:category": 3})
    txs = _post_batch(batch, locked=_)
    assert [t.idempotency_key for t in txs] == ["batch:hours", "batch:category"]
    assert all(t.posted_now for t in txs)
    for t in txs:
        assert sorted(Posting.objects.filter(transaction=t).values_list("amount", flat=True)) in ([-2, 2], [-3, 3])
    assert Account.objects.get(person=person).balance == 5
    assert Account.objects.get(unit=world.community_a, kind="pool").balance == -5


def test_a_key_committed_meanwhile_is_answered_as_a_retry_and_the_rest_still_posted(world):
    person = person_in(world)
    first, locked = entries(world, person, {"batch:hours": 2})
    [already] = _post_batch(first, locked=locked)  # a concurrent request's commit, as far as the batch can tell
    batch, locked = entries(world, person, {"batch:hours": 2, "batch:category": 3})
    txs = _post_batch(batch, locked=locked)
    assert txs[0].pk == already.pk and not getattr(txs[0], "posted_now", False)
    assert txs[1].posted_now
    assert PointsTransaction.objects.filter(idempotency_key__startswith="batch:").count() == 2
    assert Account.objects.get(person=person).balance == 5  # the 2 once, the 3 once


def test_the_same_key_with_other_content_is_still_refused(world):
    person = person_in(world)
    first, locked = entries(world, person, {"batch:hours": 2})
    _post_batch(first, locked=locked)
    batch, locked = entries(world, person, {"batch:hours": 4, "batch:category": 3})
    with pytest.raises(Exception) as info:
        _post_batch(batch, locked=locked)
    assert getattr(info.value, "code", "") == "points.idempotency_conflict"
    assert not PointsTransaction.objects.filter(idempotency_key="batch:category").exists()
