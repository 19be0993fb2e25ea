"""Back office for activities: read-only and scoped. Activities and sign-ups change only through
``activities.services`` (capacity under the row lock, history rows, events), never by editing here; categories are
configuration and editable."""

from django.contrib import admin

from gongzhi.core.admin_scoping import AppendOnlyAdmin

from .models import (
    Activity,
    ActivityEvent,
    BeneficiaryCount,
    Category,
    InsurancePolicy,
    Project,
    Signup,
    SignupEvent,
)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "dangerous", "active", "sort")
    list_editable = ("dangerous", "active", "sort")


@admin.register(Project)
class ProjectAdmin(AppendOnlyAdmin):
    scope_perm, scope_path = "activities.view", "unit__path"
    list_display = ("name", "unit", "category", "organiser", "starts_on", "ends_on", "active")
    list_filter = ("category", "active")
    search_fields = ("name",)


@admin.register(Activity)
class ActivityAdmin(AppendOnlyAdmin):
    scope_perm, scope_path = "activities.view", "unit__path"
    list_display = ("title", "unit", "category", "status", "starts_at", "capacity", "confirmed_count",
                    "waitlist_count")
    list_filter = ("status", "category", "audience")
    search_fields = ("title", "address")
    raw_id_fields = ("project", "unit", "organiser", "created_by")
    date_hierarchy = "starts_at"


@admin.register(ActivityEvent)
class ActivityEventAdmin(AppendOnlyAdmin):
    scope_perm, scope_path = "activities.view", "activity__unit__path"
    list_display = ("activity", "from_status", "to_status", "actor", "reason", "at")
    raw_id_fields = ("activity", "actor")


@admin.register(Signup)
class SignupAdmin(AppendOnlyAdmin):
    scope_perm, scope_path = "activities.view", "activity__unit__path"
    list_display = ("activity", "volunteer", "status", "guardian_present", "created_at")
    list_filter = ("status",)
    search_fields = ("volunteer__number", "activity__title")
    raw_id_fields = ("activity", "volunteer", "guardian_consent", "created_by")


@admin.register(SignupEvent)
class SignupEventAdmin(AppendOnlyAdmin):
    scope_perm, scope_path = "activities.view", "signup__activity__unit__path"
    list_display = ("signup", "from_status", "to_status", "actor", "at")
    raw_id_fields = ("signup", "actor")


@admin.register(BeneficiaryCount)
class BeneficiaryCountAdmin(AppendOnlyAdmin):
    scope_perm, scope_path = "activities.view", "activity__unit__path"
    list_display = ("activity", "group", "count", "supersedes", "recorded_by", "recorded_at")
    raw_id_fields = ("activity", "supersedes", "recorded_by")


@admin.register(InsurancePolicy)
class InsurancePolicyAdmin(AppendOnlyAdmin):
    scope_perm, scope_path = "activities.insurance", "unit__path"
    list_display = ("policy_number", "insurer", "unit", "starts_on", "ends_on")
    search_fields = ("policy_number", "insurer")
    raw_id_fields = ("unit", "activities", "created_by")
