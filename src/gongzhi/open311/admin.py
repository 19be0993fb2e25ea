"""Back office for Open311 clients: keys are issued on the keys page (shown once), so the admin cannot add one."""

from django.contrib import admin

from gongzhi.core.admin_scoping import AppendOnlyAdmin, ScopedAdmin

from . import permissions as perms
from .models import ApiClient, Open311Request


@admin.register(ApiClient)
class ApiClientAdmin(ScopedAdmin):
    scope_perm = perms.MANAGE_KEYS
    scope_path = "unit__path"
    list_display = ("name", "key_prefix", "unit", "acting_user", "active", "created_at", "revoked_at")
    list_filter = ("active",)
    search_fields = ("name", "key_prefix")
    readonly_fields = ("key_prefix", "key_digest", "created_at", "created_by", "revoked_at", "revoked_by")
    fields = ("name", "unit", "acting_user", "active", *readonly_fields)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Open311Request)
class Open311RequestAdmin(AppendOnlyAdmin):
    scope_perm = perms.MANAGE_KEYS
    scope_path = "client__unit__path"
    list_display = ("token", "appeal", "client", "created_at")
    exclude = ("email_enc",)
