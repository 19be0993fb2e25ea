from __future__ import annotations

from decimal import Decimal

from ninja import Schema
from ninja.schema import DjangoGetter


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
    code: str
    name: str
    kind: str
    parent_id: int
    address: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None


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
    name: str
    kind: str
    unit_id: int
    parent_id: int | None = None
    description: str = ""
    contact_name: str = ""
    contact_phone: str = ""


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
