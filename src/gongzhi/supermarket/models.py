"""The points supermarket (积分超市): merchants (便民超市, 卫生室, 药店, 汽修点 ...), their goods and the redemptions.

Points move only through ``points.services.transaction_post``; stock and balance change in one database transaction
(stock row lock, then the ledger's account locks), so nothing is oversold and no balance goes negative.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class MerchantKind(models.TextChoices):
    STORE = "store", _("便民超市")
    CLINIC = "clinic", _("卫生室")
    PHARMACY = "pharmacy", _("药店")
    GARAGE = "garage", _("汽修点")
    OTHER = "other", _("其他")


class Merchant(models.Model):
    """A shop that takes points (积分超市 counter), registered to a unit; its staff are users linked here."""

    name = models.CharField(_("名称"), max_length=120)
    kind = models.CharField(_("类型"), max_length=16, choices=MerchantKind.choices)
    unit = models.ForeignKey("org.Unit", verbose_name=_("所属单元"), on_delete=models.PROTECT, related_name="+")
    address = models.CharField(_("地址"), max_length=200, blank=True)
    staff = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("店员账号"), blank=True,
                                   related_name="merchants")
    account = models.OneToOneField("points.Account", on_delete=models.PROTECT, related_name="merchant")
    # 1 point is worth this many fen when the fund settles with the merchant
    fen_per_point = models.PositiveIntegerField(_("每积分结算金额（分）"), default=10)
    active = models.BooleanField(_("营业"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("积分商户")
        verbose_name_plural = _("积分商户")
        ordering = ["unit", "name"]
        constraints = [models.UniqueConstraint(fields=["unit", "name"], name="supermarket_merchant_unique_name")]

    def __str__(self):
        return self.name


class CatalogueItem(models.Model):
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="items")
    name = models.CharField(_("商品/优惠"), max_length=120)
    description = models.CharField(_("说明"), max_length=300, blank=True)
    points_price = models.PositiveIntegerField(_("所需积分"))
    stock = models.PositiveIntegerField(_("库存"))
    active = models.BooleanField(_("上架"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("兑换商品")
        verbose_name_plural = _("兑换商品")
        ordering = ["merchant", "points_price", "pk"]
        constraints = [models.CheckConstraint(condition=Q(points_price__gte=1), name="supermarket_item_price_positive")]

    def __str__(self):
        return self.name


class RedemptionStatus(models.TextChoices):
    ORDERED = "ordered", _("已下单待取货")
    COMPLETED = "completed", _("已兑换")
    CANCELLED = "cancelled", _("已取消")


class Redemption(models.Model):
    """A redemption at the counter (member QR scanned) or an order picked up later. Status changes are events."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="redemptions")
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="redemptions")
    item = models.ForeignKey(CatalogueItem, on_delete=models.PROTECT, related_name="redemptions")
    quantity = models.PositiveIntegerField(default=1)
    points = models.PositiveIntegerField()
    channel = models.CharField(max_length=16, choices=[("counter", _("柜台扫码")), ("order", _("线上下单"))])
    status = models.CharField(max_length=16, choices=RedemptionStatus.choices)
    receipt_number = models.CharField(_("小票号"), max_length=32, unique=True)
    transaction = models.OneToOneField("points.PointsTransaction", on_delete=models.PROTECT, related_name="redemption")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    # when the goods were handed over (counter: at once; order: at pick-up); the settlement counts by this
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("积分兑换")
        verbose_name_plural = _("积分兑换")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["merchant", "created_at"], name="supermarket_redeem_merchant"),
                   models.Index(fields=["merchant", "completed_at"], name="supermarket_redeem_completed")]

    def __str__(self):
        return self.receipt_number


class RedemptionEvent(models.Model):
    redemption = models.ForeignKey(Redemption, on_delete=models.PROTECT, related_name="events")
    from_status = models.CharField(max_length=16, choices=RedemptionStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=RedemptionStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.redemption_id} {self.from_status}→{self.to_status}"


class StockReason(models.TextChoices):
    INITIAL = "initial", _("上架初始库存")
    RESTOCK = "restock", _("补货")
    ADJUST = "adjust", _("盘点调整")
    REDEMPTION = "redemption", _("兑换出库")
    CANCELLATION = "cancellation", _("取消订单退回")


class StockMovement(models.Model):
    """Every change of an item's stock, append-only: the item's ``stock`` is the sum of its movements."""

    item = models.ForeignKey(CatalogueItem, on_delete=models.PROTECT, related_name="movements")
    change = models.IntegerField(_("变动数量"))
    stock_after = models.PositiveIntegerField(_("变动后库存"))
    reason = models.CharField(_("原因"), max_length=16, choices=StockReason.choices)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    redemption = models.ForeignKey(Redemption, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="stock_movements")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("库存变动")
        verbose_name_plural = _("库存变动")
        ordering = ["at", "pk"]
        constraints = [models.CheckConstraint(condition=~Q(change=0), name="supermarket_stock_change_nonzero")]

    def __str__(self):
        return f"{self.item_id} {self.change:+d}"
