"""Reads for the points supermarket, scoped to the acting user (style habit 4).

Who sees a shop (and its goods):
- managers (``supermarket.manage``) and settlers (``supermarket.settle``): the shops of their subtree;
- a shop's staff (``Merchant.staff`` and ``supermarket.redeem`` at the shop's unit): their own shops;
- a resident with a person record: the shops of their street (or of their own unit's ancestors), the catalogue.

Who sees a redemption (receipt): the shop's staff, managers/settlers of the shop's subtree, and the resident it
belongs to. Other units' rows answer 404; an actor with none of these capabilities gets 403.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from gongzhi.accounts import scoping
from gongzhi.core.errors import CommonError
from gongzhi.org.models import subtree_q
from gongzhi.people.models import Person
from gongzhi.people.selectors import own_person
from gongzhi.points.models import Account

from . import permissions as perms
from .errors import SupermarketError
from .models import CatalogueItem, Merchant, Redemption, RedemptionStatus

MERCHANT_PATH = "unit__path"


STREET_PATH_LENGTH = 9  # R-I3: 6-digit county + 3-digit township


def _resident_q(person: Person | None, prefix: str = "") -> Q:
    """Shops a resident may use: registered in their street's subtree or at one of their unit's ancestors."""
    if person is None:
        return Q(pk__in=[])
    field = f"{prefix}unit__path"
    path = person.unit.path
    street = path[:STREET_PATH_LENGTH] if len(path) >= STREET_PATH_LENGTH else path
    return subtree_q(street, field) | Q(**{f"{field}__in": person.unit.ancestors_paths()})


def staff_merchants(actor) -> QuerySet:
    """The shops the actor serves at the counter (listed as staff and holding the merchant role there)."""
    if not getattr(actor, "is_authenticated", False) or not scoping.has_anywhere(actor, perms.REDEEM):
        return Merchant.objects.none()
    return scoping.scope(Merchant.objects.filter(staff=actor), actor, perms.REDEEM, MERCHANT_PATH)


def _manager_q(actor, path_field: str) -> Q:
    q = Q(pk__in=[])
    for perm in (perms.MANAGE, perms.SETTLE):
        if scoping.has_anywhere(actor, perm):
            q |= scoping.scope_q(actor, perm, path_field)
    return q


def _may_use_supermarket(actor) -> bool:
    return (scoping.has_anywhere(actor, perms.MANAGE) or scoping.has_anywhere(actor, perms.SETTLE)
            or scoping.has_anywhere(actor, perms.REDEEM) or own_person(actor) is not None)


def _require_any(actor) -> None:
    if not _may_use_supermarket(actor):
        raise CommonError.FORBIDDEN.error(detail={"permission": perms.MANAGE})


def merchant_list(*, actor, active: bool | None = None) -> QuerySet:
    """The shops the actor may see (see the module docstring)."""
    _require_any(actor)
    q = _manager_q(actor, MERCHANT_PATH) | _resident_q(own_person(actor))
    staff_ids = list(staff_merchants(actor).values_list("pk", flat=True))
    if staff_ids:
        q |= Q(pk__in=staff_ids)
    if scoping.is_superuser(actor):
        q = Q()
    qs = Merchant.objects.select_related("unit", "account").filter(q)
    if active is not None:
        qs = qs.filter(active=active)
    return qs.order_by("unit__path", "name", "pk")


def merchant_get(*, actor, pk: int) -> Merchant:
    merchant = merchant_list(actor=actor).filter(pk=pk).first()
    if merchant is None:
        raise CommonError.NOT_FOUND.error()
    return merchant


def merchant_for_manage(*, actor, pk: int) -> Merchant:
    """A shop the actor registers goods and staff for (visible → 403 without ``supermarket.manage`` there)."""
    merchant = merchant_get(actor=actor, pk=pk)
    scoping.require(actor, perms.MANAGE, merchant.unit)
    return merchant


def merchant_for_counter(*, actor, pk: int) -> Merchant:
    """A shop the actor serves: listed as its staff and holding the merchant role there. A shop the actor may see
    but not serve is 403; any other shop (another shop, to a shop's staff) is 404."""
    merchant = staff_merchants(actor).select_related("unit", "account").filter(pk=pk).first()
    if merchant is not None:
        return merchant
    if merchant_list(actor=actor).filter(pk=pk).exists():
        raise CommonError.FORBIDDEN.error(detail={"permission": perms.REDEEM})
    raise CommonError.NOT_FOUND.error()


def item_list(*, actor, merchant: Merchant, active: bool | None = None) -> QuerySet:
    """A visible shop's goods; residents see only goods on the shelf (``active``)."""
    qs = CatalogueItem.objects.filter(merchant=merchant).select_related("merchant")
    if not _sees_inactive(actor, merchant):
        qs = qs.filter(active=True)
    elif active is not None:
        qs = qs.filter(active=active)
    return qs.order_by("points_price", "pk")


def counter_items(*, merchant: Merchant, in_stock_only: bool = False) -> QuerySet:
    """The goods on the shelf at a counter the caller already serves (``merchant_for_counter``)."""
    qs = CatalogueItem.objects.filter(merchant=merchant, active=True)
    if in_stock_only:
        qs = qs.filter(stock__gt=0)
    return qs.order_by("points_price", "pk")


def counter_item(*, merchant: Merchant, pk: int) -> CatalogueItem | None:
    """One of the shop's goods (on the shelf or not: the service refuses inactive goods with its own code)."""
    return CatalogueItem.objects.filter(merchant=merchant, pk=pk).first()


def _sees_inactive(actor, merchant: Merchant) -> bool:
    return (scoping.can(actor, perms.MANAGE, merchant.unit) or scoping.can(actor, perms.SETTLE, merchant.unit)
            or staff_merchants(actor).filter(pk=merchant.pk).exists())


def item_get(*, actor, pk: int) -> CatalogueItem:
    item = CatalogueItem.objects.select_related("merchant", "merchant__unit").filter(pk=pk).first()
    if item is None:
        _require_any(actor)
        raise CommonError.NOT_FOUND.error()
    merchant = merchant_get(actor=actor, pk=item.merchant_id)
    if not item.active and not _sees_inactive(actor, merchant):
        raise CommonError.NOT_FOUND.error()
    return item


def item_for_manage(*, actor, pk: int) -> CatalogueItem:
    item = item_get(actor=actor, pk=pk)
    scoping.require(actor, perms.MANAGE, item.merchant.unit)
    return item


def catalogue(*, actor) -> list[tuple[Merchant, list[CatalogueItem]]]:
    """The resident's catalogue: open shops of their street with the goods on the shelf."""
    merchants = list(merchant_list(actor=actor, active=True).filter(_resident_q(own_person(actor))))
    items: dict[int, list[CatalogueItem]] = {m.pk: [] for m in merchants}
    for item in CatalogueItem.objects.filter(merchant__in=merchants, active=True).order_by("points_price", "pk"):
        items[item.merchant_id].append(item)
    return [(m, items[m.pk]) for m in merchants]


def balance_of(person: Person) -> int:
    return Account.objects.filter(person=person).values_list("balance", flat=True).first() or 0


# --- redemptions --------------------------------------------------------------------------------------------


def _redemptions() -> QuerySet:
    return Redemption.objects.select_related("merchant", "merchant__unit", "item", "person", "transaction")


def redemption_list(*, actor, merchant: Merchant | None = None, status: str | None = None,
                    mine: bool = False) -> QuerySet:
    """Redemptions the actor may see: their shops' (staff), their subtree's (managers), their own (residents)."""
    _require_any(actor)
    person = own_person(actor)
    if mine:
        q = Q(person=person) if person is not None else Q(pk__in=[])
    elif scoping.is_superuser(actor):
        q = Q()
    else:
        q = _manager_q(actor, "merchant__unit__path") | Q(merchant__in=staff_merchants(actor))
        if person is not None:
            q |= Q(person=person)
    qs = _redemptions().filter(q)
    if merchant is not None:
        qs = qs.filter(merchant=merchant)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-pk")


def redemption_get(*, actor, pk: int) -> Redemption:
    redemption = redemption_list(actor=actor).filter(pk=pk).first()
    if redemption is None:
        raise CommonError.NOT_FOUND.error()
    return redemption


def redemption_for_counter(*, actor, pk: int) -> Redemption:
    """A redemption of one of the actor's shops (pick-up, cancel at the counter)."""
    redemption = redemption_get(actor=actor, pk=pk)
    if not staff_merchants(actor).filter(pk=redemption.merchant_id).exists():
        raise CommonError.FORBIDDEN.error(detail={"permission": perms.REDEEM})
    return redemption


def redemption_for_cancel(*, actor, pk: int) -> Redemption:
    """An order its resident or the shop's staff may cancel (others who may see it: 403)."""
    redemption = redemption_get(actor=actor, pk=pk)
    if redemption.person.user_id == actor.pk or staff_merchants(actor).filter(pk=redemption.merchant_id).exists():
        return redemption
    raise CommonError.FORBIDDEN.error(detail={"permission": perms.REDEEM})


def catalogue_has(*, actor, merchant: Merchant) -> bool:
    """Whether the shop is in the actor's own catalogue (a resident orders only from the shops of their street)."""
    return Merchant.objects.filter(pk=merchant.pk).filter(_resident_q(own_person(actor))).exists()


def may_cancel(actor, redemption: Redemption) -> bool:
    if redemption.status != RedemptionStatus.ORDERED:
        return False
    if redemption.person.user_id is not None and redemption.person.user_id == actor.pk:
        return True
    return staff_merchants(actor).filter(pk=redemption.merchant_id).exists()


# --- settlement ---------------------------------------------------------------------------------------------


@dataclass
class SettlementRow:
    merchant: Merchant
    receipts: int
    points: int
    amount: Decimal  # yuan, 2 decimals


@dataclass
class Settlement:
    start: dt.date
    end: dt.date
    rows: list[SettlementRow]
    receipts: list[Redemption]

    @property
    def points(self) -> int:
        return sum(r.points for r in self.rows)

    @property
    def amount(self) -> Decimal:
        return sum((r.amount for r in self.rows), Decimal("0.00"))


def yuan(points: int, fen_per_point: int) -> Decimal:
    return (Decimal(points * fen_per_point) / 100).quantize(Decimal("0.01"))


def period_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    if end < start or (end - start).days > 366:
        raise SupermarketError.PERIOD_INVALID.error(detail={"start": str(start), "end": str(end)})
    tz = timezone.get_current_timezone()
    return (dt.datetime.combine(start, dt.time.min, tzinfo=tz),
            dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz))


def settlement(*, actor, start: dt.date, end: dt.date, merchant: Merchant | None = None) -> Settlement:
    """Goods handed over in the period (completed redemptions, by completion time), per shop in the actor's
    ``supermarket.settle`` scope: points redeemed and the amount the fund owes (points × fen_per_point)."""
    scoping.require(actor, perms.SETTLE)
    since, until = period_bounds(start, end)
    merchants = scoping.scope(Merchant.objects.select_related("unit"), actor, perms.SETTLE, MERCHANT_PATH)
    if merchant is not None:
        merchants = merchants.filter(pk=merchant.pk)
        if not merchants.exists():
            raise CommonError.NOT_FOUND.error()
    done = Redemption.objects.filter(merchant__in=merchants, status=RedemptionStatus.COMPLETED,
                                     completed_at__gte=since, completed_at__lt=until)
    sums = {row["merchant"]: row for row in done.values("merchant").annotate(points_sum=Sum("points"),
                                                                           n=Sum(1))}
    rows = []
    for m in merchants.order_by("unit__path", "name", "pk"):
        got = sums.get(m.pk)
        if got is None:
            continue
        points = int(got["points_sum"] or 0)
        rows.append(SettlementRow(merchant=m, receipts=int(got["n"]), points=points,
                                  amount=yuan(points, m.fen_per_point)))
    receipts = list(_redemptions().filter(pk__in=done.values("pk")).order_by("merchant__unit__path", "merchant_id",
                                                                             "completed_at", "pk"))
    return Settlement(start=start, end=end, rows=rows, receipts=receipts)
