"""Writes for the points ledger. Every balance change goes through :func:`transaction_post`."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F

from gongzhi.core import clock

from .errors import PointsError
from .models import Account, AccountKind, PointsTransaction, Posting, RuleItem, TxKind


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


@transaction.atomic
def transaction_post(*, kind: str, unit, idempotency_key: str, legs: Sequence[Leg], reason: str, actor,
                     rule_item: RuleItem | None = None, evidence: str = "", source: tuple[str, int] | None = None,
                     reverses: PointsTransaction | None = None, approved_by=None) -> PointsTransaction:
    """Post a balanced transaction once per idempotency key; a retry with the same content returns the first one.

    Refuses unbalanced or zero legs (400), a person balance that would go below zero (409), and a key reused for
    different content (409). Balances change in this transaction, under row locks in primary-key order.
    """
    if len(legs) < 2 or any(not isinstance(leg.amount, int) or isinstance(leg.amount, bool) or leg.amount == 0
                            for leg in legs):
        raise PointsError.AMOUNT_INVALID.error()
    if sum(leg.amount for leg in legs) != 0:
        raise PointsError.UNBALANCED.error()
    digest = _digest(kind=kind, unit=unit.pk, legs=sorted((leg.account.pk, leg.amount) for leg in legs),
                     reason=reason, rule_item=rule_item.pk if rule_item else None, source=source,
                     reverses=reverses.pk if reverses else None)
    found = _existing(idempotency_key, digest)
    if found is not None:
        return found
    locked = _lock_accounts([leg.account.pk for leg in legs])
    change: dict[int, int] = {}
    for leg in legs:
        change[leg.account.pk] = change.get(leg.account.pk, 0) + leg.amount
    for pk, delta in change.items():
        account = locked[pk]
        if account.kind == AccountKind.PERSON and account.balance + delta < 0:
            raise PointsError.INSUFFICIENT_BALANCE.error(detail={"balance": account.balance, "needed": -delta})
    now = clock.now()
    try:
        with transaction.atomic():
            tx = PointsTransaction.objects.create(
                kind=kind, unit=unit, idempotency_key=idempotency_key, request_digest=digest, reason=reason[:300],
                rule_item=rule_item, evidence=evidence[:300], source_type=source[0] if source else "",
                source_id=source[1] if source else None, reverses=reverses, created_by=actor, approved_by=approved_by,
                created_at=now,
            )
    except IntegrityError:
        # The same key committed by a concurrent request (we waited on its unique index entry), or the original
        # was reversed concurrently: answer as a retry would, or refuse.
        found = _existing(idempotency_key, digest)
        if found is not None:
            return found
        raise PointsError.ALREADY_REVERSED.error() from None
    Posting.objects.bulk_create([Posting(transaction=tx, account_id=leg.account.pk, amount=leg.amount, created_at=now)
                                 for leg in legs])
    for pk, delta in change.items():
        Account.objects.filter(pk=pk).update(balance=F("balance") + delta)
    return tx


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
                            rule_item=original.rule_item)
