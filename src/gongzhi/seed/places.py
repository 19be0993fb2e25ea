"""Places: the 资源清单 (``matching.Resource``) — venues (党群服务中心、新时代文明实践站、老年食堂), shops, clinics,
schools, enterprises and institutions in every community and village, each with an address, a point on the map
and the service kinds it offers."""

from __future__ import annotations

import datetime as dt
import random

from .bulk import Bulk
from .names import GIVEN, ROADS, SURNAMES
from .org import World

KINDS = (("venue", 30, ("党群服务中心", "新时代文明实践站", "老年食堂", "日间照料中心", "文化广场", "农家书屋")),
         ("merchant", 25, ("便民超市", "爱心餐厅", "理发店", "药店", "家电维修部")),
         ("clinic", 10, ("卫生室", "社区卫生服务站", "中医诊所")),
         ("school", 8, ("小学", "幼儿园", "中学")),
         ("enterprise", 12, ("物业公司", "建材公司", "物流公司", "机械厂")),
         ("institution", 8, ("派出所", "司法所", "供电所", "税务所")),
         ("social_org", 5, ("社工服务中心", "志愿者协会", "慈善工作站")),
         ("other", 2, ("停车场", "公园")))


def generate(world: World, n: int, rnd: random.Random, bulk: Bulk) -> dict:
    from gongzhi.matching.models import ServiceKind

    now = world.now
    service_kinds = list(ServiceKind.objects.values_list("pk", flat=True))
    names, weights, labels = zip(*KINDS, strict=True)
    resource = bulk.sink("matching_resource", [
        "id", "unit_id", "name", "kind", "organisation_id", "offer", "capacity", "address", "latitude", "longitude",
        "contact_name", "contact_phone", "active", "merchant_id", "created_by_id", "created_at", "withdrawn_at",
        "withdrawn_by_id", "withdraw_reason"])
    offers = bulk.sink("matching_resource_offers", ["id", "resource_id", "servicekind_id"])
    rid, oid = bulk.next_id("matching_resource"), bulk.next_id("matching_resource_offers")
    homes = world.homes
    for i in range(n):
        home = homes[i % len(homes)] if i < len(homes) else rnd.choice(homes)
        k = rnd.choices(range(len(names)), weights)[0]
        label = rnd.choice(labels[k])
        name = f"{home.name}{label}" if names[k] in ("venue", "clinic", "institution") else \
            f"{rnd.choice(SURNAMES)}{rnd.choice(GIVEN)}{label}"
        created = now - dt.timedelta(days=rnd.randrange(1, 3 * 365))
        withdrawn = rnd.random() < 0.03
        resource.row(rid, home.id, name[:120], names[k], None, f"{label}可提供场地与便民服务", "",
                     f"{home.district.name}{rnd.choice(ROADS)}{rnd.randrange(1, 300)}号",
                     f"{home.lat + rnd.uniform(-0.01, 0.01):.6f}", f"{home.lng + rnd.uniform(-0.012, 0.012):.6f}",
                     rnd.choice(SURNAMES) + rnd.choice(GIVEN), f"1{rnd.choice('358')}{rnd.randrange(10**9):09d}",
                     not withdrawn, None, world.handler(home), created, now if withdrawn else None,
                     world.handler(home) if withdrawn else None, "停止提供服务" if withdrawn else "")
        if service_kinds:
            for sk in rnd.sample(service_kinds, min(len(service_kinds), rnd.randint(1, 3))):
                offers.row(oid, rid, sk)
                oid += 1
        rid += 1
    resource.close()
    offers.close()
    return {"places": n}
