"""The points supermarkets of the 钢城区 demo: 永兴社区积分超市 ("以服务积分兑换生活用品") served by the
``demo-merchant`` login, and 定陶-style village shops (卫生室, 药店, 汽修点: "随时可在各镇街便民超市、卫生室、药店、
汽修点等处兑换积分优惠") in two villages of 颜庄镇, each with goods and discounts, and a few past redemptions.

Runs after the points demo: redemptions are made only by residents whose balance covers them, through the same
services as the counter (so the ledger stays balanced); their times are spread over the past weeks.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from unittest import mock

from django.utils import timezone

from gongzhi.core import clock
from gongzhi.people.models import Person
from gongzhi.points.models import Account, AccountKind

from . import services
from .models import Merchant, MerchantKind

YONGXING = "370117001001"
LIUQIAOYU, SHIMEN = "370117100201", "370117100202"

# (unit code, name, kind, address, fen per point, [(item, description, points, stock)])
SHOPS = [
    (YONGXING, "永兴社区积分超市", MerchantKind.STORE, "永兴社区党群服务中心一楼（永兴社区便民超市）", 10, [
        ("洗衣液", "2kg装", 20, 40), ("食用油", "5L花生油", 60, 20), ("鸡蛋", "一盒10枚", 15, 60),
        ("大米", "5kg装", 50, 25), ("牙膏牙刷套装", "", 10, 50), ("理发优惠券", "爱心理发点抵扣10元", 30, 30),
    ]),
    (LIUQIAOYU, "柳桥峪村卫生室", MerchantKind.CLINIC, "柳桥峪村村委会东侧", 10, [
        ("免费测血压血糖", "每次", 5, 200), ("药品九折券", "非处方药", 20, 100),
    ]),
    (LIUQIAOYU, "柳桥峪村便民药店", MerchantKind.PHARMACY, "柳桥峪村中心街12号", 10, [
        ("药品九折券", "非处方药、医疗器械", 20, 80), ("口罩（50只）", "", 15, 40),
    ]),
    (SHIMEN, "石门村汽修点", MerchantKind.GARAGE, "石门村村口", 10, [
        ("洗车券", "普通洗车一次", 25, 50), ("农用车保养九折券", "", 40, 30), ("轮胎补胎券", "", 15, 40),
    ]),
    (SHIMEN, "石门村便民超市", MerchantKind.STORE, "石门村文化广场北", 8, [
        ("洗衣液", "2kg装", 20, 30), ("食用油", "5L", 60, 15), ("酱油醋套装", "", 12, 40),
    ]),
]


def is_loaded() -> bool:
    return Merchant.objects.filter(name="永兴社区积分超市", unit__code=YONGXING).exists()


@contextmanager
def _at(moment: dt.datetime):
    """Run a service as if at ``moment`` (the past redemptions of the demo), through the one clock."""
    with mock.patch.object(clock, "now", lambda: moment):
        yield


def contribute(ctx) -> None:
    rng = ctx.rng("supermarket")
    district = ctx.user("demo-district")
    merchant_user = ctx.user("demo-merchant")
    shops = []
    for code, name, kind, address, fen, goods in SHOPS:
        m = services.merchant_create(unit=ctx.unit(code), name=name, kind=kind, address=address, fen_per_point=fen,
                                     actor=district)
        items = [services.item_create(merchant=m, data=services.ItemInput(name=n, description=d, points_price=p),
                                      stock=s, actor=district) for n, d, p, s in goods]
        shops.append((m, items))
    yongxing = shops[0][0]
    services.merchant_staff_add(merchant=yongxing, user=merchant_user, actor=district)
    ctx.count("积分商户", len(shops))
    ctx.count("兑换商品", sum(len(items) for _m, items in shops))

    # past redemptions: residents of each shop's street with enough points, over the last five weeks
    now = clock.now()
    made = 0
    for m, items in shops:
        street = m.unit.path[:9]
        rich = list(Account.objects.filter(kind=AccountKind.PERSON, unit__path__startswith=street, balance__gte=30)
                    .order_by("pk").values_list("person_id", flat=True)[:200])
        for n in range(min(len(rich), 12 if m.pk == yongxing.pk else 4)):
            person = Person.objects.select_related("unit").get(pk=rich[rng.randrange(len(rich))])
            balance = Account.objects.get(person=person).balance
            affordable = [i for i in items if i.points_price <= balance]
            if not affordable:
                continue
            item = rng.choice(affordable)
            days = rng.randint(1, 35)
            moment = timezone.make_aware(dt.datetime.combine(ctx.today - dt.timedelta(days=days),
                                                             dt.time(rng.randint(8, 18), rng.randint(0, 59))))
            moment = min(moment, now - dt.timedelta(hours=1))
            channel = services.Channel.ORDER if n % 4 == 3 else services.Channel.COUNTER
            actor = merchant_user if m.pk == yongxing.pk and channel == services.Channel.COUNTER else district
            with _at(moment):
                r = services.redemption_create(merchant=m, person=person, item=item, quantity=1, channel=channel,
                                               actor=actor, idempotency_key=f"demo-{m.pk}-{n}")
            if channel == services.Channel.ORDER and days > 3:
                with _at(moment + dt.timedelta(days=1)):
                    services.redemption_pickup(redemption=r, actor=actor)
            made += 1
    ctx.count("积分兑换", made)

