"""The points ledger (积分): a rule table per community and village (R-J1: adopted by a recorded decision), an
issuing pool per community and village, a 积分超市 per street with a few goods, and transactions in time order —
awards from the pool for volunteer hours, activities, village rules and accepted 随手拍 reports; counter
redemptions at the street's shop (with their ``supermarket.Redemption`` rows); now and then a reversal of an
earlier award. Every transaction has balanced postings, a person's balance never goes below zero at any moment, and
the accounts' balances are the sums of their postings — so ``gongzhi ledger verify`` passes."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections import deque

from .bulk import Bulk
from .org import World
from .people import PersonRow
from .volunteers import VolunteerRow

TZ = dt.timezone(dt.timedelta(hours=8))
EARN = (("volunteer_hour", "志愿服务每小时", "volunteer_hour", 10), ("activity", "参加志愿服务活动",
        "activity_category", 20), ("yard", "庭院整洁、美丽庭院", "village_rule", 5),
        ("customs", "移风易俗、红白事简办", "village_rule", 10), ("report", "随手拍被采纳", "report_accepted", 5),
        ("good_deed", "好人好事", "manual", 15))
DEDUCT = (("litter", "乱扔垃圾、乱堆乱放", "village_rule", 5),)
GOODS = (("洗衣液", 60), ("食用油", 120), ("大米5公斤", 150), ("理发一次", 40), ("鸡蛋一盒", 50), ("牙膏", 30),
         ("毛巾", 20), ("肥皂", 15))


def _key(tx: int) -> tuple[str, str]:
    key = f"seed:{tx}"
    return key, hashlib.sha256(key.encode()).hexdigest()


def generate(world: World, people: list[PersonRow], volunteers: list[VolunteerRow], n: int, rnd: random.Random,
             bulk: Bulk) -> dict:
    now = world.now
    start = now - dt.timedelta(days=3 * 365)
    # rule tables and pools
    rulesets = bulk.sink("points_ruleset", ["id", "unit_id", "version", "title", "decision", "adopted_on",
                                            "effective_from", "recorded_by_id", "recorded_at", "expiry"])
    items = bulk.sink("points_ruleitem", ["id", "ruleset_id", "code", "name", "kind", "trigger", "category_id",
                                          "points", "cap_per_day", "cap_per_month"])
    rsid, riid = bulk.next_id("points_ruleset"), bulk.next_id("points_ruleitem")
    acc_id = bulk.next_id("points_account")
    earn_items: dict[int, list[tuple[int, str, int]]] = {}  # home unit id → (item id, trigger, points)
    pools: dict[int, int] = {}  # home unit id → account id
    balances: dict[int, int] = {}
    account_rows: list[tuple] = []
    adopted = (start - dt.timedelta(days=30)).date()
    for home in world.homes:
        rulesets.row(rsid, home.id, 1, f"{home.name}积分细则", f"{adopted.year}年{adopted.month}月居（村）民代表会议决议",
                     adopted, adopted, world.handler(home), now, "none")
        earn_items[home.id] = []
        for code, name, trigger, points in EARN:
            items.row(riid, rsid, code, name, "earn", trigger, None, points, None, 200 if trigger == "manual" else None)
            earn_items[home.id].append((riid, trigger, points))
            riid += 1
        for code, name, trigger, points in DEDUCT:
            items.row(riid, rsid, code, name, "deduct", trigger, None, points, None, None)
            riid += 1
        rsid += 1
        pools[home.id] = acc_id
        account_rows.append((acc_id, "pool", home.id, None))
        balances[acc_id] = 0
        acc_id += 1
    rulesets.close()
    items.close()
    # shops: one per street, a merchant account each, a few goods
    merchants = bulk.sink("supermarket_merchant", ["id", "name", "kind", "unit_id", "address", "account_id",
                                                   "fen_per_point", "active", "created_at"])
    mid, item_id = bulk.next_id("supermarket_merchant"), bulk.next_id("supermarket_catalogueitem")
    shop_of: dict[int, tuple[int, int, list[tuple[int, str, int]]]] = {}  # street id → (merchant, account, goods)
    goods_rows = []
    for street in world.streets:
        merchants.row(mid, f"{street.name}新时代文明实践积分超市", "store", street.id, f"{street.district.name}{street.name}",
                      acc_id, 10, True, start)
        account_rows.append((acc_id, "merchant", street.id, None))
        balances[acc_id] = 0
        goods = []
        for name, price in rnd.sample(GOODS, 3):
            goods.append((item_id, name, price))
            goods_rows.append([item_id, mid, name, "", price, 0, True, start])
            item_id += 1
        shop_of[street.id] = (mid, acc_id, goods)
        mid += 1
        acc_id += 1
    merchants.close()
    # who takes part: the volunteers and a third of the other residents, a few very active
    volunteer_people = {v.person_id for v in volunteers}
    takers = [p for p in people if p.id in volunteer_people or rnd.random() < 0.33]
    person_account: dict[int, int] = {}
    tx_sink = bulk.sink("points_pointstransaction", [
        "id", "kind", "unit_id", "idempotency_key", "request_digest", "reason", "rule_item_id", "evidence",
        "evidence_file", "source_type", "source_id", "reverses_id", "created_by_id", "approved_by_id", "created_at",
        "occurred_on"])
    postings = bulk.sink("points_posting", ["id", "transaction_id", "account_id", "amount", "created_at"])
    redemptions = bulk.sink("supermarket_redemption", ["id", "person_id", "merchant_id", "item_id", "quantity",
                                                       "points", "channel", "status", "receipt_number",
                                                       "transaction_id", "created_by_id", "created_at",
                                                       "completed_at"])
    txid, pid, rid = (bulk.next_id(t) for t in ("points_pointstransaction", "points_posting",
                                                 "supermarket_redemption"))
    sold: dict[int, int] = {}
    reversible: deque = deque(maxlen=5000)
    rich: list[PersonRow] = []  # people whose balance buys something
    in_rich: set[int] = set()
    kinds = {"award": 0, "redemption": 0, "reversal": 0}
    span = (now - start).total_seconds()
    moments = sorted(rnd.random() * span for _ in range(n))
    leaves = world.leaves

    def account(p: PersonRow) -> int:
        nonlocal acc_id
        a = person_account.get(p.id)
        if a is None:
            a = person_account[p.id] = acc_id
            account_rows.append((acc_id, "person", leaves[p.unit_index].id, p.id))
            balances[acc_id] = 0
            acc_id += 1
        return a

    def post(kind, unit_id, legs, when, reason, rule_item=None, reverses=None, actor=None):
        nonlocal txid, pid
        key, digest = _key(txid)
        tx_sink.row(txid, kind, unit_id, key, digest, reason[:300], rule_item, "", "", "", None, reverses, actor,
                    None, when, when.astimezone(TZ).date())
        for acc, amount in legs:
            postings.row(pid, txid, acc, amount, when)
            balances[acc] += amount
            pid += 1
        kinds[kind] += 1
        txid += 1
        return txid - 1

    for offset in moments:
        when = start + dt.timedelta(seconds=offset)
        p = takers[int(len(takers) * rnd.random() ** 1.6)]
        leaf = leaves[p.unit_index]
        home = leaf.home or leaf
        x = rnd.random()
        if x < 0.02 and reversible:
            tx, acc, pool, amount, unit_id = reversible.popleft()
            if balances[acc] >= amount:
                post("reversal", unit_id, [(acc, -amount), (pool, amount)], when, "误录冲正", reverses=tx,
                     actor=world.handler(home))
                continue
        if x < 0.30 and rich:
            i = rnd.randrange(len(rich))
            p = rich[i]
            leaf = leaves[p.unit_index]
            merchant, macc, goods = shop_of[leaf.street.id]
            acc = person_account[p.id]
            affordable = [g for g in goods if g[2] <= balances[acc]]
            good_id, good_name, price = rnd.choice(affordable) if affordable else goods[0]
            if not affordable:  # spent down: no longer among those who can shop
                rich[i] = rich[-1]
                rich.pop()
                in_rich.discard(p.id)
            else:
                tx = post("redemption", leaf.street.id, [(acc, -price), (macc, price)], when, f"兑换{good_name}")
                receipt = f"{when.astimezone(TZ):%Y%m%d}{merchant:04d}{tx:08d}"
                redemptions.row(rid, p.id, merchant, good_id, 1, price, "counter", "completed", receipt, tx, None,
                                when, when)
                rid += 1
                sold[good_id] = sold.get(good_id, 0) + 1
                continue
        item, trigger, points = rnd.choice(earn_items[home.id])
        amount = points * (rnd.choice((1, 2, 2, 3, 4)) if trigger == "volunteer_hour" else 1)
        acc = account(p)
        tx = post("award", home.id, [(pools[home.id], -amount), (acc, amount)], when,
                  {"volunteer_hour": "志愿服务时长积分", "activity_category": "参加志愿服务活动",
                   "village_rule": "落实村规民约", "report_accepted": "随手拍被采纳", "manual": "好人好事"}[trigger],
                  rule_item=item, actor=world.handler(home))
        if rnd.random() < 0.02:
            reversible.append((tx, acc, pools[home.id], amount, home.id))
        if balances[acc] >= 40 and p.id not in in_rich:
            rich.append(p)
            in_rich.add(p.id)
    tx_sink.close()
    postings.close()
    redemptions.close()
    goods_sink = bulk.sink("supermarket_catalogueitem", ["id", "merchant_id", "name", "description", "points_price",
                                                         "stock", "active", "created_at"])
    for row in goods_rows:
        row[5] = 500 + rnd.randrange(500)  # what is left on the shelf
        goods_sink.row(*row)
    goods_sink.close()
    accounts = bulk.sink("points_account", ["id", "kind", "unit_id", "person_id", "balance", "created_at"])
    for acc, kind, unit_id, person_id in account_rows:
        accounts.row(acc, kind, unit_id, person_id, balances[acc], start)
    accounts.close()
    return {"transactions": sum(kinds.values()), **kinds, "accounts": len(account_rows)}
