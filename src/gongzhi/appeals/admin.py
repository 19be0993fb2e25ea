"""Back office for appeals: work orders and their history read-only (state changes only through the services);
holidays and time-limit versions added here go through the same services as the API and the settings page."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts import scoping
from gongzhi.core.admin_scoping import AppendOnlyAdmin

from . import permissions as perms
from . import services
from .models import Appeal, AppealEvent, Category, Holiday, TimeLimit


@admin.register(Appeal)
class AppealAdmin(AppendOnlyAdmin):
    """Complainant fields are encrypted and left out (R-H7); the pages reveal them with an access-log row."""

    scope_perm, scope_path = perms.VIEW, "unit__path"
    list_display = ("number", "category", "state", "urgency", "unit", "level_unit", "submitted_at", "reply_due_at")
    list_filter = ("state", "urgency", "channel")
    search_fields = ("number",)
    exclude = ("reporter_name_enc", "reporter_phone_enc", "reporter_user", "reporter_person")


@admin.register(AppealEvent)
class AppealEventAdmin(AppendOnlyAdmin):
    scope_perm, scope_path = perms.VIEW, "appeal__unit__path"
    list_display = ("appeal", "action", "from_state", "to_state", "actor", "at")
    list_filter = ("action",)
    search_fields = ("appeal__number",)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "parent")
    list_filter = ("kind",)
    search_fields = ("code", "name")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SupervisorConfigAdmin(admin.ModelAdmin):
    """District-wide configuration for holders of ``appeals.supervise``: added, never changed or deleted here."""

    def _supervisor(self, request) -> bool:
        return scoping.has_anywhere(request.user, perms.SUPERVISE)

    def has_module_permission(self, request):
        return self._supervisor(request)

    def has_view_permission(self, request, obj=None):
        return self._supervisor(request)

    def has_add_permission(self, request):
        return self._supervisor(request)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Holiday)
class HolidayAdmin(SupervisorConfigAdmin):
    list_display = ("date", "name", "workday")
    list_filter = ("workday",)
    date_hierarchy = "date"

    def save_model(self, request, obj, form, change):
        created = services.holiday_create(actor=request.user, date=obj.date, name=obj.name, workday=obj.workday)
        obj.pk = created.pk


@admin.register(TimeLimit)
class TimeLimitAdmin(SupervisorConfigAdmin):
    list_display = ("urgency", "category_label", "accept_working_hours", "dispatch_working_hours", "reply_working_days",
                    "effective_from", "created_by")
    list_filter = ("urgency",)
    fields = ("category", "urgency", "accept_working_hours", "dispatch_working_hours", "reply_working_days",
              "effective_from", "note")
    raw_id_fields = ("category",)

    @admin.display(description=_("类别"))
    def category_label(self, obj):
        return obj.category or _("全部类别")

    def save_model(self, request, obj, form, change):
        created = services.time_limit_create(
            actor=request.user, category_code=obj.category.code if obj.category else "", urgency=obj.urgency,
            accept_working_hours=obj.accept_working_hours, dispatch_working_hours=obj.dispatch_working_hours,
            reply_working_days=obj.reply_working_days, effective_from=obj.effective_from, note=obj.note)
        obj.pk = created.pk
