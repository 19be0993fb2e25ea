"""API shapes of the order board."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Schema


class OrderIn(Schema):
    title: str
    description: str = ""
    unit_id: int | None = None
    address: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    skill: str | None = None  # people.Skill code
    team_id: int | None = None
    project_id: int | None = None
    due_at: dt.datetime | None = None


class NoteIn(Schema):
    note: str = ""


class AssignIn(Schema):
    volunteer_id: int
    note: str = ""


class LocationIn(Schema):
    latitude: Decimal
    longitude: Decimal
    label: str = ""


class LocationOut(Schema):
    latitude: Decimal
    longitude: Decimal
    label: str


class EventOut(Schema):
    action: str
    from_state: str
    to_state: str
    actor: str
    at: dt.datetime
    note: str


class OrderOut(Schema):
    id: int
    title: str
    description: str
    state: str
    state_label: str
    source: str
    unit_id: int
    unit: str
    address: str
    skill: str | None
    skill_name: str | None
    team_id: int | None
    team: str | None
    appeal_id: int | None
    appeal_number: str | None
    project_id: int | None
    project: str | None
    due_at: dt.datetime | None
    created_at: dt.datetime
    taker: str | None
    taken_at: dt.datetime | None
    first_action_at: dt.datetime | None
    done_at: dt.datetime | None
    distance_km: float | None = None
    events: list[EventOut] | None = None


class OrderPage(Schema):
    items: list[OrderOut]
    count: int
    page: int
    page_size: int
    pages: int


class SuggestionOut(Schema):
    volunteer_id: int
    name: str
    number: str
    score: float
    distance_km: float
    free: bool
    recent_load: int
    reason: str


class FiguresOut(Schema):
    unit_id: int | None
    label: str
    orders: int
    taken: int
    done: int
    accept_minutes: float | None
    action_minutes: float | None
    within_30_min: float | None
