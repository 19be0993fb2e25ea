"""Back office: the rule tables (star thresholds per jurisdiction, incentive formula versions) are edited here;
decisions (awards, certificates, ratings, honours) are read-only history."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts import scoping
from gongzhi.core.admin_scoping import AppendOnlyAdmin

from . import permissions as perms
from .models import Certificate, Honour, HonourList, IncentiveFormula, Rating, StarAward, StarThreshold


class StarThresholdForm(forms.ModelForm):
    class Meta:
        model = StarThreshold
        fields = ["unit", "level", "min_hours"]

    def clean(self):
        data = super().clean()
        if data.get("unit") is None and self.current_user is not None and not self.current_user.is_superuser:
            raise ValidationError(_("全区默认标准只能由超级管理员修改；请为本辖区设置单独的标准"))
        return data


@admin.register(StarThreshold)
class StarThresholdAdmin(admin.ModelAdmin):
    """R-V8: the default 100/300/600/1000/1500, or a unit's own table (e.g. the Beijing 100/200/500/800/1000)."""

    form = StarThresholdForm
    list_display = ("unit", "level", "min_hours")
    list_filter = ("level",)
    raw_id_fields = ("unit",)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.current_user = request.user
        return form

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(Q(unit__isnull=True) | scoping.scope_q(request.user, perms.CONFIGURE, "unit__path"))

    def has_change_permission(self, request, obj=None):
        if obj is None or request.user.is_superuser:
            return super().has_change_permission(request, obj)
        return obj.unit is not None and scoping.can(request.user, perms.CONFIGURE, obj.unit)


@admin.register(IncentiveFormula)
class IncentiveFormulaAdmin(admin.ModelAdmin):
    """A new version is a new row (the old ones stay, honours lists name the version they used)."""

    list_display = ("version", "weight_hours", "weight_activity", "weight_honour", "weight_satisfaction", "valid_from")

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StarAward)
class StarAwardAdmin(AppendOnlyAdmin):
    scope_perm, scope_path = perms.VIEW, "volunteer__unit__path"
    list_display = ("volunteer", "kind", "level", "hours_at_award", "approved_by", "approved_at")


@admin.register(Certificate)
class CertificateAdmin(AppendOnlyAdmin):
    scope_perm, scope_path = perms.VIEW, "unit__path"
    list_display = ("number", "volunteer", "unit", "status", "requested_at", "issued_at")
    exclude = ("snapshot",)


@admin.register(Rating)
class RatingAdmin(AppendOnlyAdmin):
    scope_perm, scope_path = perms.VIEW, "unit_path"
    list_display = ("activity", "volunteer", "score", "rater_kind", "rated_by", "rated_at")


@admin.register(HonourList)
class HonourListAdmin(AppendOnlyAdmin):
    scope_perm, scope_path = perms.VIEW, "unit__path"
    list_display = ("unit", "year", "title", "published_by", "published_at")


@admin.register(Honour)
class HonourAdmin(AppendOnlyAdmin):
    scope_perm, scope_path = perms.VIEW, "honour_list__unit__path"
    list_display = ("honour_list", "rank", "volunteer", "score")

