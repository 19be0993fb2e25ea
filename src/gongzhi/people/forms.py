"""Page forms for people and volunteers: they shape input only; every rule is checked by ``people.services``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts import scoping
from gongzhi.core import bounds

from . import permissions as perms
from .models import IdType, ReviewDecision, Skill, Tag
from .rules import AVAILABILITY_SLOTS
from .services import HOME_UNIT_KINDS, PersonInput

# Why an unmasked view is needed (R-P1: purpose-bound); the value is stored with the access-log row.
REVEAL_PURPOSES = [
    ("核实身份", _("核实身份")),
    ("入户走访", _("入户走访")),
    ("办理业务", _("办理业务")),
    ("联系本人", _("联系本人")),
    ("应急处置", _("应急处置")),
]

AVAILABILITY = list(AVAILABILITY_SLOTS.items())
AVAILABILITY_LABELS = AVAILABILITY_SLOTS


class TagField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return _("%(name)s（敏感）") % {"name": obj.name} if obj.sensitive else obj.name


class PersonForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    unit = forms.ModelChoiceField(label=_("所属社区/村/网格"), queryset=None, empty_label=_("请选择"))
    id_type = forms.ChoiceField(label=_("证件类型"), choices=IdType.choices, initial=IdType.RESIDENT_ID)
    id_number = forms.CharField(label=_("证件号码"), max_length=30, required=False,
                                widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}))
    phone = forms.CharField(label=_("手机号"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}))
    address = forms.CharField(label=_("住址"), max_length=200, required=False)
    household = forms.CharField(label=_("户名/门牌"), max_length=120, required=False)
    tags = TagField(label=_("人群标签"), queryset=Tag.objects.all(), to_field_name="code", required=False,
                    widget=forms.CheckboxSelectMultiple)
    guardian_name = forms.CharField(label=_("监护人姓名"), max_length=50, required=False,
                                    help_text=_("未满十四周岁的居民须填写监护人姓名，视为监护人同意登记"))

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = scoping.units_for(actor, perms.EDIT).filter(kind__in=HOME_UNIT_KINDS).order_by("path")

    def to_input(self) -> PersonInput:
        d = self.cleaned_data
        return PersonInput(
            name=d["name"], unit=d["unit"], id_type=d["id_type"], id_number=d["id_number"], phone=d["phone"],
            address=d["address"], household_label=d["household"], tags=[t.code for t in d["tags"]],
            guardian_name=d["guardian_name"],
        )


class RevealForm(forms.Form):
    purpose = forms.ChoiceField(label=_("查看用途"), choices=[("", _("请选择用途"))] + REVEAL_PURPOSES)


class VolunteerApplyForm(forms.Form):
    """A resident's own application: applying is consent, the checkbox makes it explicit (R-V2)."""

    skills = forms.ModelMultipleChoiceField(label=_("服务技能"), queryset=Skill.objects.all(), to_field_name="code",
                                            required=False, widget=forms.CheckboxSelectMultiple)
    availability = forms.MultipleChoiceField(label=_("可服务时间"), choices=AVAILABILITY, required=False,
                                             widget=forms.CheckboxSelectMultiple)
    motivation = forms.CharField(label=_("申请说明"), max_length=2000, required=False,
                                 widget=forms.Textarea(attrs={"rows": 3}))
    guardian_name = forms.CharField(label=_("监护人姓名"), max_length=50, required=False,
                                    help_text=_("未满十八周岁须填写，表示监护人同意"))
    agree = forms.BooleanField(label=_("本人自愿注册为志愿者，同意社区按《志愿服务条例》使用登记的信息"))

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        return {"skills": [s.code for s in d["skills"]], "availability": d["availability"],
                "motivation": d["motivation"], "guardian_name": d.get("guardian_name", "")}


class VolunteerRegisterForm(VolunteerApplyForm):
    """A worker registers a resident (代为登记): the resident's consent must be confirmed (R-V2, R-V9)."""

    agree = None
    consent_confirmed = forms.BooleanField(label=_("已当面确认本人（或监护人）同意登记为志愿者"), required=False)

    def service_kwargs(self) -> dict:
        return {**super().service_kwargs(), "consent_confirmed": self.cleaned_data["consent_confirmed"]}


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label=_("结论"), choices=ReviewDecision.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("审核意见"), max_length=2000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=200)


class CertificateForm(forms.Form):
    name = forms.CharField(label=_("证书名称"), max_length=80)
    number = forms.CharField(label=_("证书编号"), max_length=60, required=False)
    skill = forms.ModelChoiceField(label=_("对应技能"), queryset=Skill.objects.all(), to_field_name="code",
                                   required=False, empty_label=_("无"))
    issued_on = forms.DateField(validators=[bounds.sane_year], label=_("发证日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    expires_on = forms.DateField(validators=[bounds.sane_year], label=_("有效期至"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
