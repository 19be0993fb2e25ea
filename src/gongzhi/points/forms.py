"""Page forms of the points app: input parsing only; every rule lives in ``points.services``."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.core import bounds

from .models import RuleKind, RuleTrigger


def _item_choices(ruleset, kind: str, triggers) -> list[tuple[str, str]]:
    if ruleset is None:
        return []
    return [(str(i.pk), _("%(name)s（%(points)d分）") % {"name": i.name, "points": i.points})
            for i in ruleset.items.filter(kind=kind, trigger__in=triggers).order_by("trigger", "code")]


class AwardForm(forms.Form):
    rule_item = forms.ChoiceField(label=_("积分事项"))
    points = forms.IntegerField(label=_("分值"), required=False, min_value=1, max_value=bounds.COUNT_MAX,
                                help_text=_("不填则按事项分值；不得超过事项分值"))
    reason = forms.CharField(label=_("事由"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))
    evidence = forms.CharField(label=_("依据"), max_length=300, required=False,
                               help_text=_("村规民约事项须注明依据，如现场照片编号、检查记录"))
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=80)

    def __init__(self, *args, ruleset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule_item"].choices = _item_choices(ruleset, RuleKind.EARN,
                                                         (RuleTrigger.VILLAGE_RULE, RuleTrigger.MANUAL))
        self.fields["idempotency_key"].initial = uuid.uuid4().hex


class DeductionForm(forms.Form):
    rule_item = forms.ChoiceField(label=_("违反的村规民约事项"))
    points = forms.IntegerField(label=_("扣分"), required=False, min_value=1, max_value=bounds.COUNT_MAX,
                                help_text=_("不填则按事项分值"))
    reason = forms.CharField(label=_("事由"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))
    photo = forms.FileField(label=_("证据照片"), required=False,
                            widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}))

    def __init__(self, *args, ruleset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule_item"].choices = _item_choices(ruleset, RuleKind.DEDUCT,
                                                         (RuleTrigger.VILLAGE_RULE, RuleTrigger.MANUAL))


class NoteForm(forms.Form):
    note = forms.CharField(label=_("审核意见"), max_length=300, required=False)


class DecisionForm(forms.Form):
    upheld = forms.TypedChoiceField(label=_("复核结论"), coerce=lambda v: v == "1", widget=forms.RadioSelect,
                                    choices=[("1", _("申诉成立，冲正扣分")), ("0", _("申诉不成立，维持扣分"))])
    note = forms.CharField(label=_("复核意见"), max_length=300)


class AppealForm(forms.Form):
    reason = forms.CharField(label=_("申诉理由"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))
