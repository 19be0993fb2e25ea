from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Schema


class AppealIn(Schema):
    channel: str = "photo_report"
    category: str
    description: str
    unit_id: int | None = None
    address: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    reporter_name: str = ""
    reporter_phone: str = ""
    anonymous: bool = False
    urgency: str = "normal"


class TransitionIn(Schema):
    note: str = ""
    unit_id: int | None = None
    team_id: int | None = None
    user_id: int | None = None
    rating: int | None = None
    satisfied: bool | None = None
    reason: str = ""
    into_id: int | None = None
    days: int | None = None  # extend: working days to add (R-H4)


class CategoryOut(Schema):
    code: str
    name: str
    kind: str
    children: list[CategoryOut] = []


class DuplicateOut(Schema):
    """A possible duplicate as offered on intake: no reporter, no description, no exact place."""

    id: int
    number: str
    category: str
    state: str
    state_label: str
    unit: str
    distance_m: int
    submitted_at: dt.datetime


class PublicAppealOut(Schema):
    """One appeal on the public map and list (see ``presenters.public_item`` for what is left out and why)."""

    number: str
    category: str
    category_code: str
    state: str
    state_label: str
    open: bool
    street: str
    community: str
    summary: str
    latitude: Decimal | None
    longitude: Decimal | None
    submitted_on: dt.date
    resolved_on: dt.date | None
    rating: int | None
    after_photos: list[str]


class PublicAppealPage(Schema):
    items: list[PublicAppealOut]
    count: int
    page: int
    page_size: int
    pages: int


class PublicUnitOut(Schema):
    code: str
    name: str
    kind: str
    latitude: Decimal | None
    longitude: Decimal | None


class PublicFiguresRow(Schema):
    unit: PublicUnitOut
    count: int
    closed: int
    resolution_rate: float | None
    rated: int
    satisfaction_rate: float | None
    median_resolve_hours: float | None
    overdue: int


class PublicFiguresOut(Schema):
    period: str
    start: dt.date
    end: dt.date
    total: PublicFiguresRow
    tiers: list[PublicFiguresRow]


class EventOut(Schema):
    action: str
    from_state: str
    to_state: str
    actor: str | None
    at: dt.datetime
    note: str
    detail: dict


class PhotoOut(Schema):
    id: int
    stage: str
    url: str
    width: int
    height: int
    gps_latitude: Decimal | None
    gps_longitude: Decimal | None


class AppealListOut(Schema):
    id: int
    number: str
    channel: str
    category: str
    state: str
    state_label: str
    urgency: str
    unit: str
    summary: str
    submitted_at: dt.datetime
    accept_due_at: dt.datetime | None
    reply_due_at: dt.datetime | None
    warning: str
    owner: str | None


class AppealOut(AppealListOut):
    description: str
    address: str
    latitude: Decimal | None
    longitude: Decimal | None
    reporter_name: str
    reporter_phone: str
    reporter_masked: bool
    anonymous: bool
    rating: int | None
    visit_satisfied: bool | None
    reject_reason: str
    merged_into: str | None
    reopen_count: int
    assignee: str | None
    actions: list[str]
    events: list[EventOut]
    photos: list[PhotoOut]
    # time limits, escalation, response times (R-H4, R-H8)
    dispatch_due_at: dt.datetime | None = None
    dispatched_at: dt.datetime | None = None
    extended_days: int = 0
    extension_left: int = 0
    level_unit: str | None = None
    level_unit_id: int | None = None
    escalated: bool = False
    accept_seconds: float | None = None
    first_action_seconds: float | None = None


class HolidayIn(Schema):
    date: dt.date
    name: str
    workday: bool = False  # 调休上班: a weekend day that is worked


class HolidayOut(Schema):
    id: int
    date: dt.date
    name: str
    workday: bool


class TimeLimitIn(Schema):
    category: str = ""  # a leaf or a major class code; empty for every category
    urgency: str = "normal"
    accept_working_hours: int
    dispatch_working_hours: int
    reply_working_days: int
    effective_from: dt.datetime | None = None
    note: str = ""


class TimeLimitOut(Schema):
    id: int
    category: str | None
    category_name: str | None
    urgency: str
    accept_working_hours: int
    dispatch_working_hours: int
    reply_working_days: int
    effective_from: dt.datetime
    in_force: bool
    note: str
    created_by: str | None
