"""Fixtures for the supermarket tests: 永兴社区积分超市 served by the world's ``merchant`` login, its goods, points."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pytest

from gongzhi.points.models import TxKind
from gongzhi.points.services import Leg, account_for_person, pool_for_unit, transaction_post
from gongzhi.supermarket import services
from gongzhi.supermarket.models import CatalogueItem, Merchant, MerchantKind

_keys = itertools.count(1)


def give(person, points: int) -> None:
    """Award points from the person's unit pool (the way the points app does)."""
    transaction_post(kind=TxKind.AWARD, unit=person.unit, idempotency_key=f"test-give-{next(_keys)}-{person.pk}",
                     legs=[Leg(pool_for_unit(person.unit), -points), Leg(account_for_person(person), points)],
                     reason="测试奖励", actor=None)


def balance(person) -> int:
    return account_for_person(person).balance


@dataclass
class Shop:
    merchant: Merchant
    soap: CatalogueItem  # 洗衣液 10 points, stock 5
    oil: CatalogueItem  # 食用油 30 points, stock 20
    other: Merchant  # 洪沟社区便民超市 (another street), with its own item
    other_item: CatalogueItem


@pytest.fixture
def shop(world) -> Shop:
    d = world.user("district")
    m = services.merchant_create(unit=world.community_a, name="永兴社区积分超市", kind=MerchantKind.STORE,
                                 address="永兴社区党群服务中心一楼", fen_per_point=10, actor=d)
    services.merchant_staff_add(merchant=m, user=world.user("merchant"), actor=d)
    soap = services.item_create(merchant=m, data=services.ItemInput(name="洗衣液", points_price=10), stock=5, actor=d)
    oil = services.item_create(merchant=m, data=services.ItemInput(name="食用油", points_price=30), stock=20, actor=d)
    other = services.merchant_create(unit=world.community_b, name="洪沟便民超市", kind=MerchantKind.STORE,
                                     fen_per_point=8, actor=d)
    other_item = services.item_create(merchant=other, data=services.ItemInput(name="鸡蛋", points_price=5),
                                      stock=50, actor=d)
    give(world.people["resident"], 100)
    return Shop(m, soap, oil, other, other_item)


@pytest.fixture
def token(world):
    return lambda who="resident": services.member_token_create(person=world.people[who])
