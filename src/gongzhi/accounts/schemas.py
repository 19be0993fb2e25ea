from __future__ import annotations

import datetime as dt

from ninja import Schema


class RoleOut(Schema):
    id: int
    role: str
    role_name: str
    unit_id: int
    unit_code: str
    unit_name: str


class MeOut(Schema):
    id: int
    username: str
    name: str
    person_id: int | None
    roles: list[RoleOut]
    permissions: list[str]


class TokenCreateIn(Schema):
    name: str = ""


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class TokenCreatedOut(TokenOut):
    key: str


class RoleGrantIn(Schema):
    user_id: int
    role: str
    unit_id: int
