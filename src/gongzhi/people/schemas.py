from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import Field


class TagOut(Schema):
    code: str
    name: str
    sensitive: bool


class SkillOut(Schema):
    code: str
    name: str


class PersonListOut(Schema):
    """A person in a list: always masked (R-P3)."""

    id: int
    name: str
    sex: str
    birth_year: int | None
    unit_id: int
    unit_name: str
    id_number: str
    phone: str
    tags: list[str]
    hidden_tags: int
    volunteer_number: str | None


class PersonOut(Schema):
    id: int
    name: str
    name_pinyin: str
    sex: str
    birth_date: dt.date | None = Field(None, description="完整出生日期，仅在 reveal=true 时给出（R-P3）")
    birth_year: int | None
    unit_id: int
    unit_name: str
    household: str | None
    id_type: str
    id_number: str
    phone: str
    address: str
    tags: list[TagOut]
    hidden_tags: int
    revealed: bool
    can_reveal: bool
    can_edit: bool
    volunteer_id: int | None
    volunteer_number: str | None


class PersonIn(Schema):
    name: str = Field(..., max_length=50)
    unit_id: int
    id_type: str = "resident_id"
    id_number: str = Field("", max_length=30)
    phone: str = Field("", max_length=20)
    address: str = Field("", max_length=200)
    household: str = Field("", max_length=120)
    tags: list[str] = []
    guardian_name: str = Field("", max_length=50)


class ConsentIn(Schema):
    purpose: str
    granted: bool
    guardian_name: str = Field("", max_length=50)
    note: str = Field("", max_length=200)


class ConsentOut(Schema):
    id: int
    purpose: str
    granted: bool
    guardian_name: str
    note: str
    recorded_at: dt.datetime


class VolunteerListOut(Schema):
    id: int
    number: str
    person_id: int
    name: str
    status: str
    status_name: str
    unit_id: int
    unit_name: str
    skills: list[str]
    applied_at: dt.datetime


class ReviewOut(Schema):
    round: int
    decision: str
    note: str
    reviewer: str
    at: dt.datetime


class StatusChangeOut(Schema):
    from_status: str
    to_status: str
    reason: str
    at: dt.datetime


class CertificateOut(Schema):
    id: int
    name: str
    number: str
    skill: str | None
    issued_on: dt.date | None
    expires_on: dt.date | None


class VolunteerOut(VolunteerListOut):
    availability: list[str]
    motivation: str
    reviews: list[ReviewOut]
    status_changes: list[StatusChangeOut]
    certificates: list[CertificateOut]
    rounds_required: int


class VolunteerApplyIn(Schema):
    skills: list[str] = []
    availability: list[str] = []
    motivation: str = Field("", max_length=2000)
    guardian_name: str = Field("", max_length=50)


class VolunteerRegisterIn(VolunteerApplyIn):
    person_id: int
    consent_confirmed: bool = False


class VolunteerUpdateIn(Schema):
    skills: list[str] | None = None
    availability: list[str] | None = None


class ReviewIn(Schema):
    decision: str
    note: str = Field("", max_length=2000)


class ReasonIn(Schema):
    reason: str = Field("", max_length=200)


class CertificateIn(Schema):
    name: str = Field(..., min_length=1, max_length=80)
    number: str = Field("", max_length=60)
    skill: str = ""
    issued_on: dt.date | None = None
    expires_on: dt.date | None = None


class MemberIn(Schema):
    person_id: int
    role: str = "member"


class MembershipOut(Schema):
    team_id: int
    person_id: int
    role: str
    joined_on: dt.date
    left_on: dt.date | None
