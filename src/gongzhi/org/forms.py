"""Page forms for units, organisations and team members; rules are checked by ``org.services`` / ``people.services``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.core import bounds
from gongzhi.people.models import TeamRole

from .divisions import UnitKind, code_rules
from .models import Organisation, OrgKind, Unit


def child_kinds(parent: Unit) -> list[tuple[str, str]]:
    """Kinds of unit that may sit under ``parent`` according to the division-code table (R-I3)."""
    rules = code_rules()
    return [(k, label) for k, label in UnitKind.choices if parent.kind in rules[k].parent_kinds]


class UnitForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"))
    code = forms.CharField(label=_("区划代码"), max_length=24,
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    name = forms.CharField(label=_("名称"), max_length=100)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)

    def __init__(self, *args, parent: Unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = child_kinds(parent)


class OrganisationForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=120)
    kind = forms.ChoiceField(label=_("类型"), choices=OrgKind.choices, initial=OrgKind.TEAM)
    parent = forms.ModelChoiceField(label=_("上级组织"), queryset=Organisation.objects.none(), required=False,
                                    empty_label=_("无"))
    description = forms.CharField(label=_("简介"), max_length=5000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    contact_name = forms.CharField(label=_("联系人"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=20, required=False,
                                    widget=forms.TextInput(attrs={"inputmode": "tel"}))

    def __init__(self, *args, parents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = parents


class MemberAddForm(forms.Form):
    volunteer = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=bounds.MAX_ID)
    role = forms.ChoiceField(label=_("职务"), choices=TeamRole.choices, initial=TeamRole.MEMBER)
