from django.contrib import admin

from gongzhi.core.admin_scoping import AppendOnlyAdmin

from .models import RegisteredCount, Rollup


@admin.register(Rollup)
class RollupAdmin(AppendOnlyAdmin):
    """Read-only: rollups are derived (``gongzhi rollups --rebuild`` recomputes them), never edited by hand."""

    scope_perm, scope_path = "reports.view", "unit_path"
    list_display = ("unit_path", "grain", "period", "category", "activities", "participations", "volunteers",
                    "records", "hours", "beneficiaries")
    list_filter = ("grain",)
    search_fields = ("unit_path", "period")


@admin.register(RegisteredCount)
class RegisteredCountAdmin(AppendOnlyAdmin):
    """Read-only, derived like the rollups (``registry.py``)."""

    scope_perm, scope_path = "reports.view", "unit_path"
    list_display = ("unit_path", "volunteers", "organisations", "teams")
    search_fields = ("unit_path",)
