from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema

from gongzhi.core.ids import MAX_ID

Id = Field(None, ge=1, le=MAX_ID)


class KindOut(Schema):
    code: str
    name: str


class KindRowOut(Schema):
    kind: KindOut
    needs: int
    open_needs: int
    resources: int
    projects: int
    gap: bool


class EventOut(Schema):
    action: str
    from_status: str
    to_status: str
    actor: str | None
    at: dt.datetime
    note: str


class NeedIn(Schema):
    unit_id: int = Field(..., ge=1, le=MAX_ID)
    kind: str
    title: str
    description: str = ""
    source: str = "manual"
    beneficiaries: int = Field(1, ge=-MAX_ID, le=MAX_ID)
    latitude: Decimal | None = Field(None, max_digits=9, decimal_places=6)
    longitude: Decimal | None = Field(None, max_digits=9, decimal_places=6)


class NeedFromAppealIn(Schema):
    appeal_id: int = Field(..., ge=1, le=MAX_ID)
    kind: str = ""
    title: str = ""
    beneficiaries: int = Field(1, ge=-MAX_ID, le=MAX_ID)


class NoteIn(Schema):
    note: str = ""


class MatchOut(Schema):
    id: int
    need_id: int
    need: str
    resource_id: int | None
    resource: str | None
    project_id: int | None
    project: str | None
    status: str
    status_label: str
    reason: str
    distance_m: int | None
    created_at: dt.datetime
    actions: list[str]
    events: list[EventOut]


class NeedListOut(Schema):
    id: int
    title: str
    kind: KindOut
    unit: str
    unit_id: int
    source: str
    source_label: str
    status: str
    status_label: str
    beneficiaries: int
    created_at: dt.datetime


class NeedOut(NeedListOut):
    description: str
    appeal: str | None
    latitude: Decimal | None
    longitude: Decimal | None
    actions: list[str]
    events: list[EventOut]
    matches: list[MatchOut]


class ResourceIn(Schema):
    unit_id: int = Field(..., ge=1, le=MAX_ID)
    name: str
    kind: str
    offers: list[str]
    offer: str = ""
    capacity: str = ""
    address: str = ""
    latitude: Decimal | None = Field(None, max_digits=9, decimal_places=6)
    longitude: Decimal | None = Field(None, max_digits=9, decimal_places=6)
    contact_name: str = ""
    contact_phone: str = ""
    organisation_id: int | None = Id
    merchant_id: int | None = Id


class ResourceOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    unit: str
    unit_id: int
    offers: list[KindOut]
    offer: str
    capacity: str
    address: str
    latitude: Decimal | None
    longitude: Decimal | None
    contact_name: str
    contact_phone: str
    organisation: str | None
    merchant: str | None
    active: bool
    withdrawn_at: dt.datetime | None
    withdraw_reason: str


class ProjectIn(Schema):
    unit_id: int = Field(..., ge=1, le=MAX_ID)
    name: str
    kinds: list[str]
    funder: str
    funding: str = "government"
    budget: Decimal = Field(..., max_digits=12, decimal_places=2)
    starts_on: dt.date
    ends_on: dt.date
    description: str = ""
    organisation_id: int | None = Id
    social_worker_id: int | None = Id


class ProjectOut(Schema):
    id: int
    name: str
    unit: str
    unit_id: int
    kinds: list[KindOut]
    description: str
    funder: str
    funding: str
    funding_label: str
    budget: Decimal
    organisation: str | None
    social_worker: str | None
    social_worker_id: int | None
    starts_on: dt.date
    ends_on: dt.date
    status: str
    status_label: str
    actions: list[str]


class ProjectDetailOut(ProjectOut):
    events: list[EventOut]
    matches: list[MatchOut]


class MatchIn(Schema):
    need_id: int = Field(..., ge=1, le=MAX_ID)
    resource_id: int | None = Id
    project_id: int | None = Id
    note: str = ""


class SuggestionOut(Schema):
    id: int
    name: str
    unit: str
    distance_m: int | None
    reason: str


class SuggestionsOut(Schema):
    need_id: int
    resources: list[SuggestionOut]
    projects: list[SuggestionOut]
