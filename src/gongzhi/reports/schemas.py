from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Schema


class UnitRef(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    code: str


class PeriodOut(Schema):
    key: str
    grain: str
    label: str
    start: dt.date | None
    end: dt.date | None


class Figures(Schema):
    activities: int
    participations: int
    volunteers: int
    hours: Decimal
    beneficiaries: int
    records: int


class Registered(Schema):
    volunteers: int
    organisations: int
    teams: int


class ChildRow(Schema):
    unit: UnitRef
    figures: Figures
    registered: Registered


class CategoryRow(Schema):
    code: str
    name: str
    activities: int
    participations: int
    volunteers: int
    hours: Decimal
    beneficiaries: int
    records: int


class MonthRow(Schema):
    month: str
    activities: int
    participations: int
    volunteers: int
    hours: Decimal
    beneficiaries: int
    records: int


class DashboardOut(Schema):
    unit: UnitRef
    parent: UnitRef | None
    period: PeriodOut
    source: str
    figures: Figures
    registered: Registered
    children: list[ChildRow]
    by_category: list[CategoryRow]
    by_month: list[MonthRow]


class DashboardQuery(Schema):
    unit_id: int | None = None
    period: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None


class PeriodQuery(Schema):
    period: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None


class TeamRef(Schema):
    id: int
    name: str
    unit: UnitRef


class MemberRow(Schema):
    person_id: int
    name: str
    phone: str
    role: str
    role_label: str
    joined_on: dt.date
    volunteer_number: str
    hours: Decimal
    participations: int
    records: int


class TeamTotals(Schema):
    members: int
    volunteers: int
    hours: Decimal
    participations: int
    activities: int
    beneficiaries: int


class TeamReportOut(Schema):
    team: TeamRef
    period: PeriodOut
    members: list[MemberRow]
    totals: TeamTotals


class TeamListRow(Schema):
    id: int
    name: str
    unit_id: int
    unit_name: str
    members: int
