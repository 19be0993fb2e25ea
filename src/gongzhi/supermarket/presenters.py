"""Model → API dict for the supermarket; names of people are always masked here (R-P3)."""

from __future__ import annotations

from gongzhi.accounts import scoping
from gongzhi.privacy.masking import mask_name

from . import permissions as perms
from . import selectors
from .models import CatalogueItem, Merchant, Redemption


def merchant_out(m: Merchant, actor) -> dict:
    inside = (scoping.can(actor, perms.MANAGE, m.unit) or scoping.can(actor, perms.SETTLE, m.unit)
              or selectors.staff_merchants(actor).filter(pk=m.pk).exists())
    return {"id": m.pk, "unit_id": m.unit_id, "unit_name": m.unit.name, "name": m.name, "kind": m.kind,
            "kind_name": m.get_kind_display(), "address": m.address, "fen_per_point": m.fen_per_point,
            "active": m.active, "account_id": m.account_id, "balance": m.account.balance if inside else None,
            "staff_ids": sorted(m.staff.values_list("pk", flat=True)) if inside else None}


def item_out(i: CatalogueItem) -> dict:
    return {"id": i.pk, "merchant_id": i.merchant_id, "merchant_name": i.merchant.name, "name": i.name,
            "description": i.description, "points_price": i.points_price, "stock": i.stock, "active": i.active}


def redemption_out(r: Redemption) -> dict:
    return {"id": r.pk, "receipt_number": r.receipt_number, "merchant_id": r.merchant_id,
            "merchant_name": r.merchant.name, "person_name": mask_name(r.person.name), "item_id": r.item_id,
            "item_name": r.item.name, "quantity": r.quantity, "points": r.points, "channel": r.channel,
            "status": r.status, "status_name": r.get_status_display(), "transaction_id": r.transaction_id,
            "created_at": r.created_at, "completed_at": r.completed_at}


def settlement_out(s: selectors.Settlement) -> dict:
    return {"start": s.start, "end": s.end, "points": s.points, "amount_yuan": s.amount,
            "merchants": [{"merchant_id": row.merchant.pk, "merchant_name": row.merchant.name,
                           "unit_name": row.merchant.unit.name, "receipts": row.receipts, "points": row.points,
                           "fen_per_point": row.merchant.fen_per_point, "amount_yuan": row.amount}
                          for row in s.rows],
            "receipts": [redemption_out(r) for r in s.receipts]}
