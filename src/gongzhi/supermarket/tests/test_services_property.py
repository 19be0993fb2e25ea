"""Property: any sequence of counter redemptions, orders, pick-ups, cancellations and retries keeps stock, balances
and the ledger consistent — stock equals its movements and never goes below zero, no balance is negative, a retried
key never spends twice, and ``ledger_findings`` is empty (R-J2)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongzhi.core.errors import DomainError
from gongzhi.points.models import Account, AccountKind
from gongzhi.points.selectors import ledger_findings
from gongzhi.supermarket import services
from gongzhi.supermarket.models import (
    CatalogueItem,
    MerchantKind,
    Redemption,
    RedemptionStatus,
    StockMovement,
)

from .conftest import give

OPS = st.lists(st.one_of(
    st.tuples(st.just("redeem"), st.sampled_from(["counter", "order"]), st.integers(0, 1), st.integers(1, 4),
              st.integers(0, 5)),
    st.tuples(st.just("pickup"), st.integers(0, 20)),
    st.tuples(st.just("cancel"), st.integers(0, 20)),
    st.tuples(st.just("restock"), st.integers(0, 1), st.integers(-3, 5)),
), min_size=1, max_size=25)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS)
def test_random_redemption_sequences_keep_stock_and_ledger_consistent(world, ops):
    with transaction.atomic():
        d, clerk = world.user("district"), world.user("merchant")
        person = world.people["resident"]
        m = services.merchant_create(unit=world.community_a, name="永兴社区积分超市", kind=MerchantKind.STORE, actor=d)
        services.merchant_staff_add(merchant=m, user=clerk, actor=d)
        items = [services.item_create(merchant=m, data=services.ItemInput(name=n, points_price=p), stock=s, actor=d)
                 for n, p, s in (("洗衣液", 10, 3), ("鸡蛋", 3, 6))]
        give(person, 60)
        keys: dict[str, int] = {}
        for op in ops:
            try:
                with transaction.atomic():
                    if op[0] == "redeem":
                        _, channel, which, quantity, key = op
                        item = CatalogueItem.objects.get(pk=items[which].pk)
                        r = services.redemption_create(merchant=m, person=person, item=item, quantity=quantity,
                                                       channel=channel, actor=clerk,
                                                       idempotency_key=f"{channel}-{which}-{quantity}-{key}")
                        first = keys.setdefault(f"{channel}-{which}-{quantity}-{key}", r.pk)
                        assert first == r.pk  # a retry answers the first redemption
                    elif op[0] in ("pickup", "cancel"):
                        rows = list(Redemption.objects.order_by("pk"))
                        if rows:
                            r = rows[op[1] % len(rows)]
                            if op[0] == "pickup":
                                services.redemption_pickup(redemption=r, actor=clerk)
                            else:
                                services.redemption_cancel(redemption=r, actor=clerk)
                    else:
                        services.item_stock_change(item=items[op[1]], change=op[2], reason="adjust", actor=d)
            except DomainError:
                pass
        for item in CatalogueItem.objects.filter(merchant=m):
            assert item.stock >= 0
            assert item.stock == StockMovement.objects.filter(item=item).aggregate(s=Sum("change"))["s"]
        live = Redemption.objects.exclude(status=RedemptionStatus.CANCELLED)
        spent = live.aggregate(s=Sum("points"))["s"] or 0
        assert Account.objects.get(person=person).balance == 60 - spent >= 0
        assert Account.objects.get(pk=m.account_id).balance == spent
        assert len(keys) == Redemption.objects.count()
        for r in Redemption.objects.all():
            assert list(r.events.values_list("to_status", flat=True))[-1] == r.status
        assert not Account.objects.filter(kind=AccountKind.PERSON, balance__lt=0).exists()
        assert ledger_findings() == []
        transaction.set_rollback(True)
