"""Back office for points: read-only and scoped. The ledger, rule versions and deductions change only through
``points.services`` (reversals are new transactions, rule changes new versions), never by editing here."""

from django.contrib import admin

from gongzhi.core.admin_scoping import AppendOnlyAdmin

from .models import (
    Account,
    Clawback,
    Deduction,
    DeductionEvent,
    PointsTransaction,
    Posting,
    RuleItem,
    RuleSet,
)


@admin.register(Account)
class AccountAdmin(AppendOnlyAdmin):
    scope_perm, scope_path = "points.view", "unit__path"
    list_display = ("pk", "kind", "unit", "person", "balance")
    list_filter = ("kind",)
    search_fields = ("person__name",)
    raw_id_fields = ("unit", "person")


class PostingInline(admin.TabularInline):
    model = Posting
    extra = 0
    can_delete = False
    readonly_fields = ("account", "amount", "created_at")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PointsTransaction)
class PointsTransactionAdmin(AppendOnlyAdmin):
    scope_perm, scope_path = "points.view", "unit__path"
    list_display = ("pk", "kind", "unit", "reason", "rule_item", "occurred_on", "created_by", "approved_by",
                    "reverses")
    list_filter = ("kind",)
    search_fields = ("idempotency_key", "reason")
    raw_id_fields = ("unit", "rule_item", "reverses", "created_by", "approved_by")
    inlines = [PostingInline]


class RuleItemInline(admin.TabularInline):
    model = RuleItem
    extra = 0
    can_delete = False
    readonly_fields = ("code", "name", "kind", "trigger", "category", "points", "cap_per_day", "cap_per_month")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(RuleSet)
class RuleSetAdmin(AppendOnlyAdmin):
    scope_perm, scope_path = "points.view", "unit__path"
    list_display = ("unit", "version", "title", "decision", "effective_from", "expiry")
    raw_id_fields = ("unit", "recorded_by")
    inlines = [RuleItemInline]


class DeductionEventInline(admin.TabularInline):
    model = DeductionEvent
    extra = 0
    can_delete = False
    readonly_fields = ("from_status", "to_status", "actor", "note", "at")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Deduction)
class DeductionAdmin(AppendOnlyAdmin):
    scope_perm, scope_path = "points.view", "unit__path"
    list_display = ("person", "unit", "rule_item", "points", "status", "entered_by", "approved_by", "created_at")
    list_filter = ("status",)
    raw_id_fields = ("person", "unit", "rule_item", "entered_by", "approved_by", "transaction")
    inlines = [DeductionEventInline]


@admin.register(Clawback)
class ClawbackAdmin(AppendOnlyAdmin):
    scope_perm, scope_path = "points.view", "unit__path"
    list_display = ("person", "unit", "points", "reason", "source_type", "source_id", "created_at")
    raw_id_fields = ("person", "unit")
