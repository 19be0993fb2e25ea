"""The points part of the 钢城区 demo: rule tables, hour awards, village-rule awards, a deduction pending approval and
an appealed one.

Runs after the activities/hours demo (INSTALLED_APPS order). Every community and village gets its 积分细则 adopted
by a recorded meeting, and the district a fallback 志愿服务积分办法 for activities organised above them (R-J1). Each
current check-in-based service record (R-V5) earns ``floor(hours)`` points (R-J4) as one bulk-written transaction
keyed ``hours:record:<id>``, with the same digest, source and balances that ``points.services.hours_award_sync``
would write, so a later correction or revocation continues from them and ``gongzhi ledger verify`` passes.
The village-rule awards and deductions go through the services (maker-checker included).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Min, Sum

from gongzhi.core.demo import analyze_app
from gongzhi.hours.models import RecordSource, ServiceRecord
from gongzhi.org.divisions import UnitKind
from gongzhi.org.models import Unit
from gongzhi.people.models import Person

from . import services
from .models import Account, AccountKind, PointsTransaction, Posting, RuleKind, RuleSet, RuleTrigger, TxKind
from .services import HOURS_SOURCE, RuleItemInput

BATCH = 2000
DECISIONS = {
    UnitKind.VILLAGE: "2025年3月12日村民代表会议表决通过（应到31人，实到27人，同意25人）",
    UnitKind.COMMUNITY: "2025年3月12日居民代表会议表决通过（应到35人，实到30人，同意28人）",
    UnitKind.DISTRICT: "2025年2月20日区志愿服务工作联席会议审议通过",
}
ITEMS = [
    RuleItemInput(code="hour", name="志愿服务每小时", kind=RuleKind.EARN, trigger=RuleTrigger.VOLUNTEER_HOUR, points=1),
    RuleItemInput(code="env", name="环境整治", kind=RuleKind.EARN, trigger=RuleTrigger.VILLAGE_RULE, points=5,
                  cap_per_day=10, cap_per_month=40),
    RuleItemInput(code="sort", name="垃圾分类", kind=RuleKind.EARN, trigger=RuleTrigger.VILLAGE_RULE, points=2,
                  cap_per_day=2, cap_per_month=30),
    RuleItemInput(code="custom", name="移风易俗（红白事简办）", kind=RuleKind.EARN, trigger=RuleTrigger.VILLAGE_RULE,
                  points=10),
    RuleItemInput(code="report", name="随手拍被采纳", kind=RuleKind.EARN, trigger=RuleTrigger.REPORT_ACCEPTED, points=3,
                  cap_per_month=30),
    RuleItemInput(code="manual", name="其他好人好事", kind=RuleKind.EARN, trigger=RuleTrigger.MANUAL, points=20),
    RuleItemInput(code="burn", name="焚烧秸秆", kind=RuleKind.DEDUCT, trigger=RuleTrigger.VILLAGE_RULE, points=10),
    RuleItemInput(code="litter", name="乱堆乱放、乱倒垃圾", kind=RuleKind.DEDUCT, trigger=RuleTrigger.VILLAGE_RULE,
                  points=5),
]
GRID_CODE = "370117001001001"  # 永兴社区第一网格: its pending deduction waits in demo-community's queue
VILLAGE_AWARDS = [("env", "清理房前屋后杂物，参加村内环境整治", "网格员现场拍照存档"),
                  ("sort", "坚持垃圾分类投放", "垃圾分类督导员检查记录"),
                  ("custom", "子女婚事简办，不大操大办", "红白理事会登记")]


def is_loaded() -> bool:
    return RuleSet.objects.exists()


def _rulesets(ctx, start: dt.date) -> dict[str, RuleSet]:
    district = ctx.user("demo-district")
    units = list(Unit.objects.filter(kind__in=[UnitKind.COMMUNITY, UnitKind.VILLAGE, UnitKind.DISTRICT])
                 .order_by("path"))
    out = {}
    for unit in units:
        title = "钢城区志愿服务积分办法" if unit.kind == UnitKind.DISTRICT else f"{unit.name}积分制管理细则"
        items = ITEMS[:1] if unit.kind == UnitKind.DISTRICT else ITEMS
        out[unit.path] = services.ruleset_adopt(unit=unit, title=title, decision=DECISIONS[unit.kind],
                                                adopted_on=start - dt.timedelta(days=20), effective_from=start,
                                                items=items, actor=district)
    return out


def _nearest(path: str, rulesets: dict[str, RuleSet], cache: dict) -> RuleSet | None:
    if path not in cache:
        found = None
        for n in range(len(path), 0, -1):
            if path[:n] in rulesets:
                found = rulesets[path[:n]]
                break
        cache[path] = found
    return cache[path]


def _hour_awards(ctx, rulesets: dict[str, RuleSet]) -> int:
    """One award per current check-in record with at least one whole hour, written in bulk with its postings."""
    records = list(ServiceRecord.objects.current().filter(source=RecordSource.CHECKIN, hours__gte=1)
                   .values_list("pk", "volunteer__person_id", "activity__unit__path", "activity__title", "day",
                                "hours", "confirmed_by_id", "confirmed_at").order_by("pk"))
    people = {pid for _, pid, *_ in records}
    existing = set(Account.objects.filter(person_id__in=people).values_list("person_id", flat=True))
    units = dict(Person.objects.filter(pk__in=people - existing).values_list("pk", "unit_id"))
    Account.objects.bulk_create([Account(kind=AccountKind.PERSON, person_id=pid, unit_id=units[pid])
                                 for pid in sorted(units)], batch_size=BATCH)
    accounts = dict(Account.objects.filter(person_id__in=people).values_list("person_id", "pk"))
    pools, items, cache = {}, {}, {}
    txs, legs = [], []
    for pk, pid, path, title, day, hours, confirmed_by, confirmed_at in records:
        ruleset = _nearest(path, rulesets, cache)
        if ruleset is None:
            continue
        if ruleset.pk not in pools:
            pools[ruleset.pk] = services.pool_for_unit(ruleset.unit).pk
            items[ruleset.pk] = ruleset.items.get(code="hour")
        item, points = items[ruleset.pk], int(hours) * items[ruleset.pk].points
        reason = f"志愿服务：{title}（{day.isoformat()}）"
        source = (HOURS_SOURCE, pk)
        pair = [(pools[ruleset.pk], -points), (accounts[pid], points)]
        digest = services._digest(kind=TxKind.AWARD, unit=ruleset.unit_id, legs=sorted(pair), reason=reason,
                                  rule_item=item.pk, source=source, reverses=None)
        txs.append(PointsTransaction(kind=TxKind.AWARD, unit_id=ruleset.unit_id, idempotency_key=f"hours:record:{pk}",
                                     request_digest=digest, reason=reason[:300], rule_item=item,
                                     evidence=f"{HOURS_SOURCE}:{pk}", source_type=HOURS_SOURCE, source_id=pk,
                                     created_by_id=confirmed_by, created_at=confirmed_at, occurred_on=day))
        legs.append(pair)
    PointsTransaction.objects.bulk_create(txs, batch_size=BATCH)
    Posting.objects.bulk_create([Posting(transaction_id=tx.pk, account_id=acc, amount=amount, created_at=tx.created_at)
                                 for tx, pair in zip(txs, legs, strict=True) for acc, amount in pair], batch_size=BATCH)
    touched = set(accounts.values()) | set(pools.values())
    sums = dict(Posting.objects.filter(account_id__in=touched).values("account_id").annotate(s=Sum("amount"))
                .values_list("account_id", "s"))
    rows = list(Account.objects.filter(pk__in=touched))
    for a in rows:
        a.balance = sums.get(a.pk, 0)
    Account.objects.bulk_update(rows, ["balance"], batch_size=BATCH)
    return len(txs)


def _village_awards(ctx, rng) -> int:
    """Workers' awards for 村规民约 items, with evidence, for residents of a few communities/villages."""
    n = 0
    district = ctx.user("demo-district")
    units = list(Unit.objects.filter(kind__in=[UnitKind.COMMUNITY, UnitKind.VILLAGE]).order_by("path")[:6])
    for unit in units:
        residents = list(Person.objects.filter(unit__path__startswith=unit.path, user__isnull=True)
                         .select_related("unit").order_by("pk")[:200])
        for person in rng.sample(residents, k=min(12, len(residents))):
            code, reason, evidence = rng.choice(VILLAGE_AWARDS)
            item = services.selectors.ruleset_in_force(person.unit, ctx.today).items.get(code=code)
            room = services.cap_room(item=item, person=person, day=ctx.today)
            if room is not None and room < item.points:
                continue
            services.award_grant(person=person, reason=reason, actor=district, idempotency_key=f"demo-{person.pk}",
                                 rule_item=item, evidence=evidence)
            n += 1
    return n


def _resident_and_deductions(ctx) -> None:
    worker, checker = ctx.user("demo-socialworker"), ctx.user("demo-community")
    resident = Person.objects.get(user=ctx.user("demo-resident"))
    rules = services.selectors.ruleset_in_force(resident.unit, ctx.today)
    for code, reason, evidence in VILLAGE_AWARDS[:2]:
        services.award_grant(person=resident, reason=reason, actor=checker, idempotency_key=f"demo-resident-{code}",
                             rule_item=rules.items.get(code=code), evidence=evidence)
    services.award_grant(person=resident, reason="帮助邻居独居老人买菜送药", actor=checker,
                         idempotency_key="demo-resident-manual", points=20)
    appealed = services.deduction_enter(person=resident, reason="楼道内堆放杂物，经劝导未清理", actor=worker,
                                        rule_item=rules.items.get(code="litter"))
    services.deduction_approve(deduction=appealed, actor=checker, note="网格员复查属实")
    services.deduction_appeal(deduction=appealed, actor=ctx.user("demo-resident"),
                              reason="杂物是邻居家装修时临时放置的，不是我家的")
    grid = Unit.objects.filter(code=GRID_CODE).first() or resident.unit
    target = (Person.objects.filter(unit__path__startswith=grid.path).exclude(pk=resident.pk).order_by("pk").first()
              or resident)
    services.deduction_enter(person=target, reason="在小区绿地焚烧落叶秸秆", actor=worker,
                             rule_item=services.selectors.ruleset_in_force(target.unit, ctx.today).items.get(code="burn"))


def contribute(ctx) -> None:
    rng = ctx.rng("points")
    first = ServiceRecord.objects.aggregate(d=Min("day"))["d"]
    start = min(first or ctx.today, ctx.today.replace(month=1, day=1)).replace(day=1)
    rulesets = _rulesets(ctx, start)
    awards = _hour_awards(ctx, rulesets)
    analyze_app("points")  # the cap checks below query the postings just bulk-written (PostgreSQL statistics)
    village = _village_awards(ctx, rng)
    _resident_and_deductions(ctx)
    ctx.count("积分规则版本", len(rulesets))
    ctx.count("积分交易", PointsTransaction.objects.count())
    ctx.log(f"  points: {len(rulesets)} rule sets, {awards} hour awards, {village} village-rule awards")
