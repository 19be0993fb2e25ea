"""Writes for the points supermarket. Points move only through ``points.services.transaction_post``.

Lock order, everywhere: the redemption row (cancel/pick-up), then the item row, then the ledger's account rows (taken
by ``transaction_post`` in primary-key order). Stock and balance therefore change in one database transaction and two
redemptions of the same item queue on the item row: nothing is oversold and no balance goes negative.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F

from gongzhi.accounts import scoping
from gongzhi.core import clock
from gongzhi.core.errors import CommonError
from gongzhi.people.models import Person
from gongzhi.points.models import Account, AccountKind, TxKind
from gongzhi.points.services import Leg, account_for_person, transaction_post, transaction_reverse

from . import permissions as perms
from .errors import SupermarketError
from .models import (
    CatalogueItem,
    Merchant,
    MerchantKind,
    Redemption,
    RedemptionEvent,
    RedemptionStatus,
    StockMovement,
    StockReason,
)

MEMBER_SALT = "supermarket.member"
MEMBER_TOKEN_SECONDS = 120
MAX_QUANTITY = 99
MAX_PRICE = 100_000
MAX_STOCK = 100_000


class Channel:
    COUNTER = "counter"
    ORDER = "order"


# --- member QR ----------------------------------------------------------------------------------------------


def member_token_create(*, person: Person) -> str:
    """A signed, short-lived token naming the person, shown as the member QR (the clock is ``core.clock``)."""
    return signing.dumps({"p": person.pk, "t": int(clock.now().timestamp())}, salt=MEMBER_SALT, compress=False)


def member_token_read(token: str) -> Person:
    """The person a member token names; forged → 400 token_invalid, older than two minutes → 400 token_expired."""
    try:
        data = signing.loads((token or "").strip(), salt=MEMBER_SALT)
        pk, issued = int(data["p"]), int(data["t"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise SupermarketError.TOKEN_INVALID.error() from None
    age = clock.now().timestamp() - issued
    if age > MEMBER_TOKEN_SECONDS or age < -30:
        raise SupermarketError.TOKEN_EXPIRED.error()
    person = Person.objects.select_related("unit").filter(pk=pk).first()
    if person is None:
        raise SupermarketError.TOKEN_INVALID.error()
    return person


# --- merchants and goods ------------------------------------------------------------------------------------


def _name(value: str) -> str:
    value = (value or "").strip()
    if not value or len(value) > 120:
        raise SupermarketError.NAME_INVALID.error(detail={"field": "name"})
    return value


@transaction.atomic
def merchant_create(*, unit, name: str, kind: str, address: str = "", fen_per_point: int = 10, actor) -> Merchant:
    """Register a shop at a unit with its own ledger account (merchant kind)."""
    scoping.require(actor, perms.MANAGE, unit)
    name = _name(name)
    if kind not in MerchantKind.values:
        raise SupermarketError.KIND_UNKNOWN.error(detail={"field": "kind"})
    if not isinstance(fen_per_point, int) or not 1 <= fen_per_point <= 1000:
        raise SupermarketError.RATE_INVALID.error(detail={"field": "fen_per_point"})
    if Merchant.objects.filter(unit=unit, name=name).exists():
        raise SupermarketError.NAME_DUPLICATE.error(detail={"field": "name"})
    account = Account.objects.create(kind=AccountKind.MERCHANT, unit=unit)
    try:
        with transaction.atomic():
            return Merchant.objects.create(unit=unit, name=name, kind=kind, address=(address or "").strip()[:200],
                                           fen_per_point=fen_per_point, account=account)
    except IntegrityError:
        raise SupermarketError.NAME_DUPLICATE.error(detail={"field": "name"}) from None


@transaction.atomic
def merchant_update(*, merchant: Merchant, name: str, address: str, fen_per_point: int, active: bool,
                    actor) -> Merchant:
    """Rename, move the address, change the settlement rate or close/reopen a shop (a closed shop redeems nothing;
    settled redemptions keep the amounts computed at the rate in force when the statement is drawn)."""
    scoping.require(actor, perms.MANAGE, merchant.unit)
    name = _name(name)
    if not isinstance(fen_per_point, int) or not 1 <= fen_per_point <= 1000:
        raise SupermarketError.RATE_INVALID.error(detail={"field": "fen_per_point"})
    if Merchant.objects.filter(unit_id=merchant.unit_id, name=name).exclude(pk=merchant.pk).exists():
        raise SupermarketError.NAME_DUPLICATE.error(detail={"field": "name"})
    merchant = Merchant.objects.select_for_update().get(pk=merchant.pk)
    merchant.name, merchant.address = name, (address or "").strip()[:200]
    merchant.fen_per_point, merchant.active = fen_per_point, bool(active)
    merchant.save(update_fields=["name", "address", "fen_per_point", "active"])
    return merchant


@transaction.atomic
def merchant_staff_add(*, merchant: Merchant, user, actor) -> Merchant:
    """List a user as the shop's staff; they must hold the merchant role at a unit covering the shop."""
    scoping.require(actor, perms.MANAGE, merchant.unit)
    scoping.forget(user)
    if not scoping.can(user, perms.REDEEM, merchant.unit) or scoping.is_superuser(user):
        raise SupermarketError.STAFF_NOT_MERCHANT.error(detail={"field": "user_id"})
    merchant.staff.add(user)
    return merchant


@dataclass
class ItemInput:
    name: str
    points_price: int
    description: str = ""
    active: bool = True


def _check_item(data: ItemInput) -> None:
    _name(data.name)
    if not isinstance(data.points_price, int) or not 1 <= data.points_price <= MAX_PRICE:
        raise SupermarketError.PRICE_INVALID.error(detail={"field": "points_price"})


@transaction.atomic
def item_create(*, merchant: Merchant, data: ItemInput, stock: int, actor) -> CatalogueItem:
    """Put goods or a discount on the shelf with an opening stock (recorded as the first stock movement)."""
    scoping.require(actor, perms.MANAGE, merchant.unit)
    _check_item(data)
    if not isinstance(stock, int) or not 0 <= stock <= MAX_STOCK:
        raise SupermarketError.STOCK_INVALID.error(detail={"field": "stock"})
    item = CatalogueItem.objects.create(merchant=merchant, name=data.name.strip(),
                                        description=data.description.strip()[:300], points_price=data.points_price,
                                        stock=stock, active=data.active)
    if stock:
        StockMovement.objects.create(item=item, change=stock, stock_after=stock, reason=StockReason.INITIAL,
                                     actor=actor, at=clock.now())
    return item


@transaction.atomic
def item_update(*, item: CatalogueItem, data: ItemInput, actor) -> CatalogueItem:
    """Change name, description, price or shelf state (deactivate = take off the shelf); stock has its own verb."""
    scoping.require(actor, perms.MANAGE, item.merchant.unit)
    _check_item(data)
    item = CatalogueItem.objects.select_for_update().get(pk=item.pk)
    item.name, item.description = data.name.strip(), data.description.strip()[:300]
    item.points_price, item.active = data.points_price, data.active
    item.save(update_fields=["name", "description", "points_price", "active"])
    return item


@transaction.atomic
def item_stock_change(*, item: CatalogueItem, change: int, reason: str, note: str = "", actor) -> CatalogueItem:
    """Restock or adjust after a count: a stock movement row, under the item's row lock."""
    scoping.require(actor, perms.MANAGE, item.merchant.unit)
    if reason not in (StockReason.RESTOCK, StockReason.ADJUST):
        raise SupermarketError.STOCK_CHANGE_INVALID.error(detail={"field": "reason"})
    item = CatalogueItem.objects.select_for_update().get(pk=item.pk)
    if (not isinstance(change, int) or isinstance(change, bool) or change == 0 or item.stock + change < 0
            or item.stock + change > MAX_STOCK):
        raise SupermarketError.STOCK_CHANGE_INVALID.error(detail={"field": "change", "stock": item.stock})
    CatalogueItem.objects.filter(pk=item.pk).update(stock=F("stock") + change)
    item.refresh_from_db(fields=["stock"])
    StockMovement.objects.create(item=item, change=change, stock_after=item.stock, reason=reason,
                                 note=(note or "").strip()[:200], actor=actor, at=clock.now())
    return item


# --- redemptions --------------------------------------------------------------------------------------------


def _tx_key(idempotency_key: str) -> str:
    key = (idempotency_key or "").strip()
    if not key or len(key) > 80:
        raise SupermarketError.KEY_INVALID.error(detail={"field": "idempotency_key"})
    return f"supermarket:{key}"


def _event(redemption: Redemption, from_status: str, to_status: str, actor, at) -> None:
    RedemptionEvent.objects.create(redemption=redemption, from_status=from_status, to_status=to_status, actor=actor,
                                   at=at)


@transaction.atomic
def redemption_create(*, merchant: Merchant, person: Person, item: CatalogueItem, quantity: int, channel: str,
                      actor, idempotency_key: str) -> Redemption:
    """Redeem ``quantity`` of ``item`` for ``person`` at ``merchant``: stock and points in one transaction.

    Counter redemptions are completed at once; orders wait for pick-up (points and stock are taken at order time).
    A retry with the same idempotency key returns the first redemption and changes nothing; the same key for other
    content is refused (409). Refusals: inactive item or closed shop (409), out of stock (409), balance short (409).
    The caller has authorised the actor for the shop (counter) or the person (order).
    """
    if channel not in (Channel.COUNTER, Channel.ORDER):
        raise CommonError.BAD_REQUEST.error(detail={"field": "channel"})
    if not isinstance(quantity, int) or isinstance(quantity, bool) or not 1 <= quantity <= MAX_QUANTITY:
        raise SupermarketError.QUANTITY_INVALID.error(detail={"field": "quantity"})
    key = _tx_key(idempotency_key)
    if item.merchant_id != merchant.pk:
        raise SupermarketError.ITEM_NOT_AT_MERCHANT.error(detail={"field": "item_id"})
    locked = CatalogueItem.objects.select_for_update().get(pk=item.pk)  # queue behind other redemptions of it
    existing = Redemption.objects.filter(transaction__idempotency_key=key).first()
    if existing is not None:
        if (existing.merchant_id, existing.person_id, existing.item_id, existing.quantity, existing.channel) != (
                merchant.pk, person.pk, item.pk, quantity, channel):
            raise SupermarketError.KEY_CONFLICT.error(detail={"idempotency_key": idempotency_key})
        return existing
    if not merchant.active:
        raise SupermarketError.MERCHANT_CLOSED.error()
    if not locked.active:
        raise SupermarketError.ITEM_INACTIVE.error()
    if locked.stock < quantity:
        raise SupermarketError.OUT_OF_STOCK.error(detail={"stock": locked.stock, "quantity": quantity})
    points = locked.points_price * quantity
    tx = transaction_post(
        kind=TxKind.REDEMPTION, unit=merchant.unit, idempotency_key=key,
        legs=[Leg(account_for_person(person), -points), Leg(merchant.account, points)],
        reason=f"积分兑换：{locked.name} ×{quantity}（{merchant.name}）", actor=actor,
        source=("supermarket.catalogueitem", locked.pk),
    )
    now = clock.now()
    CatalogueItem.objects.filter(pk=locked.pk).update(stock=F("stock") - quantity)
    status = RedemptionStatus.COMPLETED if channel == Channel.COUNTER else RedemptionStatus.ORDERED
    redemption = Redemption.objects.create(
        person=person, merchant=merchant, item=locked, quantity=quantity, points=points, channel=channel,
        status=status, receipt_number=f"{now:%Y%m%d}{merchant.pk:04d}{tx.pk:08d}", transaction=tx,
        created_by=actor, created_at=now, completed_at=now if status == RedemptionStatus.COMPLETED else None,
    )
    StockMovement.objects.create(item=locked, change=-quantity, stock_after=locked.stock - quantity,
                                 reason=StockReason.REDEMPTION, redemption=redemption, actor=actor, at=now)
    _event(redemption, "", status, actor, now)
    return redemption


def _lock(redemption: Redemption) -> Redemption:
    return Redemption.objects.select_for_update().select_related("merchant", "item", "transaction").get(
        pk=redemption.pk)


@transaction.atomic
def redemption_pickup(*, redemption: Redemption, actor) -> Redemption:
    """The resident collected an order at the counter (caller checked the actor serves the shop)."""
    redemption = _lock(redemption)
    if redemption.status != RedemptionStatus.ORDERED:
        raise SupermarketError.NOT_ORDERED.error(detail={"status": redemption.status})
    now = clock.now()
    Redemption.objects.filter(pk=redemption.pk).update(status=RedemptionStatus.COMPLETED, completed_at=now)
    _event(redemption, RedemptionStatus.ORDERED, RedemptionStatus.COMPLETED, actor, now)
    redemption.status, redemption.completed_at = RedemptionStatus.COMPLETED, now
    return redemption


@transaction.atomic
def redemption_cancel(*, redemption: Redemption, actor, reason: str = "") -> Redemption:
    """Cancel an order not yet collected: the points come back (a reversal) and the stock returns."""
    redemption = _lock(redemption)
    if redemption.status != RedemptionStatus.ORDERED:
        raise SupermarketError.NOT_ORDERED.error(detail={"status": redemption.status})
    item = CatalogueItem.objects.select_for_update().get(pk=redemption.item_id)
    text = f"取消积分兑换订单 {redemption.receipt_number}" + (f"：{reason.strip()[:200]}" if reason.strip() else "")
    transaction_reverse(original=redemption.transaction, idempotency_key=f"supermarket:cancel:{redemption.pk}",
                        reason=text, actor=actor)
    now = clock.now()
    CatalogueItem.objects.filter(pk=item.pk).update(stock=F("stock") + redemption.quantity)
    StockMovement.objects.create(item=item, change=redemption.quantity, stock_after=item.stock + redemption.quantity,
                                 reason=StockReason.CANCELLATION, redemption=redemption, actor=actor, at=now)
    Redemption.objects.filter(pk=redemption.pk).update(status=RedemptionStatus.CANCELLED)
    _event(redemption, RedemptionStatus.ORDERED, RedemptionStatus.CANCELLED, actor, now)
    redemption.status = RedemptionStatus.CANCELLED
    return redemption
