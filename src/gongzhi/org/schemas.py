from __future__ import annotations

from decimal import Decimal

from ninja import Schema
from ninja.schema import DjangoGetter
from pydantic import Field


def _kind_name(obj) -> str:
    # Endpoints pass a model or an already-serialised dict (tree nodes, details); the recursive tree schema hands
    # the resolver a getter around that dict.
    if isinstance(obj, dict):
        return obj["kind_name"]
    if isinstance(obj, DjangoGetter):
        return obj.kind_name
    return str(obj.get_kind_display())


class UnitOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    kind_name: str
    parent_id: int | None
    path: str
    depth: int
    synthetic: bool
    latitude: Decimal | None = None
    longitude: Decimal | None = None

    @staticmethod
    def resolve_kind_name(obj) -> str:
        return _kind_name(obj)


class UnitTreeOut(UnitOut):
    children: list[UnitTreeOut] = []


class UnitDetailOut(UnitOut):
    address: str
    children: list[UnitOut]
    breadcrumbs: list[UnitOut]


class UnitCreateIn(Schema):
    code: str = Field(..., max_length=24)
    name: str = Field(..., max_length=100)
    kind: str
    parent_id: int
    address: str = Field("", max_length=200)
    # the columns are numeric(9, 6): PostgreSQL refuses anything larger, so refuse it here on every database
    latitude: Decimal | None = Field(None, ge=-90, le=90, max_digits=9, decimal_places=6)
    longitude: Decimal | None = Field(None, ge=-180, le=180, max_digits=9, decimal_places=6)


class OrgOut(Schema):
    id: int
    name: str
    kind: str
    kind_name: str
    unit_id: int
    unit_name: str
    parent_id: int | None
    member_count: int = 0

    @staticmethod
    def resolve_kind_name(obj) -> str:
        return _kind_name(obj)

    @staticmethod
    def resolve_unit_name(obj) -> str:
        return obj["unit_name"] if isinstance(obj, dict) else obj.unit.name


class OrgCreateIn(Schema):
    name: str = Field(..., max_length=120)
    kind: str
    unit_id: int
    parent_id: int | None = None
    description: str = Field("", max_length=5000)
    contact_name: str = Field("", max_length=50)
    contact_phone: str = Field("", max_length=20)


class MemberOut(Schema):
    person_id: int
    name: str
    role: str
    joined_on: str
    volunteer_number: str | None


class OrgDetailOut(OrgOut):
    description: str
    contact_name: str
    members: list[MemberOut] = []


class PageMeta(Schema):
    count: int
    page: int
    page_size: int
    pages: int
