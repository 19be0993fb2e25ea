"""Reads of the points ledger, scoped through ``accounts.scoping`` (workers) or to the caller's own person (residents).

The public board (公示, R-J2) is the one unscoped read: it is built for anonymous readers and carries masked names,
numbers and rule items only — no ids, links or any other personal data.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import QuerySet, Sum

from gongzhi.accounts import scoping
from gongzhi.core import hotreads
from gongzhi.core.errors import CommonError
from gongzhi.org.models import Unit, subtree_q
from gongzhi.people.models import Person
from gongzhi.privacy.masking import mask_name

from . import permissions as perms
from .errors import PointsError
from .models import (
    Account,
    AccountKind,
    Deduction,
    PointsTransaction,
    Posting,
    RuleItem,
    RuleKind,
    RuleSet,
    RuleTrigger,
)


def ruleset_in_force(unit: Unit, day: dt.date) -> RuleSet | None:
    """The rule set of ``unit`` or its nearest ancestor that has one: the latest ``effective_from`` ≤ ``day``."""
    paths = [*unit.ancestors_paths(), unit.path]
    return _ruleset_read(len(paths)).first([*paths, connection.ops.adapt_datefield_value(day)])


@functools.lru_cache(maxsize=16)
def _ruleset_read(depth: int) -> hotreads.HotRead:
    """Every award reads the rules in force (core.hotreads): the row ``max(RuleSet.objects.filter(unit__path__in=…,
    effective_from__lte=…).select_related("unit"), key=(len(unit.path), effective_from, version))`` picks."""
    return hotreads.HotRead(RuleSet, related=("unit",),
                            where=f"t_unit.path IN ({', '.join(['%s'] * depth)}) AND t.effective_from <= %s",
                            order_by="LENGTH(t_unit.path) DESC, t.effective_from DESC, t.version DESC")


# RuleSet.items.filter(kind=…) (the rule table's order), read by every award (core.hotreads)
_ITEMS_OF_KIND = hotreads.HotRead(RuleItem, where="t.ruleset_id = %s AND t.kind = %s", order_by="t.kind, t.code")


def ruleset_items(ruleset: RuleSet, kind: str) -> list[RuleItem]:
    """The rule set's items of ``kind`` (earn or cost), each with ``ruleset`` set to the given instance, as
    ``ruleset.items.filter(kind=kind)`` gives them."""
    items = _ITEMS_OF_KIND.all([ruleset.pk, kind])
    for item in items:
        RuleItem.ruleset.field.set_cached_value(item, ruleset)
    return items


def ruleset_list(*, actor) -> QuerySet:
    scoping.require(actor, perms.VIEW)
    return scoping.scope(RuleSet.objects.select_related("unit").prefetch_related("items"), actor, perms.VIEW,
                         "unit__path").order_by("unit__path", "-version")


def account_list(*, actor, kind: str | None = None, q: str = "") -> QuerySet:
    scoping.require(actor, perms.VIEW)
    qs = scoping.scope(Account.objects.select_related("unit", "person"), actor, perms.VIEW, "unit__path")
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(person__name__contains=q)
    return qs.order_by("unit__path", "pk")


def account_get(*, actor, pk: int) -> Account:
    return scoping.get_scoped(Account.objects.select_related("unit", "person"), actor, perms.VIEW, "unit__path",
                              pk=pk)


def transaction_get(*, actor, pk: int, perm: str = perms.VIEW) -> PointsTransaction:
    return scoping.get_scoped(PointsTransaction.objects.select_related("unit"), actor, perm, "unit__path", pk=pk)


def person_for_points(*, actor, pk: int, perm: str) -> Person:
    """A person the actor may act on under ``perm`` (other units' people: 404, no right: 403)."""
    return scoping.get_scoped(Person.objects.select_related("unit", "user"), actor, perm, "unit__path", pk=pk)


def deduction_list(*, actor, status: str | None = None) -> QuerySet:
    scoping.require(actor, perms.VIEW)
    qs = scoping.scope(Deduction.objects.select_related("person", "rule_item", "entered_by", "approved_by", "unit"),
                       actor, perms.VIEW, "unit__path")
    return qs.filter(status=status) if status else qs


def deduction_get(*, actor, pk: int, perm: str) -> Deduction:
    return scoping.get_scoped(Deduction.objects.select_related("person", "rule_item__ruleset__unit", "unit"), actor,
                              perm, "unit__path", pk=pk)


# --- the resident's own points ----------------------------------------------------------------------------------


def own_person(actor) -> Person:
    """The caller's person record (a login without one has no points: 404)."""
    person = Person.objects.filter(user_id=getattr(actor, "pk", None)).select_related("unit").first()
    if person is None:
        raise CommonError.NOT_FOUND.error()
    return person


def own_balance(person: Person) -> int:
    return Account.objects.filter(person=person).values_list("balance", flat=True).first() or 0


def own_postings(person: Person) -> QuerySet:
    return (Posting.objects.filter(account__person=person)
            .select_related("transaction__rule_item__ruleset").order_by("-created_at", "-pk"))


def own_deductions(person: Person) -> QuerySet:
    return Deduction.objects.filter(person=person).select_related("rule_item").order_by("-created_at", "-pk")


def own_deduction(person: Person, pk: int) -> Deduction:
    deduction = own_deductions(person).filter(pk=pk).first()
    if deduction is None:
        raise CommonError.NOT_FOUND.error()
    return deduction


# --- the public board (公示, R-J2) -------------------------------------------------------------------------------


def parse_month(text: str) -> tuple[dt.date, dt.date]:
    match = re.fullmatch(r"(\d{4})-(\d{2})", text or "")
    if not match or not (1 <= int(match[2]) <= 12) or not (2000 <= int(match[1]) <= 2999):
        raise PointsError.MONTH_INVALID.error()
    start = dt.date(int(match[1]), int(match[2]), 1)
    end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return start, end


@dataclass
class BoardRow:
    name: str  # masked
    earned: int = 0
    deducted: int = 0
    balance: int = 0
    items: dict = field(default_factory=dict)  # rule item name -> net points this month

    @property
    def item_list(self) -> list[tuple[str, int]]:
        return sorted(self.items.items(), key=lambda kv: -abs(kv[1]))


@dataclass
class Board:
    unit_name: str
    unit_code: str
    month: str
    people: list[BoardRow]
    households: list[BoardRow]
    items: list[tuple[str, str, int, int]]  # (name, kind, times, points)
    leaderboard: list[BoardRow]
    red_flowers: list[BoardRow]


GOOD_DEEDS = (RuleTrigger.VILLAGE_RULE, RuleTrigger.REPORT_ACCEPTED)
BOARD_SIZE = 500
LEADERS = 10


def board(*, unit_code: str, month: str) -> Board:
    """A community's/village's month: masked names with the month's points and rule items, households, 积分榜 and
    小红花清单 (people who earned by 村规民约 items or accepted 随手拍 reports with no deduction that month)."""
    start, end = parse_month(month)
    unit = Unit.objects.filter(code=unit_code).first()
    if unit is None:
        raise CommonError.NOT_FOUND.error()
    postings = (Posting.objects.filter(subtree_q(unit.path, "account__person__unit__path"),
                                       account__kind=AccountKind.PERSON,
                                       transaction__occurred_on__range=(start, end),
                                       transaction__rule_item__isnull=False)
                .values("account__person_id", "transaction__rule_item__name", "transaction__rule_item__kind",
                        "transaction__rule_item__trigger")
                .annotate(points=Sum("amount")))
    rows: dict[int, BoardRow] = {}
    good: dict[int, int] = defaultdict(int)
    item_totals: dict[tuple[str, str], list[int]] = {}
    for p in postings:
        pid, name, kind, points = (p["account__person_id"], p["transaction__rule_item__name"],
                                   p["transaction__rule_item__kind"], p["points"])
        if not points:
            continue
        row = rows.setdefault(pid, BoardRow(name=""))
        row.items[name] = row.items.get(name, 0) + points
        if kind == RuleKind.EARN:
            row.earned += points
            if p["transaction__rule_item__trigger"] in GOOD_DEEDS:
                good[pid] += points
        else:
            row.deducted += -points
        total = item_totals.setdefault((name, kind), [0, 0])
        total[0] += 1
        total[1] += points
    people = {p.pk: p for p in Person.objects.filter(pk__in=list(rows)).only("name", "household_id")}
    balances = dict(Account.objects.filter(person_id__in=list(rows)).values_list("person_id", "balance"))
    households: dict[int, BoardRow] = {}
    heads: dict[int, str] = dict(Person.objects.filter(household_id__in={p.household_id for p in people.values()
                                                                          if p.household_id})
                                 .order_by("-pk").values_list("household_id", "name"))
    for pid, row in rows.items():
        person = people[pid]
        row.name = mask_name(person.name)
        row.balance = balances.get(pid, 0)
        if person.household_id:
            h = households.setdefault(person.household_id, BoardRow(name=mask_name(heads[person.household_id])))
            h.earned += row.earned
            h.deducted += row.deducted
            h.balance += row.balance
    ordered = sorted(rows.values(), key=lambda r: (-r.earned, r.deducted, r.name))
    leaders = [r for r in ordered if r.earned > 0][:LEADERS]
    flowers = [rows[pid] for pid in sorted((pid for pid, pts in good.items() if pts > 0 and rows[pid].deducted == 0),
                                           key=lambda pid: (-good[pid], rows[pid].name))]
    return Board(unit_name=unit.name, unit_code=unit.code, month=start.strftime("%Y-%m"), people=ordered[:BOARD_SIZE],
                 households=sorted(households.values(), key=lambda r: (-r.earned, r.name)),
                 items=sorted(((n, k, t[0], t[1]) for (n, k), t in item_totals.items()), key=lambda x: -abs(x[3])),
                 leaderboard=leaders, red_flowers=flowers[:20])



# --- ledger invariants (``gongzhi ledger verify``) ------------------------------------------------------------


def ledger_findings(*, limit: int = 100) -> list[str]:
    """Every breach of the ledger's invariants, as readable lines (empty: the ledger is sound).

    Postings of each transaction sum to zero and number at least two; each account's balance equals the sum of its
    postings; no person balance is negative; a reversal reverses a non-reversal."""
    from django.db.models import Count, F, OuterRef, Subquery, Value
    from django.db.models.functions import Coalesce

    from .models import TxKind

    findings: list[str] = []
    bad_tx = (PointsTransaction.objects.annotate(total=Coalesce(Sum("postings__amount"), Value(0)),
                                                 legs=Count("postings"))
              .exclude(total=0, legs__gte=2).values_list("pk", "total", "legs")[:limit])
    findings += [f"transaction {pk}: postings sum to {total} over {legs} legs" for pk, total, legs in bad_tx]
    sums = Posting.objects.filter(account=OuterRef("pk")).values("account").annotate(s=Sum("amount")).values("s")
    bad_acc = (Account.objects.annotate(posted=Coalesce(Subquery(sums), Value(0)))
               .exclude(balance=F("posted")).values_list("pk", "balance", "posted")[:limit])
    findings += [f"account {pk}: balance {bal} but postings sum to {posted}" for pk, bal, posted in bad_acc]
    negative = Account.objects.filter(kind=AccountKind.PERSON, balance__lt=0).values_list("pk", "balance")[:limit]
    findings += [f"account {pk}: person balance {bal} is negative" for pk, bal in negative]
    bad_rev = (PointsTransaction.objects.filter(reverses__isnull=False)
               .filter(reverses__kind=TxKind.REVERSAL).values_list("pk", "reverses_id")[:limit])
    findings += [f"transaction {pk}: reverses {orig}, itself a reversal" for pk, orig in bad_rev]
    not_marked = (PointsTransaction.objects.filter(kind=TxKind.REVERSAL, reverses__isnull=True)
                  .values_list("pk", flat=True)[:limit])
    findings += [f"transaction {pk}: a reversal that names no original" for pk in not_marked]
    return findings
