"""API input/output schemas of the points app (never a whole model)."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema


class RuleItemIn(Schema):
    code: str = Field(..., max_length=40)
    name: str = Field(..., max_length=120)
    kind: str
    trigger: str
    points: int
    category_id: int | None = None
    cap_per_day: int | None = None
    cap_per_month: int | None = None


class RuleSetIn(Schema):
    unit_id: int
    title: str = Field(..., max_length=120)
    decision: str = Field(..., max_length=300)
    adopted_on: dt.date
    effective_from: dt.date
    expiry: str = "none"
    items: list[RuleItemIn] = Field(..., min_length=1, max_length=100)


class RuleItemOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    trigger: str
    points: int
    category_id: int | None
    cap_per_day: int | None
    cap_per_month: int | None


class RuleSetOut(Schema):
    id: int
    unit_id: int
    unit_name: str
    version: int
    title: str
    decision: str
    adopted_on: dt.date
    effective_from: dt.date
    expiry: str
    items: list[RuleItemOut]


class AccountOut(Schema):
    id: int
    kind: str
    unit_id: int
    unit_name: str
    person_id: int | None
    person_name: str
    balance: int


class AccountPage(Schema):
    items: list[AccountOut]
    count: int
    page: int
    pages: int


class AwardIn(Schema):
    person_id: int
    reason: str = Field(..., max_length=300)
    idempotency_key: str = Field(..., min_length=1, max_length=80)
    rule_item_id: int | None = None
    points: int | None = None
    evidence: str = Field("", max_length=300)


class TransactionOut(Schema):
    id: int
    kind: str
    kind_label: str
    amount: int | None = None  # the person's side, where the reader is the person
    reason: str
    rule_item: str
    rule_version: str
    evidence: str
    occurred_on: dt.date | None
    created_at: dt.datetime
    reverses_id: int | None


class TransactionPage(Schema):
    items: list[TransactionOut]
    count: int
    page: int
    pages: int


class MyPointsOut(Schema):
    name: str
    balance: int
    clawback_outstanding: int
    earned_this_month: int


class DeductionOut(Schema):
    id: int
    person_id: int
    person_name: str
    unit_name: str
    rule_item: str
    points: int
    deducted: int
    reason: str
    status: str
    status_label: str
    has_photo: bool
    entered_by: str
    approved_by: str
    appeal_reason: str
    appeal_deadline: dt.datetime | None
    created_at: dt.datetime


class MyDeductionOut(Schema):
    id: int
    rule_item: str
    points: int
    deducted: int
    reason: str
    status: str
    status_label: str
    appeal_reason: str
    appeal_deadline: dt.datetime | None
    can_appeal: bool
    created_at: dt.datetime


class DeductionPage(Schema):
    items: list[DeductionOut]
    count: int
    page: int
    pages: int


class NoteIn(Schema):
    note: str = Field("", max_length=300)


class ReasonIn(Schema):
    reason: str = Field(..., max_length=300)


class DecisionIn(Schema):
    upheld: bool
    note: str = Field(..., max_length=300)


class BoardRowOut(Schema):
    name: str
    earned: int
    deducted: int
    balance: int
    items: list[tuple[str, int]]


class BoardItemOut(Schema):
    name: str
    kind: str
    times: int
    points: int


class BoardOut(Schema):
    unit_name: str
    unit_code: str
    month: str
    people: list[BoardRowOut]
    households: list[BoardRowOut]
    items: list[BoardItemOut]
    leaderboard: list[BoardRowOut]
    red_flowers: list[BoardRowOut]
