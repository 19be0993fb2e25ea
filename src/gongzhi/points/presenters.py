"""Shapes shared by the points API and pages (never a whole model)."""

from __future__ import annotations

from django.db.models import Sum

from gongzhi.core import clock

from . import selectors, services
from .models import Account, Clawback, Deduction, DeductionStatus, PointsTransaction, Posting


def account_item(a: Account) -> dict:
    return {"id": a.pk, "kind": a.kind, "unit_id": a.unit_id, "unit_name": a.unit.name,
            "person_id": a.person_id, "person_name": a.person.name if a.person_id else "", "balance": a.balance}


def transaction_item(tx: PointsTransaction, amount: int | None = None) -> dict:
    item = tx.rule_item
    return {"id": tx.pk, "kind": tx.kind, "kind_label": str(tx.get_kind_display()), "amount": amount,
            "reason": tx.reason, "rule_item": item.name if item else "",
            "rule_version": str(item.ruleset) if item else "", "evidence": tx.evidence,
            "occurred_on": tx.occurred_on, "created_at": tx.created_at, "reverses_id": tx.reverses_id}


def posting_item(p: Posting) -> dict:
    return transaction_item(p.transaction, p.amount)


def deducted(d: Deduction) -> int:
    if d.transaction_id is None:
        return 0
    return -sum(p.amount for p in d.transaction.postings.all() if p.account.person_id == d.person_id)


def deduction_item(d: Deduction) -> dict:
    return {"id": d.pk, "person_id": d.person_id, "person_name": d.person.name, "unit_name": d.unit.name,
            "rule_item": d.rule_item.name, "points": d.points, "deducted": deducted(d), "reason": d.reason,
            "status": d.status, "status_label": str(d.get_status_display()), "has_photo": bool(d.evidence_photo),
            "entered_by": d.entered_by.display_name if d.entered_by_id else "",
            "approved_by": d.approved_by.display_name if d.approved_by_id else "",
            "appeal_reason": d.appeal_reason, "appeal_deadline": services.appeal_deadline(d),
            "created_at": d.created_at}


def my_deduction_item(d: Deduction) -> dict:
    deadline = services.appeal_deadline(d)
    return {"id": d.pk, "rule_item": d.rule_item.name, "points": d.points, "deducted": deducted(d),
            "reason": d.reason, "status": d.status, "status_label": str(d.get_status_display()),
            "appeal_reason": d.appeal_reason, "appeal_deadline": deadline,
            "can_appeal": d.status == DeductionStatus.APPROVED and deadline is not None and clock.now() <= deadline,
            "created_at": d.created_at}


def my_points(person) -> dict:
    today = services._local_today()
    start, end = services._month_bounds(today)
    earned = (Posting.objects.filter(account__person=person, amount__gt=0,
                                     transaction__occurred_on__range=(start, end))
              .aggregate(s=Sum("amount"))["s"] or 0)
    owed = sum(services.clawback_outstanding(c) for c in Clawback.objects.filter(person=person))
    return {"name": person.name, "balance": selectors.own_balance(person), "clawback_outstanding": owed,
            "earned_this_month": earned}


def board_row(r: selectors.BoardRow) -> dict:
    return {"name": r.name, "earned": r.earned, "deducted": r.deducted, "balance": r.balance,
            "items": r.item_list}


def board_out(b: selectors.Board) -> dict:
    return {"unit_name": b.unit_name, "unit_code": b.unit_code, "month": b.month,
            "people": [board_row(r) for r in b.people], "households": [board_row(r) for r in b.households],
            "items": [{"name": n, "kind": k, "times": t, "points": p} for n, k, t, p in b.items],
            "leaderboard": [board_row(r) for r in b.leaderboard], "red_flowers": [board_row(r) for r in b.red_flowers]}
