"""Writes for the points ledger. Every balance change goes through :func:`transaction_post`."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts import scoping
from gongzhi.activities.models import Category
from gongzhi.core import clock, hotreads, uploads
from gongzhi.hours.models import RecordKind, RecordSource
from gongzhi.org.models import Unit

from . import permissions as perms
from . import selectors
from .errors import PointsError
from .models import (
    Account,
    AccountKind,
    Clawback,
    Deduction,
    DeductionEvent,
    DeductionStatus,
    PointsTransaction,
    Posting,
    RuleItem,
    RuleKind,
    RuleSet,
    RuleTrigger,
    TxKind,
)


@dataclass(frozen=True)
class Leg:
    account: Account
    amount: int


def account_for_person(person) -> Account:
    """The person's account, created on first use in the person's unit."""
    account, _ = Account.objects.get_or_create(person=person, defaults={"kind": AccountKind.PERSON,
                                                                        "unit_id": person.unit_id})
    return account


def pool_for_unit(unit) -> Account:
    """The issuing pool (积分发放池) of a community/village or of the district."""
    account, _ = Account.objects.get_or_create(unit=unit, kind=AccountKind.POOL)
    return account


def _lock_accounts(ids: Sequence[int]) -> dict[int, Account]:
    """Row-lock the accounts in primary-key order (the one order everywhere, so two transactions never deadlock)."""
    return {a.pk: a for a in Account.objects.select_for_update().filter(pk__in=sorted(set(ids))).order_by("pk")}


def _digest(**parts) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def _existing(key: str, digest: str) -> PointsTransaction | None:
    tx = PointsTransaction.objects.filter(idempotency_key=key).first()
    if tx is not None and tx.request_digest != digest:
        raise PointsError.IDEMPOTENCY_CONFLICT.error(detail={"idempotency_key": key})
    return tx


def _check_legs(legs: Sequence[Leg]) -> None:
    if len(legs) < 2 or any(not isinstance(leg.amount, int) or isinstance(leg.amount, bool) or leg.amount == 0
                            for leg in legs):
        raise PointsError.AMOUNT_INVALID.error()
    if sum(leg.amount for leg in legs) != 0:
        raise PointsError.UNBALANCED.error()


def _tx_digest(*, kind: str, unit, legs: Sequence[Leg], reason: str, rule_item, source, reverses) -> str:
    return _digest(kind=kind, unit=unit.pk, legs=sorted((leg.account.pk, leg.amount) for leg in legs),
                   reason=reason, rule_item=rule_item.pk if rule_item else None, source=source,
                   reverses=reverses.pk if reverses else None)


@transaction.atomic
def transaction_post(*, kind: str, unit, idempotency_key: str, legs: Sequence[Leg], reason: str, actor,
                     rule_item: RuleItem | None = None, evidence: str = "", source: tuple[str, int] | None = None,
                     reverses: PointsTransaction | None = None, approved_by=None,
                     occurred_on=None) -> PointsTransaction:
    """Post a balanced transaction once per idempotency key; a retry with the same content returns the first one.

    ``occurred_on`` is the day the points are for (default today): caps and the monthly board count by it.
    Refuses unbalanced or zero legs (400), a person balance that would go below zero (409), and a key reused for
    different content (409). Balances change in this transaction, under row locks in primary-key order.
    """
    _check_legs(legs)
    digest = _tx_digest(kind=kind, unit=unit, legs=legs, reason=reason, rule_item=rule_item, source=source,
                        reverses=reverses)
    found = _existing(idempotency_key, digest)
    if found is not None:
        return found
    locked = _lock_accounts([leg.account.pk for leg in legs])
    return _post_new(kind=kind, unit=unit, idempotency_key=idempotency_key, digest=digest, legs=legs, locked=locked,
                     reason=reason, actor=actor, rule_item=rule_item, evidence=evidence, source=source,
                     reverses=reverses, approved_by=approved_by, occurred_on=occurred_on)


def _post_new(*, locked: dict[int, Account], **entry) -> PointsTransaction:
    """The write half of :func:`transaction_post`, inside its caller's transaction: ``locked`` holds every leg's
    account, row-locked in primary-key order by this transaction (their balances as of now; kept current here, so
    a caller posting several transactions on the same accounts locks them once). ``entry``: kind, unit,
    idempotency_key, digest, legs, reason, actor and optionally rule_item, evidence, source, reverses, approved_by,
    occurred_on. The caller has found no transaction under the key; a concurrent one committing it meanwhile is
    answered as a retry would be."""
    return _post_batch([entry], locked=locked)[0]


def _post_batch(entries: list[dict], *, locked: dict[int, Account]) -> list[PointsTransaction]:
    """Several new transactions (each ``entries`` item: :func:`_post_new`'s ``entry``) on accounts this transaction
    has locked, in three statements whatever their number: the transactions, their postings, the balances. Person
    balances are checked after each transaction in order, as posting them one by one would. If a key was committed
    meanwhile by a concurrent request, nothing of the batch is kept and each is posted on its own: one found under
    its key is answered as a retry would be (a reversal whose original was reversed concurrently is refused)."""
    change: dict[int, int] = {}
    for e in entries:
        for leg in e["legs"]:
            change[leg.account.pk] = change.get(leg.account.pk, 0) + leg.amount
        for pk in {leg.account.pk for leg in e["legs"]}:
            account = locked[pk]
            if account.kind == AccountKind.PERSON and account.balance + change[pk] < 0:
                raise PointsError.INSUFFICIENT_BALANCE.error(detail={"balance": account.balance, "needed": -change[pk]})
    now = clock.now()
    try:
        with transaction.atomic():
            txs = hotreads.insert_many([PointsTransaction(
                kind=e["kind"], unit=e["unit"], idempotency_key=e["idempotency_key"], request_digest=e["digest"],
                reason=e["reason"][:300], rule_item=e.get("rule_item"), evidence=e.get("evidence", "")[:300],
                source_type=e["source"][0] if e.get("source") else "",
                source_id=e["source"][1] if e.get("source") else None, reverses=e.get("reverses"),
                created_by=e["actor"], approved_by=e.get("approved_by"), created_at=now,
                occurred_on=e.get("occurred_on") or timezone.localtime(now).date()) for e in entries])
    except IntegrityError:
        if len(entries) > 1:
            return [_post_new(**e, locked=locked) for e in entries]
        # The same key committed by a concurrent request (we waited on its unique index entry), or the original
        # was reversed concurrently: answer as a retry would, or refuse.
        found = _existing(entries[0]["idempotency_key"], entries[0]["digest"])
        if found is not None:
            return [found]
        raise PointsError.ALREADY_REVERSED.error() from None
    hotreads.insert_many([Posting(transaction=tx, account_id=leg.account.pk, amount=leg.amount, created_at=now)
                          for tx, e in zip(txs, entries, strict=True) for leg in e["legs"]])
    _move_balances(change)
    for pk, delta in change.items():
        locked[pk].balance += delta
    for tx in txs:
        tx.posted_now = True  # not a concurrent request's transaction found under the key
    return txs


def _move_balances(change: dict[int, int]) -> None:
    """Every balance in one statement (+ the delta per row: the rows are locked, the sum stays zero)."""
    hotreads.add_by_pk(Account, "balance", change)


@transaction.atomic
def transaction_reverse(*, original: PointsTransaction, idempotency_key: str, reason: str, actor,
                        approved_by=None) -> PointsTransaction:
    """Undo ``original`` with a new transaction of opposite postings (refused if it would make a person negative)."""
    if original.kind == TxKind.REVERSAL:
        raise PointsError.NOT_REVERSIBLE.error()
    legs = [Leg(account=p.account, amount=-p.amount) for p in original.postings.select_related("account")]
    existing = PointsTransaction.objects.filter(reverses=original).first()
    if existing is not None and existing.idempotency_key != idempotency_key:
        raise PointsError.ALREADY_REVERSED.error()
    return transaction_post(kind=TxKind.REVERSAL, unit=original.unit, idempotency_key=idempotency_key, legs=legs,
                            reason=reason, actor=actor, reverses=original, approved_by=approved_by,
                            rule_item=original.rule_item, occurred_on=original.occurred_on,
                            source=(original.source_type, original.source_id) if original.source_type else None)


# --- settings (read at call time, never at import) -------------------------------------------------------------

APPEAL_WINDOW_DAYS = 30
EVIDENCE_MAX_BYTES = 5 * 1024 * 1024
PHOTO_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}


def back_entries_earn() -> bool:
    """R-V5: only check-in-based (信用) hours earn points unless ``POINTS_BACK_ENTRIES_EARN`` says otherwise."""
    return bool(getattr(settings, "POINTS_BACK_ENTRIES_EARN", False))


def appeal_window() -> dt.timedelta:
    return dt.timedelta(days=int(getattr(settings, "POINTS_APPEAL_WINDOW_DAYS", APPEAL_WINDOW_DAYS)))


def evidence_max_bytes() -> int:
    return int(getattr(settings, "POINTS_EVIDENCE_MAX_BYTES", EVIDENCE_MAX_BYTES))


def _local_today() -> dt.date:
    return timezone.localtime(clock.now()).date()


def _reason(text: str | None) -> str:
    text = (text or "").strip()
    if not text:
        raise PointsError.REASON_REQUIRED.error()
    return text[:300]


# --- rule tables (R-J1) ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleItemInput:
    code: str
    name: str
    kind: str
    trigger: str
    points: int
    category_id: int | None = None
    cap_per_day: int | None = None
    cap_per_month: int | None = None


MAX_CAP = 10_000_000  # a cap beyond any real rule table (and within the column's integer range)


def _item_problems(items: Sequence[RuleItemInput]) -> list[dict]:
    problems, codes = [], set()
    for i, item in enumerate(items):
        def bad(field, msg, i=i):
            problems.append({"item": i, "field": field, "msg": msg})
        if not item.code or not re.fullmatch(r"[-a-zA-Z0-9_]{1,40}", item.code):
            bad("code", "invalid")
        elif item.code in codes:
            bad("code", "duplicate")
        codes.add(item.code)
        if not (item.name or "").strip():
            bad("name", "required")
        if item.kind not in RuleKind.values:
            bad("kind", "invalid")
        if item.trigger not in RuleTrigger.values:
            bad("trigger", "invalid")
        if not isinstance(item.points, int) or item.points <= 0 or item.points > 100_000:
            bad("points", "must be 1..100000")
        if item.kind == RuleKind.DEDUCT and item.trigger not in (RuleTrigger.VILLAGE_RULE, RuleTrigger.MANUAL):
            bad("trigger", "a deduction is a village-rule or manual item")
        if item.trigger == RuleTrigger.ACTIVITY_CATEGORY and item.category_id is None:
            bad("category_id", "required for an activity-category item")
        if item.category_id is not None and not Category.objects.filter(pk=item.category_id).exists():
            bad("category_id", "unknown")
        for cap in ("cap_per_day", "cap_per_month"):
            value = getattr(item, cap)
            if value is not None and (not isinstance(value, int) or not 0 < value <= MAX_CAP):
                bad(cap, f"must be 1..{MAX_CAP}")
    return problems


@transaction.atomic
def ruleset_adopt(*, unit, title: str, decision: str, adopted_on: dt.date, effective_from: dt.date,
                  items: Sequence[RuleItemInput], actor, expiry: str = "none") -> RuleSet:
    """Record a new version of a unit's rule table as adopted by a meeting (R-J1); old versions are never edited."""
    scoping.require(actor, perms.MANAGE_RULES, unit)
    title, decision = (title or "").strip(), (decision or "").strip()
    problems = _item_problems(items)
    if not title:
        problems.append({"field": "title", "msg": "required"})
    if not decision:
        problems.append({"field": "decision", "msg": "required (the meeting that adopted it, R-J1)"})
    if not items:
        problems.append({"field": "items", "msg": "at least one item"})
    if expiry not in {c[0] for c in RuleSet._meta.get_field("expiry").choices}:
        problems.append({"field": "expiry", "msg": "invalid"})
    if effective_from < adopted_on:
        problems.append({"field": "effective_from", "msg": "not before the adoption"})
    if problems:
        raise PointsError.RULESET_INVALID.error(detail=problems)
    Unit.objects.select_for_update().filter(pk=unit.pk).first()  # one version number at a time per unit
    version = (RuleSet.objects.filter(unit=unit).aggregate(m=Max("version"))["m"] or 0) + 1
    ruleset = RuleSet.objects.create(unit=unit, version=version, title=title[:120], decision=decision[:300],
                                     adopted_on=adopted_on, effective_from=effective_from, recorded_by=actor,
                                     expiry=expiry)
    RuleItem.objects.bulk_create([
        RuleItem(ruleset=ruleset, code=i.code, name=i.name.strip()[:120], kind=i.kind, trigger=i.trigger,
                 points=i.points, category_id=i.category_id, cap_per_day=i.cap_per_day,
                 cap_per_month=i.cap_per_month)
        for i in items
    ])
    return ruleset


def _month_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    start = day.replace(day=1)
    end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return start, end


def cap_room(*, item: RuleItem, person, day: dt.date) -> int | None:
    """How many more points ``item`` may give ``person`` on ``day`` under its daily and monthly caps (None: no cap).

    Counted over every version of the same item code in the same unit, by the transactions' ``occurred_on``."""
    if item.cap_per_day is None and item.cap_per_month is None:
        return None
    base = Posting.objects.filter(account__person=person, transaction__rule_item__code=item.code,
                                  transaction__rule_item__ruleset__unit_id=item.ruleset.unit_id)
    room = None
    if item.cap_per_day is not None:
        used = base.filter(transaction__occurred_on=day).aggregate(s=Sum("amount"))["s"] or 0
        room = item.cap_per_day - used
    if item.cap_per_month is not None:
        start, end = _month_bounds(day)
        used = base.filter(transaction__occurred_on__range=(start, end)).aggregate(s=Sum("amount"))["s"] or 0
        room = item.cap_per_month - used if room is None else min(room, item.cap_per_month - used)
    return max(0, room)


def _clip(points: int, room: int | None) -> int:
    return points if room is None else min(points, room)


# --- crediting and debiting a person (never below zero; shortfalls become clawbacks) -------------------------------


def _lock_person_account(person) -> Account:
    account = account_for_person(person)
    return _lock_accounts([account.pk])[account.pk]


def clawback_outstanding(clawback: Clawback) -> int:
    taken = -(Posting.objects.filter(account__person_id=clawback.person_id, transaction__source_type=CLAWBACK_SOURCE,
                                     transaction__source_id=clawback.pk).aggregate(s=Sum("amount"))["s"] or 0)
    return clawback.points - taken


def _settle_clawbacks(*, person, award: PointsTransaction, amount: int) -> None:
    """Take outstanding clawbacks (oldest first) out of a fresh award of ``amount`` points."""
    left = amount
    for clawback in Clawback.objects.filter(person=person).order_by("created_at", "pk"):
        if left <= 0:
            break
        take = min(left, clawback_outstanding(clawback))
        if take <= 0:
            continue
        transaction_post(kind=TxKind.CLAWBACK, unit=clawback.unit, idempotency_key=f"clawback:{clawback.pk}:{award.pk}",
                         legs=[Leg(account_for_person(person), -take), Leg(pool_for_unit(clawback.unit), take)],
                         reason=clawback.reason, actor=None, source=(CLAWBACK_SOURCE, clawback.pk),
                         occurred_on=award.occurred_on)
        left -= take


# read by every award (core.hotreads): Account.objects.select_for_update().filter(Q(person_id=…) | Q(kind=pool,
# unit_id=…)).order_by("pk"), and Clawback.objects.filter(person=…).exists()
_AWARD_ACCOUNTS = hotreads.HotRead(Account, where="t.person_id = %s OR (t.kind = %s AND t.unit_id = %s)",
                                   order_by="t.id", lock=True)
_A_CLAWBACK = hotreads.HotRead(Clawback, where="t.person_id = %s")


def _lock_award_accounts(person, pool_unit) -> tuple[Account, Account, dict[int, Account]]:
    """The person's account and ``pool_unit``'s pool (created on first use), row-locked together in primary-key
    order in one statement (the order :func:`_lock_accounts` uses)."""
    locked = {a.pk: a for a in _AWARD_ACCOUNTS.all([person.pk, AccountKind.POOL, pool_unit.pk])}
    mine = next((a for a in locked.values() if a.person_id == person.pk), None)
    pool = next((a for a in locked.values() if a.kind == AccountKind.POOL and a.unit_id == pool_unit.pk), None)
    if mine is None or pool is None:
        mine, pool = account_for_person(person), pool_for_unit(pool_unit)
        locked = _lock_accounts([mine.pk, pool.pk])
        mine, pool = locked[mine.pk], locked[pool.pk]
    return mine, pool, locked


def _credit(*, person, pool_unit, amount: int, key: str, reason: str, actor, rule_item=None, evidence: str = "",
            source=None, occurred_on=None, approved_by=None, fresh: bool = False) -> PointsTransaction:
    """Award ``amount`` from ``pool_unit``'s pool; a first posting also settles the person's outstanding clawbacks.

    ``fresh``: the caller has just found no transaction under ``key`` in this transaction (so it is not looked up
    again; a concurrent one committing it meanwhile is still answered as a retry)."""
    if not fresh:
        existing = PointsTransaction.objects.filter(idempotency_key=key).first()
        tx = transaction_post(kind=TxKind.AWARD, unit=pool_unit, idempotency_key=key,
                              legs=[Leg(pool_for_unit(pool_unit), -amount), Leg(account_for_person(person), amount)],
                              reason=reason, actor=actor, rule_item=rule_item, evidence=evidence, source=source,
                              occurred_on=occurred_on, approved_by=approved_by)
        if existing is None:
            _settle_clawbacks(person=person, award=tx, amount=amount)
        return tx
    mine, pool, locked = _lock_award_accounts(person, pool_unit)
    legs = [Leg(pool, -amount), Leg(mine, amount)]
    _check_legs(legs)
    digest = _tx_digest(kind=TxKind.AWARD, unit=pool_unit, legs=legs, reason=reason, rule_item=rule_item,
                        source=source, reverses=None)
    tx = _post_new(kind=TxKind.AWARD, unit=pool_unit, idempotency_key=key, digest=digest, legs=legs, locked=locked,
                   reason=reason, actor=actor, rule_item=rule_item, evidence=evidence, source=source,
                   occurred_on=occurred_on, approved_by=approved_by)
    if getattr(tx, "posted_now", False):
        _settle_clawbacks(person=person, award=tx, amount=amount)
    return tx


def _debit(*, person, pool_unit, amount: int, key: str, reason: str, actor, rule_item=None, source, occurred_on,
           kind: str = TxKind.CLAWBACK) -> PointsTransaction | None:
    """Take back ``amount``: what the balance allows now, the rest recorded as an outstanding :class:`Clawback`."""
    account = _lock_person_account(person)
    take = min(amount, account.balance)
    tx = None
    if take > 0:
        tx = transaction_post(kind=kind, unit=pool_unit, idempotency_key=key,
                              legs=[Leg(account, -take), Leg(pool_for_unit(pool_unit), take)], reason=reason,
                              actor=actor, rule_item=rule_item, source=source, occurred_on=occurred_on)
    if amount > take:
        Clawback.objects.create(person=person, unit=pool_unit, points=amount - take, reason=reason[:300],
                                source_type=source[0], source_id=source[1], created_at=clock.now())
    return tx


# --- automatic awards for confirmed hours (R-J4, R-V5) -----------------------------------------------------------

HOURS_SOURCE = "hours.servicerecord"
CATEGORY_SOURCE = "hours.servicerecord.category"
CLAWBACK_SOURCE = "points.clawback"


def record_targets(record, ruleset: RuleSet | None) -> dict[str, tuple[RuleItem | None, int]]:
    """What one service record is worth, per slot (hours, category bonus), under ``ruleset``.

    Points per hour are floored per record (R-J4: 1 h = 1 point is the usual item; 2.5 h × 1 → 2 points). A category
    item adds its points once per record with hours > 0. Revocations and — by default, R-V5 — back-entries are worth
    nothing."""
    worth = {HOURS_SOURCE: (None, 0), CATEGORY_SOURCE: (None, 0)}
    if ruleset is None or record.kind == RecordKind.REVOCATION or record.hours <= 0:
        return worth
    if record.source != RecordSource.CHECKIN and not back_entries_earn():
        return worth
    items = selectors.ruleset_items(ruleset, RuleKind.EARN)
    per_hour = next((i for i in items if i.trigger == RuleTrigger.VOLUNTEER_HOUR), None)
    if per_hour is not None:
        worth[HOURS_SOURCE] = (per_hour, int((Decimal(record.hours) * per_hour.points).to_integral_value(ROUND_FLOOR)))
    category = next((i for i in items if i.trigger == RuleTrigger.ACTIVITY_CATEGORY
                     and i.category_id == record.activity.category_id), None)
    if category is not None:
        worth[CATEGORY_SOURCE] = (category, category.points)
    return worth


def _chain_ids(record) -> list[int]:
    ids, current = [record.pk], record
    while current.supersedes_id:
        current = current.supersedes
        ids.append(current.pk)
    return ids


def _slot_net(person, slot: str, ids: list[int]) -> tuple[int, PointsTransaction | None]:
    """Points the chain holds in a slot now: postings to the person minus clawbacks still claimed; and its last tx."""
    posted = Posting.objects.filter(account__person=person, transaction__source_type=slot,
                                    transaction__source_id__in=ids).aggregate(s=Sum("amount"))["s"] or 0
    claimed = Clawback.objects.filter(person=person, source_type=slot, source_id__in=ids).aggregate(
        s=Sum("points"))["s"] or 0
    last = PointsTransaction.objects.filter(source_type=slot, source_id__in=ids).order_by("-pk").first()
    return posted - claimed, last


def _with_relations(record):
    """The record with its volunteer's person, its activity's unit and its confirmer: as given when the hours app
    published it with those loaded (a record never changes), else read once."""
    model = type(record)
    loaded = all(model._meta.get_field(name).is_cached(record) for name in ("volunteer", "activity", "confirmed_by"))
    if loaded and record.volunteer._meta.get_field("person").is_cached(record.volunteer) \
            and record.activity._meta.get_field("unit").is_cached(record.activity):
        return record
    return model.objects.select_related("volunteer__person", "activity__unit", "confirmed_by").get(pk=record.pk)


def _hours_key(record, slot: str) -> str:
    return f"hours:record:{record.pk}" + (":category" if slot == CATEGORY_SOURCE else "")


@transaction.atomic(savepoint=False)  # in hours.record_added's transaction: a refusal aborts it whole anyway
def hours_award_sync(*, record, fresh: bool = False) -> list[PointsTransaction]:
    """Bring the points of a record's chain (original → corrections → revocation) to what the newest row is worth.

    A re-delivered event finds the chain already at its worth and posts nothing (keys ``hours:record:<id>``).
    ``fresh``: the record was written in this very transaction (``hours.record_added``), so nothing supersedes it
    yet and nothing can have been posted under its keys (its id is new; no other transaction sees it) — the two
    look-ups that establish this for an older record are skipped."""
    record = _with_relations(record)
    if not fresh and type(record).objects.filter(supersedes=record).exists():
        return []  # a late event for a row already superseded: its successor's event settled the chain
    person = record.volunteer.person
    ruleset = selectors.ruleset_in_force(record.activity.unit, record.day)
    if ruleset is None and (record.kind != RecordKind.REVOCATION or not Account.objects.filter(person=person).exists()):
        return []  # no adopted rules (R-J1): nothing to award, and nothing was awarded to take back
    reason = str(_("志愿服务：%(title)s（%(day)s）") % {"title": record.activity.title, "day": record.day.isoformat()})
    if record.supersedes_id is None and ruleset is not None:
        posted = _award_original(record=record, person=person, ruleset=ruleset, reason=reason, fresh=fresh)
        if posted is not None:
            return posted
    _lock_person_account(person)  # one sync per person at a time
    ids = _chain_ids(record)
    posted = []
    for slot, (item, target) in record_targets(record, ruleset).items():
        key = _hours_key(record, slot)
        if PointsTransaction.objects.filter(idempotency_key=key).exists() or Clawback.objects.filter(
                person=person, source_type=slot, source_id=record.pk).exists():
            continue
        net, last = _slot_net(person, slot, ids)
        delta = target - net
        if delta > 0:
            delta = _clip(delta, cap_room(item=item, person=person, day=record.day))
            if delta > 0:
                posted.append(_credit(person=person, pool_unit=ruleset.unit, amount=delta, key=key, reason=reason,
                                      actor=record.confirmed_by, rule_item=item, source=(slot, record.pk),
                                      occurred_on=record.day, evidence=f"{HOURS_SOURCE}:{record.pk}"))
        elif delta < 0 and last is not None:
            tx = _debit(person=person, pool_unit=last.unit, amount=-delta, key=key, reason=reason,
                        actor=record.confirmed_by, rule_item=last.rule_item, source=(slot, record.pk),
                        occurred_on=record.day)
            if tx is not None:
                posted.append(tx)
    return posted


def _award_original(*, record, person, ruleset: RuleSet, reason: str,
                    fresh: bool = False) -> list[PointsTransaction] | None:
    """The common case of :func:`hours_award_sync`, in fewer statements: an original record (its chain is itself)
    of a person with no clawbacks. Nothing can have been posted for such a record except under its own keys, so a
    slot whose key is unused holds 0 points and gets its whole worth (within the item's caps). The person's
    account and the pool are locked once, in primary-key order, for both slots. None: not the common case (the
    general path runs)."""
    mine, pool, locked = _lock_award_accounts(person, ruleset.unit)  # one sync per person at a time
    if _A_CLAWBACK.first([person.pk]) is not None:
        return None
    targets = record_targets(record, ruleset)
    keys = {slot: _hours_key(record, slot) for slot in targets}
    done = set() if fresh else set(PointsTransaction.objects.filter(idempotency_key__in=list(keys.values()))
                                   .values_list("idempotency_key", flat=True))
    posted = []
    for slot, (item, target) in targets.items():
        if keys[slot] in done or target <= 0:
            continue
        amount = _clip(target, cap_room(item=item, person=person, day=record.day))
        if amount <= 0:
            continue
        source = (slot, record.pk)
        legs = [Leg(pool, -amount), Leg(mine, amount)]
        digest = _tx_digest(kind=TxKind.AWARD, unit=ruleset.unit, legs=legs, reason=reason, rule_item=item,
                            source=source, reverses=None)
        posted.append(dict(kind=TxKind.AWARD, unit=ruleset.unit, idempotency_key=keys[slot], digest=digest,
                           legs=legs, reason=reason, actor=record.confirmed_by, rule_item=item,
                           evidence=f"{HOURS_SOURCE}:{record.pk}", source=source, occurred_on=record.day))
    return _post_batch(posted, locked=locked)


def on_record_added(*, record, replaced=None, just_written: bool = False, **_payload) -> None:
    """Subscriber of ``hours.record_added`` (in the hours app's transaction)."""
    hours_award_sync(record=record, fresh=just_written)


# --- manual and village-rule awards, accepted reports -------------------------------------------------------------


def _item_in_force(*, rule_item: RuleItem | None, unit, day: dt.date, kind: str, triggers: Sequence[str]) -> RuleItem:
    ruleset = selectors.ruleset_in_force(unit, day)
    if ruleset is None:
        raise PointsError.NO_RULESET.error()
    if rule_item is None:  # the first trigger named is the default (a manual award, a manual deduction)
        rule_item = ruleset.items.filter(kind=kind, trigger=triggers[0]).order_by("code").first()
    if rule_item is None or rule_item.ruleset_id != ruleset.pk or rule_item.kind != kind \
            or rule_item.trigger not in triggers:
        raise PointsError.RULE_ITEM_INVALID.error(detail={"ruleset": ruleset.pk})
    return rule_item


@transaction.atomic
def award_grant(*, person, reason: str, actor, idempotency_key: str, rule_item: RuleItem | None = None,
                points: int | None = None, evidence: str = "") -> PointsTransaction:
    """A worker's award for a village-rule item (环境整治, 垃圾分类 ...) or a manual award: reason required, the
    item's points are the most one award gives, caps refuse (409). A retry with the same key posts nothing new."""
    scoping.require(actor, perms.AWARD, person.unit)
    reason = _reason(reason)
    day = _local_today()
    item = _item_in_force(rule_item=rule_item, unit=person.unit, day=day, kind=RuleKind.EARN,
                          triggers=(RuleTrigger.MANUAL, RuleTrigger.VILLAGE_RULE))
    if item.trigger == RuleTrigger.VILLAGE_RULE and not (evidence or "").strip():
        raise PointsError.EVIDENCE_REQUIRED.error()
    points = item.points if points is None else points
    if not isinstance(points, int) or points <= 0:
        raise PointsError.AMOUNT_INVALID.error()
    if points > item.points:
        raise PointsError.ABOVE_ITEM.error(detail={"max": item.points})
    key = f"award:{actor.pk}:{idempotency_key}"
    if PointsTransaction.objects.filter(idempotency_key=key).exists():
        return _credit(person=person, pool_unit=item.ruleset.unit, amount=points, key=key, reason=reason, actor=actor,
                       rule_item=item, evidence=evidence.strip(), approved_by=actor, occurred_on=day)
    room = cap_room(item=item, person=person, day=day)
    if room is not None and room < points:
        raise PointsError.CAP_REACHED.error(detail={"room": room})
    return _credit(person=person, pool_unit=item.ruleset.unit, amount=points, key=key, reason=reason, actor=actor,
                   rule_item=item, evidence=evidence.strip(), approved_by=actor, occurred_on=day, fresh=True)


@transaction.atomic
def award_for_report(*, person, unit, source_id: int, actor=None, day: dt.date | None = None,
                     reason: str = "") -> PointsTransaction | None:
    """Points for an accepted 随手拍 report (the appeals app calls this when it accepts one; idempotent per report).

    Uses the ``report_accepted`` item of the rule set in force for ``unit``; none, or a reached cap, awards nothing."""
    key = f"appeals:report:{source_id}"
    found = PointsTransaction.objects.filter(idempotency_key=key).first()
    if found is not None:
        return found
    day = day or _local_today()
    ruleset = selectors.ruleset_in_force(unit, day)
    item = ruleset.items.filter(kind=RuleKind.EARN, trigger=RuleTrigger.REPORT_ACCEPTED).first() if ruleset else None
    if item is None:
        return None
    points = _clip(item.points, cap_room(item=item, person=person, day=day))
    if points <= 0:
        return None
    return _credit(person=person, pool_unit=ruleset.unit, amount=points, key=key,
                   reason=reason or str(_("随手拍被采纳")), actor=actor, rule_item=item,
                   source=("appeals.report", source_id), occurred_on=day)


@transaction.atomic
def transaction_reverse_by(*, original: PointsTransaction, reason: str, actor, idempotency_key: str
                           ) -> PointsTransaction:
    """A worker's correction of a mistaken transaction (perm ``points.reverse``): a new opposite transaction."""
    scoping.require(actor, perms.REVERSE, original.unit)
    return transaction_reverse(original=original, idempotency_key=f"reverse:{original.pk}", reason=_reason(reason),
                               actor=actor, approved_by=actor)


# --- deductions with maker-checker and appeals (R-J1, R-J2, R-J3) -----------------------------------------------
#
# R-J3: a deduction only lowers a points balance, never below zero. Nothing in this app is consulted by services,
# subsidies or any other capability, so a deduction cannot block a statutory entitlement.


def validate_photo(photo) -> str:
    """An evidence photo must be a real image no larger than ``POINTS_EVIDENCE_MAX_BYTES`` (the shared upload
    guard); returns the name to store it under, which the uploader does not choose (no ``evil.html`` in media)."""
    uploads.check_size(photo, max_bytes=evidence_max_bytes(), too_large=PointsError.PHOTO_TOO_LARGE)
    image = uploads.image_open(photo, formats=PHOTO_FORMATS, invalid=PointsError.PHOTO_INVALID)
    return uploads.safe_name(image.format)  # not image.close(): Pillow would close the upload itself


def _event(deduction: Deduction, from_status: str, to_status: str, actor, note: str = "") -> None:
    DeductionEvent.objects.create(deduction=deduction, from_status=from_status, to_status=to_status, actor=actor,
                                  note=note[:300], at=clock.now())


def _move(deduction: Deduction, to_status: str, actor, note: str = "", **fields) -> Deduction:
    from_status = deduction.status
    deduction.status = to_status
    for name, value in fields.items():
        setattr(deduction, name, value)
    deduction.save(update_fields=["status", *fields])
    _event(deduction, from_status, to_status, actor, note)
    return deduction


def _lock_deduction(deduction: Deduction) -> Deduction:
    return Deduction.objects.select_for_update(of=("self",)).select_related("person__user", "rule_item__ruleset__unit", "unit").get(
        pk=deduction.pk)


@transaction.atomic
def deduction_enter(*, person, reason: str, actor, rule_item: RuleItem | None = None, points: int | None = None,
                    photo=None) -> Deduction:
    """The maker's step: a pending deduction for a 村规民约 item with reason and optional evidence photo."""
    scoping.require(actor, perms.ENTER_DEDUCTION, person.unit)
    reason = _reason(reason)
    item = _item_in_force(rule_item=rule_item, unit=person.unit, day=_local_today(), kind=RuleKind.DEDUCT,
                          triggers=(RuleTrigger.VILLAGE_RULE, RuleTrigger.MANUAL))
    points = item.points if points is None else points
    if not isinstance(points, int) or points <= 0:
        raise PointsError.AMOUNT_INVALID.error()
    if points > item.points:
        raise PointsError.ABOVE_ITEM.error(detail={"max": item.points})
    photo_name = validate_photo(photo) if photo is not None else ""
    deduction = Deduction(person=person, unit=person.unit, rule_item=item, points=points, reason=reason,
                          entered_by=actor, created_at=clock.now())
    if photo is not None:
        deduction.evidence_photo.save(photo_name, photo, save=False)
    deduction.save()
    _event(deduction, "", DeductionStatus.PENDING, actor)
    return deduction


def _checker(deduction: Deduction, actor) -> None:
    scoping.require(actor, perms.APPROVE_DEDUCTION, deduction.unit)
    if deduction.entered_by_id == actor.pk:
        raise PointsError.SAME_PERSON.error()


@transaction.atomic
def deduction_approve(*, deduction: Deduction, actor, note: str = "") -> Deduction:
    """The checker's step (never the maker): posts the deduction, at most the balance (never below zero, R-J3)."""
    deduction = _lock_deduction(deduction)
    _checker(deduction, actor)
    if deduction.status != DeductionStatus.PENDING:
        raise PointsError.DEDUCTION_STATE.error(detail={"status": deduction.status})
    account = _lock_person_account(deduction.person)
    amount = min(deduction.points, account.balance)
    tx = None
    if amount > 0:
        tx = transaction_post(kind=TxKind.DEDUCTION, unit=deduction.rule_item.ruleset.unit,
                              idempotency_key=f"deduction:{deduction.pk}",
                              legs=[Leg(account, -amount), Leg(pool_for_unit(deduction.rule_item.ruleset.unit), amount)],
                              reason=deduction.reason, actor=deduction.entered_by, rule_item=deduction.rule_item,
                              evidence=deduction.evidence_photo.name if deduction.evidence_photo else "",
                              source=("points.deduction", deduction.pk), approved_by=actor,
                              occurred_on=_local_today())
    if amount < deduction.points:
        note = (note + " " + str(_("余额不足，实际扣除%(n)d分") % {"n": amount})).strip()
    return _move(deduction, DeductionStatus.APPROVED, actor, note, approved_by=actor, transaction=tx)


@transaction.atomic
def deduction_reject(*, deduction: Deduction, actor, note: str) -> Deduction:
    """The checker declines a pending deduction (with a note); nothing is posted."""
    deduction = _lock_deduction(deduction)
    _checker(deduction, actor)
    note = _reason(note)
    if deduction.status != DeductionStatus.PENDING:
        raise PointsError.DEDUCTION_STATE.error(detail={"status": deduction.status})
    return _move(deduction, DeductionStatus.REJECTED, actor, note, approved_by=actor)


def appeal_deadline(deduction: Deduction) -> dt.datetime | None:
    approved = deduction.events.filter(to_status=DeductionStatus.APPROVED).order_by("-at").first()
    return approved.at + appeal_window() if approved else None


@transaction.atomic
def deduction_appeal(*, deduction: Deduction, actor, reason: str) -> Deduction:
    """The resident objects to their own approved deduction within the window (R-J2: objection and re-check)."""
    deduction = _lock_deduction(deduction)
    if deduction.person.user_id is None or deduction.person.user_id != getattr(actor, "pk", None):
        raise PointsError.APPEAL_NOT_OWN.error()
    reason = _reason(reason)
    if deduction.status != DeductionStatus.APPROVED:
        raise PointsError.DEDUCTION_STATE.error(detail={"status": deduction.status})
    deadline = appeal_deadline(deduction)
    if deadline is None or clock.now() > deadline:
        raise PointsError.APPEAL_WINDOW_CLOSED.error(detail={"deadline": deadline.isoformat() if deadline else None})
    return _move(deduction, DeductionStatus.APPEALED, actor, reason, appeal_reason=reason)


@transaction.atomic
def deduction_decide_appeal(*, deduction: Deduction, actor, upheld: bool, note: str) -> Deduction:
    """Re-check by a checker who did not enter it: an upheld appeal reverses the deduction's transaction."""
    deduction = _lock_deduction(deduction)
    _checker(deduction, actor)
    note = _reason(note)
    if deduction.status != DeductionStatus.APPEALED:
        raise PointsError.DEDUCTION_STATE.error(detail={"status": deduction.status})
    if not upheld:
        return _move(deduction, DeductionStatus.DISMISSED, actor, note)
    if deduction.transaction is not None:
        transaction_reverse(original=deduction.transaction, idempotency_key=f"deduction:{deduction.pk}:appeal",
                            reason=str(_("申诉成立：%(note)s") % {"note": note}), actor=actor, approved_by=actor)
    return _move(deduction, DeductionStatus.UPHELD, actor, note)


# --- annual clearing (R-J4: optional per community, off by default) --------------------------------------------

VALIDITY_YEARS = {"yearly": 1, "three_years": 3}


def expiring_points(account: Account, *, year: int, validity: int) -> int:
    """FIFO: points credited on or before the end of year ``year - validity + 1`` that no debit has used up yet."""
    cutoff = dt.date(year - validity + 1, 12, 31)
    postings = Posting.objects.filter(account=account)
    credits = postings.filter(amount__gt=0, transaction__occurred_on__lte=cutoff).aggregate(s=Sum("amount"))["s"] or 0
    debits = -(postings.filter(amount__lt=0).aggregate(s=Sum("amount"))["s"] or 0)
    return max(0, min(account.balance, credits - debits))


def points_expire(*, year: int, actor=None) -> int:
    """Post the year-end expiry transactions of every person whose rule set clears points (idempotent per person and
    year: key ``expiry:<year>:<account>``). Returns how many were posted."""
    posted = 0
    end = dt.date(year, 12, 31)
    accounts = Account.objects.filter(kind=AccountKind.PERSON, balance__gt=0).select_related("unit").order_by("pk")
    for account in accounts.iterator(chunk_size=500):
        ruleset = selectors.ruleset_in_force(account.unit, end)
        validity = VALIDITY_YEARS.get(ruleset.expiry) if ruleset else None
        key = f"expiry:{year}:{account.pk}"
        if validity is None or PointsTransaction.objects.filter(idempotency_key=key).exists():
            continue
        with transaction.atomic():
            locked = _lock_accounts([account.pk])[account.pk]
            amount = expiring_points(locked, year=year, validity=validity)
            if amount <= 0:
                continue
            transaction_post(kind=TxKind.EXPIRY, unit=ruleset.unit, idempotency_key=key,
                             legs=[Leg(locked, -amount), Leg(pool_for_unit(ruleset.unit), amount)],
                             reason=str(_("%(year)d年度积分清零（%(rule)s）") % {"year": year, "rule": ruleset}),
                             actor=actor, occurred_on=end)
            posted += 1
    return posted


def clearing_job(now: dt.datetime) -> int:
    """The periodic job: during January, clear the year that just ended (a no-op once done)."""
    today = timezone.localtime(now).date()
    return points_expire(year=today.year - 1) if today.month == 1 else 0
