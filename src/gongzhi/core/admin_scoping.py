"""Django admin that respects the org tree: staff see only rows under their units (same scoping module)."""

from django.contrib import admin

from gongzhi.accounts import scoping


class ScopedAdmin(admin.ModelAdmin):
    scope_perm: str = ""
    scope_path: str = ""

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return scoping.scope(qs, request.user, self.scope_perm, self.scope_path)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        """A foreign key (raw id or select) accepts only rows the staff user sees in that model's own scoped admin,
        so another unit's id typed into a form is refused like it is on the pages."""
        related = self.admin_site._registry.get(db_field.related_model)
        if "queryset" not in kwargs and isinstance(related, ScopedAdmin) and not request.user.is_superuser:
            kwargs["queryset"] = related.get_queryset(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class AppendOnlyAdmin(ScopedAdmin):
    """History rows: viewable, never edited or deleted from the back office."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
