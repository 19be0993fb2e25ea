"""API input and output schemas for training; never a whole model."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Schema
from pydantic import Field


class CourseIn(Schema):
    unit_id: int
    title: str = Field(..., max_length=200)
    level: str = "general"
    skill: str = Field("", max_length=40, description="技能代码或名称（可选）")
    description: str = Field("", max_length=4000)
    hours: Decimal = Field(Decimal("2"), description="学时")
    active: bool = True


class CourseOut(Schema):
    id: int
    unit_id: int
    unit_name: str
    title: str
    level: str
    level_name: str
    skill: str | None
    description: str
    hours: Decimal
    active: bool
    can_manage: bool


class SessionIn(Schema):
    starts_at: dt.datetime
    ends_at: dt.datetime
    place: str = Field(..., max_length=200)
    trainer: str = Field("", max_length=80)
    capacity: int


class SessionOut(Schema):
    id: int
    course_id: int
    course_title: str
    level: str
    unit_name: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    place: str
    trainer: str
    capacity: int
    enrolled: int
    places_left: int
    status: str
    status_name: str
    cancel_reason: str


class CancelIn(Schema):
    reason: str = Field("", max_length=200)


class EnrolIn(Schema):
    volunteer_id: int | None = Field(None, description="工作人员代为报名时填写；不填为本人报名")


class MarkOut(Schema):
    id: int
    enrolment_id: int
    volunteer_id: int
    attended: bool
    passed: bool | None
    score: Decimal | None
    note: str
    supersedes_id: int | None
    current: bool
    marked_by: str
    marked_at: dt.datetime


class EnrolmentOut(Schema):
    id: int
    session_id: int
    volunteer_id: int
    volunteer_number: str
    volunteer_name: str
    unit_name: str
    enrolled_at: dt.datetime
    self_enrolled: bool
    mark: MarkOut | None


class MarkIn(Schema):
    enrolment_id: int
    attended: bool
    passed: bool | None = None
    score: Decimal | None = None
    note: str = Field("", max_length=200)
    expected_mark_id: int | None = Field(None, description="更正时填写所见的当前记录编号，防止覆盖他人的更正")


class MarkBatchIn(Schema):
    marks: list[MarkIn] = Field(..., max_length=500)


class LevelOut(Schema):
    level: str
    label: str
    count: int
    hours: Decimal
    courses: list[dict]


class HistoryOut(Schema):
    enrolment_id: int
    session_id: int
    course_id: int
    course_title: str
    level: str
    starts_at: dt.datetime
    status: str
    attended: bool | None
    passed: bool | None
    score: Decimal | None


class MyTrainingOut(Schema):
    volunteer_id: int | None
    courses_completed: int
    sessions_attended: int
    hours: Decimal
    levels: list[LevelOut]
    history: list[HistoryOut]
