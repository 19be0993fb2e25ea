"""Read-only back office for the supermarket, scoped like the pages. Shops and goods change through the pages (their rules
live in the services); redemptions, their events and stock movements are read-only history."""

from django.contrib import admin

from gongzhi.core.admin_scoping import AppendOnlyAdmin

from .models import CatalogueItem, Merchant, Redemption, RedemptionEvent, StockMovement


@admin.register(Merchant)
class MerchantAdmin(AppendOnlyAdmin):
    scope_perm, scope_path = "supermarket.manage", "unit__path"
    list_display = ("name", "kind", "unit", "fen_per_point", "active")
    list_filter = ("kind", "active")
    search_fields = ("name",)
    raw_id_fields = ("unit", "account", "staff")
    readonly_fields = ("account",)


@admin.register(CatalogueItem)
class CatalogueItemAdmin(AppendOnlyAdmin):
    scope_perm, scope_path = "supermarket.manage", "merchant__unit__path"
    list_display = ("name", "merchant", "points_price", "stock", "active")
    list_filter = ("active",)
    search_fields = ("name",)
    raw_id_fields = ("merchant",)
    readonly_fields = ("stock",)  # stock changes are movements (item_stock_change)


@admin.register(Redemption)
class RedemptionAdmin(AppendOnlyAdmin):
    scope_perm, scope_path = "supermarket.manage", "merchant__unit__path"
    list_display = ("receipt_number", "merchant", "item", "quantity", "points", "channel", "status", "created_at")
    list_filter = ("channel", "status")
    search_fields = ("receipt_number",)


@admin.register(RedemptionEvent)
class RedemptionEventAdmin(AppendOnlyAdmin):
    scope_perm, scope_path = "supermarket.manage", "redemption__merchant__unit__path"
    list_display = ("redemption", "from_status", "to_status", "actor", "at")


@admin.register(StockMovement)
class StockMovementAdmin(AppendOnlyAdmin):
    scope_perm, scope_path = "supermarket.manage", "item__merchant__unit__path"
    list_display = ("item", "change", "stock_after", "reason", "redemption", "actor", "at")
    list_filter = ("reason",)
