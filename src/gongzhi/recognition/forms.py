"""Page forms for recognition: they only parse input; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import npgettext

from gongzhi.core import bounds


class CertificateRequestForm(forms.Form):
    period_start = forms.DateField(validators=[bounds.sane_year], label=_("服务起始日期"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(validators=[bounds.sane_year], label=_("服务截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    purpose = forms.CharField(label=_("用途（选填）"), max_length=200, required=False)


class IssueForm(forms.Form):
    person_in_charge = forms.CharField(label=_("负责人"), max_length=50)
    contact = forms.CharField(label=_("联系电话"), max_length=40)
    notes = forms.CharField(label=_("备注（选填）"), max_length=300, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=200)


class CandidatesForm(forms.Form):
    unit = forms.TypedChoiceField(label=_("单元"), coerce=int)
    period_end = forms.DateField(validators=[bounds.sane_year], label=_("时长统计截止日期"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(u.pk, u.name) for u in units]


class HonoursForm(forms.Form):
    unit = forms.TypedChoiceField(label=_("单元"), coerce=int)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("称号"), max_length=60, initial=_("优秀志愿者"))
    top = forms.IntegerField(label=_("表彰人数"), min_value=1, max_value=100, initial=10)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(u.pk, u.name) for u in units]


class RatingForm(forms.Form):
    activity = forms.TypedChoiceField(label=_("活动"), coerce=int)
    score = forms.TypedChoiceField(label=_("评分"), coerce=int)
    rater_kind = forms.ChoiceField(label=_("评价人"))
    beneficiary_label = forms.CharField(label=_("服务对象（代录时填写）"), max_length=50, required=False)
    comment = forms.CharField(label=_("评语（选填）"), max_length=300, required=False)

    def __init__(self, *args, activities=(), **kwargs):
        from .models import RaterKind

        super().__init__(*args, **kwargs)
        self.fields["activity"].choices = [(a.pk, a.title) for a in activities]
        self.fields["rater_kind"].choices = RaterKind.choices
        self.fields["score"].choices = [(i, npgettext("rating", "%(n)s 分", "%(n)s 分", i) % {"n": i})
                                        for i in range(5, 0, -1)]
