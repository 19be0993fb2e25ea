"""Page forms for activities: they shape input only; every rule is checked by ``activities.services``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts import scoping
from gongzhi.core import bounds

from . import permissions as perms
from . import selectors
from .models import Audience, BeneficiaryGroup, Category, Project
from .services import ActivityInput

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ActivityForm(forms.Form):
    title = forms.CharField(label=_("活动名称"), max_length=120)
    category = forms.ModelChoiceField(label=_("类别"), queryset=Category.objects.filter(active=True),
                                      empty_label=_("请选择"))
    unit = forms.ModelChoiceField(label=_("组织单元"), queryset=None, empty_label=_("请选择"))
    organiser = forms.ModelChoiceField(label=_("组织方（队伍或组织）"), queryset=None, required=False,
                                       empty_label=_("无（由组织单元直接组织）"))
    project = forms.ModelChoiceField(label=_("所属项目"), queryset=None, required=False, empty_label=_("无"))
    starts_at = forms.DateTimeField(label=_("开始时间"), widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M"])
    ends_at = forms.DateTimeField(label=_("结束时间"), widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M"])
    capacity = forms.IntegerField(label=_("招募人数"), min_value=1, max_value=100_000)
    audience = forms.ChoiceField(label=_("招募范围"), choices=Audience.choices, initial=Audience.COMMUNITY)
    requires_approval = forms.BooleanField(label=_("报名须审核"), required=False)
    min_age = forms.IntegerField(label=_("最低年龄"), min_value=0, max_value=100, initial=0)
    address = forms.CharField(label=_("活动地点"), max_length=200, required=False)
    latitude = forms.DecimalField(label=_("纬度"), max_digits=9, decimal_places=6, min_value=-90, max_value=90,
                                  required=False)
    longitude = forms.DecimalField(label=_("经度"), max_digits=9, decimal_places=6, min_value=-180, max_value=180,
                                   required=False)
    description = forms.CharField(label=_("活动内容"), widget=forms.Textarea(attrs={"rows": 4}), required=False,
                                  max_length=5000)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = selectors.units_for_organising(actor)
        self.fields["organiser"].queryset = selectors.organisers_for(actor)
        self.fields["project"].queryset = scoping.scope(Project.objects.filter(active=True), actor, perms.VIEW,
                                                        "unit__path").order_by("name")

    def to_input(self) -> ActivityInput:
        d = self.cleaned_data
        return ActivityInput(
            title=d["title"], category=d["category"], unit=d["unit"], organiser=d["organiser"], project=d["project"],
            starts_at=d["starts_at"], ends_at=d["ends_at"], capacity=d["capacity"], audience=d["audience"],
            requires_approval=d["requires_approval"], min_age=d["min_age"] or 0, address=d["address"],
            latitude=d["latitude"], longitude=d["longitude"], description=d["description"],
        )


class PublishedActivityForm(forms.Form):
    """After publishing only these change (capacity only upwards)."""

    capacity = forms.IntegerField(label=_("招募人数（只能增加）"), min_value=1, max_value=100_000)
    address = forms.CharField(label=_("活动地点"), max_length=200, required=False)
    description = forms.CharField(label=_("活动内容"), widget=forms.Textarea(attrs={"rows": 4}), required=False,
                                  max_length=5000)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("取消原因"), max_length=200)


class SignupForm(forms.Form):
    """R-V9: a minor records the guardian's consent (name) or that the guardian comes along."""

    guardian_name = forms.CharField(label=_("监护人姓名（未成年人填写，视为监护人同意）"), max_length=50, required=False)
    guardian_present = forms.BooleanField(label=_("监护人陪同参加"), required=False)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)


class BeneficiaryForm(forms.Form):
    group = forms.ChoiceField(label=_("服务对象"), choices=BeneficiaryGroup.choices, initial=BeneficiaryGroup.GENERAL)
    count = forms.IntegerField(label=_("惠及人次"), min_value=0, max_value=100_000)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class PolicyForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("投保单元"), queryset=None, empty_label=_("请选择"))
    insurer = forms.CharField(label=_("保险公司"), max_length=100)
    policy_number = forms.CharField(label=_("保单号"), max_length=60)
    starts_on = forms.DateField(validators=[bounds.sane_year], label=_("保障开始"), widget=DATE)
    ends_on = forms.DateField(validators=[bounds.sane_year], label=_("保障结束"), widget=DATE)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = scoping.units_for(actor, perms.INSURANCE).order_by("path")
