"""Back office for training, scoped like the pages; enrolments and attendance marks are read-only history."""

from django.contrib import admin

from gongzhi.core.admin_scoping import AppendOnlyAdmin, ScopedAdmin

from .models import AttendanceMark, Course, Enrolment, Session


@admin.register(Course)
class CourseAdmin(ScopedAdmin):
    scope_perm, scope_path = "training.view", "unit__path"
    list_display = ("title", "level", "unit", "skill", "hours", "active")
    list_filter = ("level", "active")
    search_fields = ("title",)
    raw_id_fields = ("unit",)
    readonly_fields = ("created_by",)


@admin.register(Session)
class SessionAdmin(ScopedAdmin):
    """Sessions are changed through the pages (capacity and cancellation rules live in the services)."""

    scope_perm, scope_path = "training.view", "course__unit__path"
    list_display = ("course", "starts_at", "place", "capacity", "enrolled_count", "status")
    list_filter = ("status",)
    raw_id_fields = ("course",)
    readonly_fields = ("enrolled_count", "status", "cancel_reason", "cancelled_by", "cancelled_at", "created_by")


@admin.register(Enrolment)
class EnrolmentAdmin(AppendOnlyAdmin):
    scope_perm, scope_path = "training.view", "session__course__unit__path"
    list_display = ("session", "volunteer", "enrolled_at", "enrolled_by")


@admin.register(AttendanceMark)
class AttendanceMarkAdmin(AppendOnlyAdmin):
    scope_perm, scope_path = "training.view", "enrolment__session__course__unit__path"
    list_display = ("enrolment", "attended", "passed", "score", "supersedes", "marked_by", "marked_at")
    list_filter = ("attended", "passed")
