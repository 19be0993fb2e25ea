"""API input and output schemas for the points supermarket; never a whole model."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Schema
from pydantic import Field


class MerchantIn(Schema):
    unit_id: int
    name: str = Field(..., max_length=200)
    kind: str
    address: str = Field("", max_length=200)
    fen_per_point: int = 10


class MerchantUpdateIn(Schema):
    name: str = Field(..., max_length=200)
    address: str = Field("", max_length=200)
    fen_per_point: int = 10
    active: bool = True


class MerchantOut(Schema):
    id: int
    unit_id: int
    unit_name: str
    name: str
    kind: str
    kind_name: str
    address: str
    fen_per_point: int
    active: bool
    account_id: int
    balance: int | None = Field(None, description="商户账户积分（仅店员与管理人员可见）")
    staff_ids: list[int] | None = None


class StaffIn(Schema):
    user_id: int


class ItemIn(Schema):
    name: str = Field(..., max_length=200)
    description: str = Field("", max_length=300)
    points_price: int
    active: bool = True


class ItemCreateIn(ItemIn):
    stock: int = 0


class StockIn(Schema):
    change: int
    reason: str = Field("restock", description="restock 补货 / adjust 盘点调整")
    note: str = Field("", max_length=200)


class ItemOut(Schema):
    id: int
    merchant_id: int
    merchant_name: str
    name: str
    description: str
    points_price: int
    stock: int
    active: bool


class MemberTokenOut(Schema):
    token: str
    expires_in: int
    person_name: str
    balance: int


class MemberLookupIn(Schema):
    member_token: str = Field(..., max_length=500)


class MemberOut(Schema):
    name: str = Field(..., description="脱敏姓名")
    balance: int


class CounterRedeemIn(Schema):
    merchant_id: int
    member_token: str = Field(..., max_length=500)
    item_id: int
    quantity: int = 1
    idempotency_key: str = Field(..., max_length=200)


class OrderIn(Schema):
    item_id: int
    quantity: int = 1
    idempotency_key: str = Field(..., max_length=200)


class CancelIn(Schema):
    reason: str = Field("", max_length=200)


class RedemptionOut(Schema):
    id: int
    receipt_number: str
    merchant_id: int
    merchant_name: str
    person_name: str = Field(..., description="脱敏姓名")
    item_id: int
    item_name: str
    quantity: int
    points: int
    channel: str
    status: str
    status_name: str
    transaction_id: int
    created_at: dt.datetime
    completed_at: dt.datetime | None


class SettlementRowOut(Schema):
    merchant_id: int
    merchant_name: str
    unit_name: str
    receipts: int
    points: int
    fen_per_point: int
    amount_yuan: Decimal


class SettlementOut(Schema):
    start: dt.date
    end: dt.date
    points: int
    amount_yuan: Decimal
    merchants: list[SettlementRowOut]
    receipts: list[RedemptionOut]
