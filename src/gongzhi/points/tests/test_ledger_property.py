"""Property-based: random sequences of awards, redemptions, reversals and retries (repeated idempotency keys) keep
every ledger invariant, and a retry never posts twice."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongzhi.core.errors import DomainError
from gongzhi.points import selectors, services
from gongzhi.points.models import Account, AccountKind, PointsTransaction, TxKind
from gongzhi.points.services import Leg

from .factories import adopt, person_in

OPS = st.lists(
    st.one_of(
        st.tuples(st.just("award"), st.integers(0, 2), st.integers(1, 60), st.integers(0, 7)),
        st.tuples(st.just("redeem"), st.integers(0, 2), st.integers(1, 60), st.integers(0, 7)),
        st.tuples(st.just("reverse"), st.integers(0, 30), st.just(0), st.integers(0, 7)),
        st.tuples(st.just("deduct"), st.integers(0, 2), st.integers(1, 10), st.integers(0, 7)),
    ),
    min_size=1, max_size=25,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS)
def test_random_sequences_keep_the_ledger_sound(world, ops):
    from django.db import transaction

    with transaction.atomic():
        adopt(world)
        people = [person_in(world, f"属性{i}") for i in range(3)]
        actor = world.user("district")
        results: dict[str, int] = {}  # key → tx id of the first success
        for op, who, amount, key_no in ops:
            key = f"{op}-{key_no}"
            before = PointsTransaction.objects.count()
            try:
                with transaction.atomic():
                    if op == "award":
                        tx = services.award_grant(person=people[who], reason="属性测试", actor=actor,
                                                  idempotency_key=key, points=amount)
                    elif op == "redeem":
                        person = people[who]
                        tx = services.transaction_post(
                            kind=TxKind.REDEMPTION, unit=person.unit, idempotency_key=key,
                            legs=[Leg(services.account_for_person(person), -amount),
                                  Leg(services.pool_for_unit(person.unit), amount)], reason="兑换", actor=None)
                    elif op == "deduct":
                        d = services.deduction_enter(person=people[who], reason="属性测试扣分",
                                                     actor=world.user("socialworker"), points=amount)
                        tx = services.deduction_approve(deduction=d, actor=world.user("community")).transaction
                        key = None
                    else:
                        txs = list(PointsTransaction.objects.exclude(kind=TxKind.REVERSAL).order_by("pk"))
                        if not txs:
                            continue
                        tx = services.transaction_reverse_by(original=txs[who % len(txs)], reason="录入错误",
                                                             actor=actor, idempotency_key=key)
                        key = f"reverse:{tx.reverses_id}"
            except DomainError:
                assert PointsTransaction.objects.count() == before  # a refusal posts nothing
                continue
            if key is not None and key in results:
                assert tx.pk == results[key], "a retry returned another transaction"
                assert PointsTransaction.objects.count() == before, "a retry posted again"
            elif key is not None and tx is not None:
                results[key] = tx.pk
        assert selectors.ledger_findings() == []
        assert all(a.balance >= 0 for a in Account.objects.filter(kind=AccountKind.PERSON))
        assert sum(Account.objects.values_list("balance", flat=True)) == 0  # double entry: nothing created or lost
        transaction.set_rollback(True)
