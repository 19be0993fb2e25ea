"""API input and output schemas for recognition (never a whole model)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema


class ThresholdOut(Schema):
    level: int
    min_hours: Decimal


class ThresholdsOut(Schema):
    unit_id: int | None
    source: str  # "unit" when a jurisdiction has its own table, else "default"
    thresholds: list[ThresholdOut]


class StarOut(Schema):
    level: int
    eligible_level: int
    hours: Decimal
    next_level: int | None
    next_min_hours: Decimal | None
    hours_to_next: Decimal | None


class ScoreItemOut(Schema):
    key: str
    label: str
    value: Decimal
    weight: Decimal
    points: Decimal


class ScoreOut(Schema):
    period: str
    start: dt.date
    end: dt.date
    formula_version: int
    formula_note: str
    total: Decimal
    items: list[ScoreItemOut]


class HonourBrief(Schema):
    year: int
    title: str
    unit: str
    rank: int


class RecognitionOut(Schema):
    volunteer_id: int
    name: str
    number: str
    unit: str
    star: StarOut
    score: ScoreOut
    honours: list[HonourBrief]


class CandidateOut(Schema):
    volunteer_id: int
    name: str
    number: str
    unit: str
    current_level: int
    level: int
    hours: Decimal


class CandidatePreviewOut(Schema):
    unit_id: int
    period_end: dt.date
    items: list[CandidateOut]


class CandidateListIn(Schema):
    unit_id: int
    period_end: dt.date


class CandidateListOut(Schema):
    id: int
    unit_id: int
    unit: str
    period_end: dt.date
    published_by: str
    published_at: dt.datetime
    items: list[CandidateOut]


class AwardIn(Schema):
    candidate_list_id: int
    volunteer_ids: list[int] | None = None


class AwardOut(Schema):
    id: int
    volunteer_id: int
    kind: str
    level: int
    hours_at_award: Decimal
    approved_by: str
    approved_at: dt.datetime


class CertificateRequestIn(Schema):
    volunteer_id: int | None = None  # omitted: the caller's own volunteer profile
    unit_id: int | None = None  # the issuing unit; default the volunteer's registration unit
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    purpose: str = Field("", max_length=200)


class NoteIn(Schema):
    note: str = Field("", max_length=200)


class IssueIn(Schema):
    person_in_charge: str = Field(..., max_length=50)
    contact: str = Field(..., max_length=40)
    notes: str = Field("", max_length=300)


class ReasonIn(Schema):
    reason: str = Field(..., max_length=200)


class CertificateOut(Schema):
    id: int
    volunteer_id: int
    volunteer_name: str
    unit_id: int
    unit: str
    status: str
    status_label: str
    period_start: dt.date
    period_end: dt.date
    purpose: str
    requested_at: dt.datetime
    number: str | None
    issued_at: dt.datetime | None
    verify_code: str | None
    contents: dict | None


class VerifyOut(Schema):
    valid: bool
    status: str
    status_label: str
    number: str
    volunteer_name: str
    id_type: str
    id_number_masked: str
    volunteer_number: str
    hours: str
    period_start: str
    period_end: str
    issuer_name: str
    issue_date: str
    content: list[dict]


class RatingIn(Schema):
    activity_id: int
    volunteer_id: int
    score: int
    rater_kind: str = "organiser"
    beneficiary_label: str = Field("", max_length=50)
    comment: str = Field("", max_length=300)


class RatingOut(Schema):
    id: int
    activity_id: int
    activity: str
    volunteer_id: int
    volunteer_name: str
    score: int
    rater_kind: str
    beneficiary_label: str
    comment: str
    supersedes_id: int | None
    rated_by: str
    rated_at: dt.datetime


class HonourPublishIn(Schema):
    unit_id: int
    year: int
    title: str = Field(..., max_length=60)
    top: int = 10


class HonourOut(Schema):
    rank: int
    volunteer_id: int
    name: str
    number: str
    score: Decimal


class HonourListOut(Schema):
    id: int
    unit_id: int
    unit: str
    year: int
    title: str
    formula_version: int
    published_by: str
    published_at: dt.datetime
    items: list[HonourOut]


class RevokeStarIn(Schema):
    to_level: int = 0
    reason: str = Field(..., max_length=200)
