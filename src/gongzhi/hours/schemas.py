"""API input/output schemas of the hours app (never a whole model)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema


class TokenOut(Schema):
    activity_id: int
    token: str
    url: str
    valid_seconds: int


class CheckIn(Schema):
    """A self check-in or check-out: the scanned QR ``token``, or ``activity_id`` with the phone's position."""

    token: str | None = Field(None, max_length=400)
    activity_id: int | None = None
    latitude: float | None = None
    longitude: float | None = None


class AttendanceOut(Schema):
    id: int
    activity_id: int
    volunteer_id: int
    volunteer_name: str
    day: dt.date
    checked_in_at: dt.datetime
    in_method: str
    checked_out_at: dt.datetime | None
    out_method: str
    missing_checkout: bool
    hours: Decimal | None
    record_id: int | None


class AttendanceListOut(Schema):
    items: list[AttendanceOut]
    missing_checkouts: list[AttendanceOut]


class BatchEntryIn(Schema):
    volunteer_id: int
    day: dt.date
    checked_in_at: dt.datetime
    checked_out_at: dt.datetime | None = None


class BatchIn(Schema):
    entries: list[BatchEntryIn] = Field(..., min_length=1, max_length=500)


class CheckOutIn(Schema):
    checked_out_at: dt.datetime


class ConfirmIn(Schema):
    attendance_ids: list[int] | None = Field(None, max_length=1000)


class RecordOut(Schema):
    id: int
    volunteer_id: int
    volunteer_name: str
    activity_id: int
    activity_title: str
    unit_path: str
    day: dt.date
    started_at: dt.datetime | None
    ended_at: dt.datetime | None
    hours: Decimal
    content: str
    source: str
    source_name: str
    kind: str
    kind_name: str
    supersedes_id: int | None
    reason: str
    confirmed_by: str | None
    confirmed_at: dt.datetime


class RecordDetailOut(RecordOut):
    current: bool
    history: list[RecordOut]


class RecordPage(Schema):
    items: list[RecordOut]
    count: int
    page: int
    page_size: int
    pages: int
    total_hours: Decimal


class CorrectionIn(Schema):
    hours: Decimal = Field(..., ge=0, max_digits=8, decimal_places=4)
    reason: str = Field(..., max_length=300)


class ReasonIn(Schema):
    reason: str = Field(..., max_length=300)


class BackEntryIn(Schema):
    activity_id: int
    volunteer_id: int
    day: dt.date
    hours: Decimal = Field(..., ge=0, max_digits=8, decimal_places=4)
    reason: str = Field(..., max_length=300)


class MyRecordsOut(Schema):
    volunteer_id: int
    total_hours: Decimal
    items: list[RecordOut]


class DisputeOut(Schema):
    id: int
    record_id: int
    volunteer_name: str
    activity_title: str
    reason: str
    status: str
    opened_at: dt.datetime
    resolution_note: str | None
    correction_id: int | None
    resolved_at: dt.datetime | None


class ResolveIn(Schema):
    note: str = Field(..., max_length=300)
    hours: Decimal | None = Field(None, ge=0, max_digits=8, decimal_places=4)
