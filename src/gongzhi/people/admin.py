from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from gongzhi.core.admin_scoping import AppendOnlyAdmin, ScopedAdmin

from .models import (
    ConsentRecord,
    Household,
    ImportJob,
    Person,
    PersonChange,
    Skill,
    Tag,
    TeamMembership,
    VolunteerProfile,
    VolunteerReview,
    VolunteerStatusChange,
)


@admin.register(Person)
class PersonAdmin(ScopedAdmin):
    """Masked columns only; the full data is revealed (and logged) through the people pages.

    The birth date is shown as a year: the masked ID number hides exactly the birth date (R-P3). The owning login is
    read-only: a login linked to a person reads that record in full without an access-log row.
    """

    scope_perm, scope_path = "people.view", "unit__path"
    list_display = ("name", "sex", "birth_year", "unit", "id_number_masked", "phone_masked")
    search_fields = ("name", "name_pinyin", "name_initials", "phone_tail")
    list_filter = ("sex", "tags")
    raw_id_fields = ("unit", "household")
    readonly_fields = ("birth_year", "id_number_masked", "phone_masked", "address_masked", "name_pinyin",
                       "name_initials", "user")
    exclude = ("id_number_enc", "id_number_digest", "phone_enc", "phone_digest", "address_enc", "phone_tail",
               "birth_date")

    @admin.display(description=_("出生年份"))
    def birth_year(self, obj):
        return obj.birth_date.year if obj.birth_date else "—"

    def has_add_permission(self, request):
        return False  # registration validates and encrypts through people.services


@admin.register(Household)
class HouseholdAdmin(ScopedAdmin):
    scope_perm, scope_path = "people.view", "unit__path"
    list_display = ("label", "unit")
    raw_id_fields = ("unit",)


@admin.register(VolunteerProfile)
class VolunteerAdmin(ScopedAdmin):
    scope_perm, scope_path = "volunteers.view", "unit__path"
    list_display = ("number", "person", "status", "unit", "applied_at")
    list_filter = ("status",)
    search_fields = ("number", "person__name")
    raw_id_fields = ("person", "unit")
    # status moves through the screening services (each change recorded), and the unit with it: not edited here
    readonly_fields = ("status", "number", "unit")

    def has_add_permission(self, request):
        return False  # volunteers apply (people.services.volunteer_apply): consent, number and history with it

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ConsentRecord)
class ConsentAdmin(AppendOnlyAdmin):
    scope_perm, scope_path = "people.view", "person__unit__path"
    list_display = ("person", "purpose", "granted", "recorded_at")


@admin.register(PersonChange)
class PersonChangeAdmin(AppendOnlyAdmin):
    scope_perm, scope_path = "people.view", "person__unit__path"
    list_display = ("person", "source", "actor", "at")


@admin.register(VolunteerReview)
class ReviewAdmin(AppendOnlyAdmin):
    scope_perm, scope_path = "volunteers.view", "profile__unit__path"
    list_display = ("profile", "round", "decision", "reviewer", "at")


@admin.register(VolunteerStatusChange)
class StatusChangeAdmin(AppendOnlyAdmin):
    scope_perm, scope_path = "volunteers.view", "profile__unit__path"
    list_display = ("profile", "from_status", "to_status", "actor", "at")


@admin.register(TeamMembership)
class MembershipAdmin(AppendOnlyAdmin):
    """Joining and leaving go through people.services (the leaving date is the history); the admin only shows it."""

    scope_perm, scope_path = "org.view", "team__unit__path"
    list_display = ("team", "person", "role", "joined_on", "left_on")
    raw_id_fields = ("team", "person")


@admin.register(ImportJob)
class ImportJobAdmin(AppendOnlyAdmin):
    scope_perm, scope_path = "people.import", "unit__path"
    list_display = ("filename", "kind", "unit", "status", "total_rows", "error_rows", "created_at")


admin.site.register(Tag)
admin.site.register(Skill)
