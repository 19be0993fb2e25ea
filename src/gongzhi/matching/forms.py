"""Page forms for the three lists: they shape input only; every rule is checked by ``matching.services``."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts import scoping
from gongzhi.accounts.roles import Role
from gongzhi.core import bounds
from gongzhi.org.models import Organisation, subtree_q

from . import permissions as perms
from . import services
from .models import FundingKind, NeedSource, ResourceKind, ServiceKind

SOURCES = [(NeedSource.SURVEY, NeedSource.SURVEY.label), (NeedSource.VISIT, NeedSource.VISIT.label),
           (NeedSource.MANUAL, NeedSource.MANUAL.label)]


class UnitChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{'　' * max(obj.depth - 1, 0)}{obj.name}"


def _coordinate(label):
    return forms.DecimalField(label=label, max_digits=9, decimal_places=6, required=False,
                              widget=forms.NumberInput(attrs={"step": "0.000001", "inputmode": "decimal"}))


class _UnitForm(forms.Form):
    unit_perm = perms.MANAGE

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.fields["unit"].queryset = scoping.units_for(actor, self.unit_perm).order_by("path")

    def clean(self):
        d = super().clean()
        if (d.get("latitude") is None) != (d.get("longitude") is None):
            self.add_error("latitude", _("经纬度须成对填写"))
        return d


class NeedForm(_UnitForm):
    unit = UnitChoice(label=_("所在单元"), queryset=None, empty_label=_("请选择"))
    kind = forms.ModelChoiceField(label=_("服务类别"), queryset=ServiceKind.objects.all(), to_field_name="code",
                                  empty_label=_("请选择"))
    title = forms.CharField(label=_("需求"), max_length=120)
    description = forms.CharField(label=_("说明"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    source = forms.ChoiceField(label=_("来源"), choices=SOURCES, initial=NeedSource.SURVEY)
    beneficiaries = forms.IntegerField(label=_("涉及人数"), min_value=1, max_value=services.MAX_BENEFICIARIES, initial=1)
    latitude = _coordinate(_("纬度"))
    longitude = _coordinate(_("经度"))

    def to_input(self) -> services.NeedInput:
        d = self.cleaned_data
        return services.NeedInput(unit=d["unit"], kind_code=d["kind"].code, title=d["title"],
                                  description=d["description"], source=d["source"], beneficiaries=d["beneficiaries"],
                                  latitude=d["latitude"], longitude=d["longitude"])


class FromAppealForm(forms.Form):
    kind = forms.ModelChoiceField(label=_("服务类别"), queryset=ServiceKind.objects.all(), to_field_name="code",
                                  required=False, empty_label=_("按诉求类别自动判断"))
    title = forms.CharField(label=_("需求"), max_length=120, required=False,
                            help_text=_("留空则使用诉求类别和内容"))
    beneficiaries = forms.IntegerField(label=_("涉及人数"), min_value=1, max_value=services.MAX_BENEFICIARIES, initial=1)


class ResourceForm(_UnitForm):
    unit = UnitChoice(label=_("所在单元"), queryset=None, empty_label=_("请选择"))
    name = forms.CharField(label=_("名称"), max_length=120)
    kind = forms.ChoiceField(label=_("类型"), choices=ResourceKind.choices)
    offers = forms.ModelMultipleChoiceField(label=_("可提供服务"), queryset=ServiceKind.objects.all(),
                                            to_field_name="code", widget=forms.CheckboxSelectMultiple)
    offer = forms.CharField(label=_("服务内容"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    capacity = forms.CharField(label=_("服务能力"), required=False, max_length=120,
                               help_text=_("例如：每周二上门理发，每次10人"))
    address = forms.CharField(label=_("地址"), required=False, max_length=200)
    latitude = _coordinate(_("纬度"))
    longitude = _coordinate(_("经度"))
    contact_name = forms.CharField(label=_("联系人"), required=False, max_length=50)
    contact_phone = forms.CharField(label=_("联系电话"), required=False, max_length=20,
                                    widget=forms.TextInput(attrs={"inputmode": "tel"}))
    organisation = forms.ModelChoiceField(label=_("对应组织"), queryset=None, required=False, empty_label=_("无"))
    merchant = forms.ModelChoiceField(label=_("积分超市商户"), queryset=None, required=False, empty_label=_("无"))

    def __init__(self, *args, actor, **kwargs):
        from gongzhi.supermarket.models import Merchant

        super().__init__(*args, actor=actor, **kwargs)
        self.fields["organisation"].queryset = scoping.scope(Organisation.objects.filter(active=True), actor,
                                                             perms.VIEW, "unit__path").order_by("unit__path", "name")
        self.fields["merchant"].queryset = scoping.scope(Merchant.objects.filter(active=True), actor, perms.VIEW,
                                                         "unit__path").order_by("unit__path", "name")

    def to_input(self) -> services.ResourceInput:
        d = self.cleaned_data
        return services.ResourceInput(
            unit=d["unit"], name=d["name"], kind=d["kind"], offer_codes=[k.code for k in d["offers"]],
            offer=d["offer"], capacity=d["capacity"], address=d["address"], latitude=d["latitude"],
            longitude=d["longitude"], contact_name=d["contact_name"], contact_phone=d["contact_phone"],
            organisation=d["organisation"], merchant=d["merchant"])


class SocialWorkerChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.get_username()


class ProjectForm(_UnitForm):
    unit_perm = perms.PROJECTS

    unit = UnitChoice(label=_("实施单元"), queryset=None, empty_label=_("请选择"))
    name = forms.CharField(label=_("项目名称"), max_length=120)
    kinds = forms.ModelMultipleChoiceField(label=_("服务类别"), queryset=ServiceKind.objects.all(),
                                           to_field_name="code", widget=forms.CheckboxSelectMultiple)
    funder = forms.CharField(label=_("出资方"), max_length=120, help_text=_("例如：钢城区民政局、社区公益基金"))
    funding = forms.ChoiceField(label=_("资金类型"), choices=FundingKind.choices, initial=FundingKind.GOVERNMENT)
    budget = forms.DecimalField(label=_("预算（元）"), min_value=0, max_digits=12, decimal_places=2)
    starts_on = forms.DateField(validators=[bounds.sane_year], label=_("开始日期"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(validators=[bounds.sane_year], label=_("结束日期"), widget=forms.DateInput(attrs={"type": "date"}))
    organisation = forms.ModelChoiceField(label=_("承接组织"), queryset=None, required=False, empty_label=_("无"))
    social_worker = SocialWorkerChoice(label=_("派单社工"), queryset=None, required=False, empty_label=_("暂不指定"))
    description = forms.CharField(label=_("项目内容"), required=False, max_length=4000,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, actor=actor, **kwargs)
        self.fields["organisation"].queryset = scoping.scope(Organisation.objects.filter(active=True), actor,
                                                             perms.VIEW, "unit__path").order_by("unit__path", "name")
        # social workers holding the role somewhere in the actor's units (one join: the same role row matches)
        within = Q()
        if not scoping.is_superuser(actor):
            within = Q(pk__in=[])
            for root in scoping.paths_with(actor, perms.VIEW):
                within |= subtree_q(root, "role_assignments__unit__path")
        users = get_user_model().objects.filter(within, Q(role_assignments__role=Role.SOCIAL_WORKER,
                                                          role_assignments__revoked_at__isnull=True), is_active=True)
        self.fields["social_worker"].queryset = users.distinct().order_by("username")

    def to_input(self) -> services.ProjectInput:
        d = self.cleaned_data
        return services.ProjectInput(
            unit=d["unit"], name=d["name"], kind_codes=[k.code for k in d["kinds"]], funder=d["funder"],
            funding=d["funding"], budget=d["budget"], starts_on=d["starts_on"], ends_on=d["ends_on"],
            description=d["description"], organisation=d["organisation"], social_worker=d["social_worker"])
