"""Back office for hours: read-only and scoped. Service records, attendances and disputes change only through
``hours.services`` (corrections are new rows, R-V6), never by editing here."""

from django.contrib import admin

from gongzhi.core.admin_scoping import AppendOnlyAdmin

from .models import Attendance, Dispute, DisputeResolution, ServiceRecord


@admin.register(ServiceRecord)
class ServiceRecordAdmin(AppendOnlyAdmin):
    scope_perm, scope_path = "hours.view", "unit_path"
    list_display = ("volunteer", "activity", "day", "hours", "source", "kind", "supersedes", "confirmed_at")
    list_filter = ("source", "kind")
    search_fields = ("volunteer__number", "volunteer__person__name", "activity__title")
    raw_id_fields = ("volunteer", "activity", "attendance", "supersedes", "confirmed_by")
    date_hierarchy = "day"


@admin.register(Attendance)
class AttendanceAdmin(AppendOnlyAdmin):
    scope_perm, scope_path = "hours.view", "activity__unit__path"
    list_display = ("volunteer", "activity", "day", "checked_in_at", "in_method", "checked_out_at", "out_method")
    list_filter = ("in_method", "out_method")
    raw_id_fields = ("activity", "signup", "volunteer", "recorded_by")


@admin.register(Dispute)
class DisputeAdmin(AppendOnlyAdmin):
    scope_perm, scope_path = "hours.confirm", "record__unit_path"
    list_display = ("record", "reason", "opened_by", "opened_at")
    raw_id_fields = ("record", "opened_by")


@admin.register(DisputeResolution)
class DisputeResolutionAdmin(AppendOnlyAdmin):
    scope_perm, scope_path = "hours.confirm", "dispute__record__unit_path"
    list_display = ("dispute", "note", "correction", "resolved_by", "resolved_at")
    raw_id_fields = ("dispute", "correction", "resolved_by")
