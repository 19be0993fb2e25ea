"""Page forms for training: they shape input only; every rule is checked by ``training.services``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts import scoping
from gongzhi.core import bounds
from gongzhi.people.models import Skill

from . import permissions as perms
from .models import CourseLevel
from .services import COURSE_UNIT_KINDS, CourseInput

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class CourseForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("开设单元"), queryset=None, empty_label=_("请选择"))
    title = forms.CharField(label=_("课程名称"), max_length=120)
    level = forms.ChoiceField(label=_("级别"), choices=CourseLevel.choices, initial=CourseLevel.GENERAL)
    skill = forms.ModelChoiceField(label=_("技能类别"), queryset=Skill.objects.all(), required=False,
                                   empty_label=_("不限"), to_field_name="code")
    hours = forms.DecimalField(label=_("学时"), max_digits=5, decimal_places=1, initial=2, min_value=0)
    description = forms.CharField(label=_("课程简介"), required=False, max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = scoping.units_for(actor, perms.MANAGE).filter(
            kind__in=COURSE_UNIT_KINDS).order_by("path")

    def to_input(self) -> CourseInput:
        d = self.cleaned_data
        return CourseInput(unit=d["unit"], title=d["title"], level=d["level"],
                           skill=d["skill"].code if d["skill"] else "", description=d["description"], hours=d["hours"])


class SessionForm(forms.Form):
    starts_at = forms.DateTimeField(validators=[bounds.sane_year], label=_("开始时间"), widget=DATETIME)
    ends_at = forms.DateTimeField(validators=[bounds.sane_year], label=_("结束时间"), widget=DATETIME)
    place = forms.CharField(label=_("地点"), max_length=200)
    trainer = forms.CharField(label=_("授课人"), max_length=80, required=False)
    capacity = forms.IntegerField(label=_("名额"), initial=30, min_value=1, max_value=bounds.COUNT_MAX)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("取消原因"), max_length=200, required=False)


class EnrolForm(forms.Form):
    """A worker enrols a volunteer by their 志愿者编号."""

    number = forms.CharField(label=_("志愿者编号"), max_length=24,
                             widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "ZY370117…"}))
