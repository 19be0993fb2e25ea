from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import ApiToken, RoleAssignment, User


class RoleInline(admin.TabularInline):
    model = RoleAssignment
    fk_name = "user"
    extra = 0
    raw_id_fields = ("unit", "granted_by", "revoked_by")
    readonly_fields = ("granted_at",)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (*BaseUserAdmin.fieldsets, (_("共治"), {"fields": ("phone", "display_name")}))
    list_display = ("username", "display_name", "phone", "is_active", "is_staff")
    search_fields = ("username", "display_name", "phone")
    inlines = [RoleInline]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "user", "name", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "key_digest", "created_at", "last_used_at")
