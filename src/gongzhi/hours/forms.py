"""Page forms of the hours app: input parsing only; every rule lives in ``hours.services``."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .services import activity_days


def _days(activity) -> list[tuple[str, str]]:
    return [(d.isoformat(), d.strftime("%Y-%m-%d")) for d in activity_days(activity)]


class TimeField(forms.TimeField):
    widget = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def at(day: dt.date, time: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, time))


class BatchForm(forms.Form):
    """One row per confirmed sign-up: check-in and check-out time on the chosen service day (empty rows skipped)."""

    day = forms.ChoiceField(label=_("服务日期"))

    def __init__(self, *args, activity, signups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["day"].choices = _days(activity)
        self.rows = []
        for s in signups:
            fin = TimeField(label=_("签到"), required=False)
            fout = TimeField(label=_("签退"), required=False)
            self.fields[f"in_{s.volunteer_id}"] = fin
            self.fields[f"out_{s.volunteer_id}"] = fout
            self.rows.append((s, self[f"in_{s.volunteer_id}"], self[f"out_{s.volunteer_id}"]))

    def clean(self):
        data = super().clean()
        for s, fin, _fout in self.rows:
            if data.get(f"out_{s.volunteer_id}") and not data.get(f"in_{s.volunteer_id}"):
                self.add_error(fin.name, _("填写签退时间时须同时填写签到时间"))
        return data

    def entries(self):
        from .services import BatchEntry

        day = dt.date.fromisoformat(self.cleaned_data["day"])
        out = []
        for s, _fin, _fout in self.rows:
            tin, tout = self.cleaned_data.get(f"in_{s.volunteer_id}"), self.cleaned_data.get(f"out_{s.volunteer_id}")
            if tin:
                out.append(BatchEntry(volunteer_id=s.volunteer_id, day=day, checked_in_at=at(day, tin),
                                      checked_out_at=at(day, tout) if tout else None))
        return out


class CheckOutForm(forms.Form):
    time = TimeField(label=_("签退时间"))


class CorrectionForm(forms.Form):
    hours = forms.DecimalField(label=_("更正后时长（小时）"), min_value=0, max_digits=8, decimal_places=4)
    reason = forms.CharField(label=_("更正理由"), max_length=300)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class BackEntryForm(forms.Form):
    volunteer = forms.TypedChoiceField(label=_("志愿者"), coerce=int)
    day = forms.ChoiceField(label=_("服务日期"))
    hours = forms.DecimalField(label=_("服务时长（小时）"), min_value=0, max_digits=8, decimal_places=4)
    reason = forms.CharField(label=_("补录理由"), max_length=300)

    def __init__(self, *args, activity, signups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["day"].choices = _days(activity)
        self.fields["volunteer"].choices = [(s.volunteer_id, f"{s.volunteer.person.name} · {s.volunteer.number}")
                                            for s in signups]


class ResolveForm(forms.Form):
    note = forms.CharField(label=_("处理说明"), max_length=300)
    hours = forms.DecimalField(label=_("更正后时长（不更正则留空）"), required=False, min_value=0, max_digits=8,
                               decimal_places=4)
