from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Schema
from pydantic import Field


class CategoryOut(Schema):
    code: str
    name: str
    dangerous: bool


class ProjectOut(Schema):
    id: int
    name: str
    unit_id: int
    unit_name: str
    category: str
    organiser_id: int | None
    description: str
    starts_on: dt.date
    ends_on: dt.date | None
    active: bool


class ProjectIn(Schema):
    name: str = Field(..., max_length=120)
    unit_id: int
    category: str = Field(..., max_length=40)
    organiser_id: int | None = None
    description: str = Field("", max_length=5000)
    starts_on: dt.date
    ends_on: dt.date | None = None


class ActivityListOut(Schema):
    id: int
    title: str
    status: str
    status_name: str
    category: str
    category_name: str
    unit_id: int
    unit_name: str
    organiser_id: int | None
    organiser_name: str | None
    project_id: int | None
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int
    confirmed_count: int
    waitlist_count: int
    audience: str
    address: str


class ActivityOut(ActivityListOut):
    description: str
    latitude: Decimal | None
    longitude: Decimal | None
    checkin_radius_m: int
    requires_approval: bool
    min_age: int
    dangerous: bool
    skills: list[str]
    can_manage: bool
    my_signup_id: int | None
    my_status: str | None
    my_waitlist_position: int | None


class ActivityIn(Schema):
    title: str = Field(..., max_length=120)
    category: str = Field(..., max_length=40)
    unit_id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int = Field(..., ge=1, le=100_000)
    project_id: int | None = None
    organiser_id: int | None = None
    description: str = Field("", max_length=5000)
    address: str = Field("", max_length=200)
    latitude: Decimal | None = Field(None, ge=-90, le=90, max_digits=9, decimal_places=6)
    longitude: Decimal | None = Field(None, ge=-180, le=180, max_digits=9, decimal_places=6)
    checkin_radius_m: int = Field(300, ge=10, le=50_000)
    requires_approval: bool = False
    audience: str = Field("community", max_length=16)
    min_age: int = Field(0, ge=0, le=100)
    skills: list[str] = Field(default_factory=list, max_length=20)


class ActivityPatch(Schema):
    """Only the fields given change; after publishing only description, address and a larger capacity."""

    title: str | None = Field(None, max_length=120)
    category: str | None = Field(None, max_length=40)
    starts_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None
    capacity: int | None = Field(None, ge=1, le=100_000)
    description: str | None = Field(None, max_length=5000)
    address: str | None = Field(None, max_length=200)
    latitude: Decimal | None = Field(None, ge=-90, le=90, max_digits=9, decimal_places=6)
    longitude: Decimal | None = Field(None, ge=-180, le=180, max_digits=9, decimal_places=6)
    requires_approval: bool | None = None
    audience: str | None = Field(None, max_length=16)
    min_age: int | None = Field(None, ge=0, le=100)


class ReasonIn(Schema):
    reason: str = Field("", max_length=200)


class SignupIn(Schema):
    guardian_name: str = Field("", max_length=50)
    guardian_present: bool = False
    note: str = Field("", max_length=200)
    idempotency_key: str | None = Field(
        None, min_length=1, max_length=80, pattern=r"\S",
        description="可选的请求编号（客户端为每次报名生成，如 UUID；同一志愿者内唯一）。未收到应答而重试时带上同一编号："
                    "同一志愿者、同一活动返回首次的报名（201，编号与当前状态，不再新建，与积分奖励、兑换的重试一致）；"
                    "同一编号用于另一活动或另一志愿者时返回 409。不带编号则每次都是新的报名请求。")


class SignupOut(Schema):
    """A sign-up as the organiser sees it: the phone masked (R-P3)."""

    id: int
    activity_id: int
    volunteer_id: int
    volunteer_number: str
    name: str
    phone: str
    status: str
    status_name: str
    guardian_name: str
    guardian_present: bool
    note: str
    created_at: dt.datetime
    waitlist_position: int | None


class MySignupOut(Schema):
    id: int
    activity_id: int
    activity_title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    address: str
    status: str
    status_name: str
    waitlist_position: int | None


class BeneficiaryIn(Schema):
    group: str = Field("general", max_length=24)
    count: int = Field(..., ge=0, le=100_000)
    note: str = Field("", max_length=200)


class BeneficiaryOut(Schema):
    id: int
    group: str
    group_name: str
    count: int
    supersedes_id: int | None
    note: str
    recorded_at: dt.datetime


class BeneficiariesOut(Schema):
    total: int
    current: list[BeneficiaryOut]
    history: list[BeneficiaryOut]


class PolicyIn(Schema):
    unit_id: int
    insurer: str = Field(..., max_length=100)
    policy_number: str = Field(..., max_length=60)
    starts_on: dt.date
    ends_on: dt.date
    activity_ids: list[int] = Field(default_factory=list, max_length=500)
    note: str = Field("", max_length=200)


class PolicyOut(Schema):
    id: int
    unit_id: int
    unit_name: str
    insurer: str
    policy_number: str
    starts_on: dt.date
    ends_on: dt.date
    activity_ids: list[int]
    note: str
