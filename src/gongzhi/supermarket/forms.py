"""Page forms for the supermarket: shape checks only; the rules live in ``supermarket.services``."""

from __future__ import annotations

import datetime as dt
import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts import scoping
from gongzhi.core import bounds
from gongzhi.org.models import Unit

from . import permissions as perms
from .models import MerchantKind, StockReason


def new_key() -> str:
    return uuid.uuid4().hex


class MemberScanForm(forms.Form):
    member_token = forms.CharField(label=_("会员码"), max_length=500,
                                   widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True,
                                                                 "placeholder": _("扫码枪扫描或粘贴居民手机上的会员码")}))


class CounterRedeemForm(forms.Form):
    member_token = forms.CharField(widget=forms.HiddenInput, max_length=500)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=80)
    item = forms.TypedChoiceField(label=_("兑换商品"), coerce=int, choices=())
    quantity = forms.IntegerField(label=_("数量"), min_value=1, max_value=99, initial=1)

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [
            (i.pk, _("%(name)s（%(points)s积分，库存%(stock)s）") % {"name": i.name, "points": i.points_price,
                                                                  "stock": i.stock}) for i in items]


class OrderForm(forms.Form):
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=80)
    quantity = forms.IntegerField(label=_("数量"), min_value=1, max_value=99, initial=1)


class MerchantForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("所属单元"), queryset=Unit.objects.none())
    name = forms.CharField(label=_("名称"), max_length=120)
    kind = forms.ChoiceField(label=_("类型"), choices=MerchantKind.choices)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    fen_per_point = forms.IntegerField(label=_("每积分结算金额（分）"), min_value=1, max_value=1000, initial=10)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = scoping.units_for(actor, perms.MANAGE).exclude(kind="grid").order_by("path")


class ItemForm(forms.Form):
    name = forms.CharField(label=_("商品/优惠"), max_length=120)
    description = forms.CharField(label=_("说明"), max_length=300, required=False)
    points_price = forms.IntegerField(label=_("所需积分"), min_value=1, max_value=100000)
    stock = forms.IntegerField(label=_("初始库存"), min_value=0, max_value=100000, initial=0)


class StockForm(forms.Form):
    change = forms.IntegerField(label=_("变动数量（补货为正，盘亏为负）"), min_value=-bounds.COUNT_MAX,
                                max_value=bounds.COUNT_MAX)
    reason = forms.ChoiceField(label=_("原因"), choices=[(StockReason.RESTOCK, StockReason.RESTOCK.label),
                                                       (StockReason.ADJUST, StockReason.ADJUST.label)])
    note = forms.CharField(label=_("备注"), max_length=200, required=False)


class StaffForm(forms.Form):
    username = forms.CharField(label=_("店员登录名或手机号"), max_length=150)


class PeriodForm(forms.Form):
    start = forms.DateField(validators=[bounds.sane_year], label=_("开始日期"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(validators=[bounds.sane_year], label=_("结束日期"), widget=forms.DateInput(attrs={"type": "date"}))

    @staticmethod
    def default(today: dt.date) -> dict:
        return {"start": today.replace(day=1), "end": today}
