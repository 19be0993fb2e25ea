"""The supermarket part of the 钢城区 demo: 永兴社区积分超市 served by demo-merchant, village shops, redemptions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.db.models import Sum

from gongzhi.core import clock
from gongzhi.core.demo import demo_load
from gongzhi.points.models import Account, AccountKind
from gongzhi.supermarket.models import CatalogueItem, Merchant, Redemption, StockMovement


@pytest.fixture(scope="class")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield demo_load(residents=300, volunteers=120, log=lambda _line: None)
        transaction.set_rollback(True)


@pytest.mark.usefixtures("demo", "db")
class TestSupermarketDemo:
    def test_shops_and_goods(self, demo):
        """永兴's 积分超市 is staffed by demo-merchant; 卫生室, 药店, 汽修点 in villages; 洗衣液 … 洗车券 on the shelf."""
        assert "supermarket" in demo.apps
        yx = Merchant.objects.get(name="永兴社区积分超市")
        assert list(yx.staff.values_list("username", flat=True)) == ["demo-merchant"]
        kinds = set(Merchant.objects.filter(unit__kind="village").values_list("kind", flat=True))
        assert {"clinic", "pharmacy", "garage"} <= kinds
        names = set(CatalogueItem.objects.values_list("name", flat=True))
        assert {"洗衣液", "食用油", "鸡蛋", "理发优惠券", "药品九折券", "洗车券"} <= names

    def test_redemptions_keep_stock_and_ledger_consistent(self):
        """Every item's stock equals its movements; shop accounts hold exactly what was redeemed and not cancelled;
        no person balance is negative."""
        for item in CatalogueItem.objects.all():
            assert item.stock == StockMovement.objects.filter(item=item).aggregate(s=Sum("change"))["s"]
        for m in Merchant.objects.select_related("account"):
            redeemed = Redemption.objects.filter(merchant=m).exclude(status="cancelled").aggregate(
                s=Sum("points"))["s"] or 0
            assert m.account.balance == redeemed
        assert not Account.objects.filter(kind=AccountKind.PERSON, balance__lt=0).exists()

    def test_past_redemptions_from_the_points_demos_balances(self):
        """The points demo's balances pay for past counter redemptions and orders at 永兴 and in the villages."""
        yx = Redemption.objects.filter(merchant__name="永兴社区积分超市")
        assert yx.filter(channel="counter", status="completed", created_by__username="demo-merchant").count() >= 5
        assert yx.filter(channel="order").exists()
        assert Redemption.objects.filter(merchant__unit__kind="village").exists()
        # spread over the past five weeks, each at the time of its ledger transaction
        assert yx.filter(created_at__lt=clock.now() - dt.timedelta(days=7)).exists()
        assert all(r.created_at == r.transaction.created_at for r in yx)
