from django.contrib import admin

from gongzhi.core.admin_scoping import AppendOnlyAdmin

from .models import AccessLog


@admin.register(AccessLog)
class AccessLogAdmin(AppendOnlyAdmin):
    scope_perm, scope_path = "privacy.view_access_log", "unit_path"
    list_display = ("at", "actor", "subject_type", "subject_label", "channel", "record_count", "ip_address")
    list_filter = ("channel", "subject_type")
