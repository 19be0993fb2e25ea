from django.contrib import admin

from gongzhi.core.admin_scoping import ScopedAdmin

from .models import Organisation, Unit
from .services import organisation_save


@admin.register(Unit)
class UnitAdmin(ScopedAdmin):
    scope_perm, scope_path = "org.view", "path"
    list_display = ("name", "code", "kind", "parent", "synthetic")
    list_filter = ("kind", "synthetic")
    search_fields = ("name", "code")
    readonly_fields = ("path", "depth")
    raw_id_fields = ("parent",)


@admin.register(Organisation)
class OrganisationAdmin(ScopedAdmin):
    scope_perm, scope_path = "org.view", "unit__path"
    list_display = ("name", "kind", "unit", "active")
    list_filter = ("kind", "active")
    search_fields = ("name",)
    raw_id_fields = ("unit", "parent")

    def save_model(self, request, obj, form, change):
        organisation_save(organisation=obj)

    def has_delete_permission(self, request, obj=None):
        return False  # deactivated (active off), never deleted: activities and memberships refer to it
