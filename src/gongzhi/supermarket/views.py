"""Supermarket pages. Thin: parse input, call ``supermarket.selectors`` / ``supermarket.services``, render.

The resident's phone shows the member QR (a token valid two minutes, refreshed every minute by htmx); the shop's
counter page takes what the scanner (or the phone camera, through the browser's BarcodeDetector) reads, shows the
masked name and balance, and redeems. Domain errors on a form go onto the form; 403/404 go to ``web.middleware``.
"""

from __future__ import annotations

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from gongzhi.accounts import scoping
from gongzhi.accounts.models import User
from gongzhi.core import clock
from gongzhi.core.errors import CommonError, DomainError
from gongzhi.core.pagination import paginate
from gongzhi.people.selectors import own_person
from gongzhi.privacy.masking import mask_name
from gongzhi.web.middleware import attach_to_form, page_status
from gongzhi.web.params import int_param

from . import permissions as perms
from . import selectors, services
from .errors import SupermarketError
from .forms import (
    CounterRedeemForm,
    ItemForm,
    MemberScanForm,
    MerchantForm,
    OrderForm,
    PeriodForm,
    StaffForm,
    StockForm,
    new_key,
)
from .models import RedemptionStatus


def _never_cache(response):
    add_never_cache_headers(response)
    return response


def _own_person_or_409(actor):
    person = own_person(actor)
    if person is None:
        raise SupermarketError.NO_PERSON.error()
    return person


# --- resident ---------------------------------------------------------------------------------------------


def _qr_context(person) -> dict:
    token = services.member_token_create(person=person)
    image = qrcode.make(token, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    return {"token": token, "svg": mark_safe(image.to_string(encoding="unicode")),  # noqa: S308 — made by qrcode
            "balance": selectors.balance_of(person), "generated_at": clock.now(),
            "seconds": services.MEMBER_TOKEN_SECONDS}


@login_required
def member(request):
    """The resident's member QR for the shop's counter (valid two minutes, refreshed every minute)."""
    person = _own_person_or_409(request.user)
    ctx = {"person_name": mask_name(person.name), **_qr_context(person)}
    return _never_cache(render(request, "supermarket/member.html", ctx))


@login_required
def member_qr(request):
    person = _own_person_or_409(request.user)
    return _never_cache(render(request, "supermarket/_member_qr.html", _qr_context(person)))


@login_required
def catalogue(request):
    """The shops of the resident's street and their goods; workers get a link to the shops they manage."""
    actor = request.user
    person = own_person(actor)
    shops = selectors.catalogue(actor=actor) if person is not None else []
    ctx = {"shops": [(m, [(i, OrderForm(initial={"idempotency_key": new_key()})) for i in items])
                     for m, items in shops],
           "person": person, "balance": selectors.balance_of(person) if person else None,
           "can_manage": scoping.has_anywhere(actor, perms.MANAGE),
           "can_settle": scoping.has_anywhere(actor, perms.SETTLE),
           "can_counter": selectors.staff_merchants(actor).exists()}
    if person is None and not (ctx["can_manage"] or ctx["can_settle"] or ctx["can_counter"]):
        raise SupermarketError.NO_PERSON.error()
    return render(request, "supermarket/catalogue.html", ctx)


@login_required
@require_POST
def order(request, pk: int):
    """The resident orders goods for pick-up: points and stock are taken now."""
    actor = request.user
    person = _own_person_or_409(actor)
    item = selectors.item_get(actor=actor, pk=pk)
    if not selectors.catalogue_has(actor=actor, merchant=item.merchant):
        raise CommonError.NOT_FOUND.error()
    form = OrderForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写1到99之间的数量"))
        return redirect("supermarket:catalogue")
    try:
        r = services.redemption_create(merchant=item.merchant, person=person, item=item,
                                       quantity=form.cleaned_data["quantity"], channel=services.Channel.ORDER,
                                       actor=actor, idempotency_key=form.cleaned_data["idempotency_key"])
    except DomainError as err:
        if err.status in (401, 403, 404):
            raise
        messages.error(request, err.message)
        return redirect("supermarket:catalogue")
    messages.success(request, _("已下单，请凭小票号 %(number)s 到店取货") % {"number": r.receipt_number})
    return redirect("supermarket:receipt", pk=r.pk)


@login_required
def my_orders(request):
    """The resident's orders and redemptions, newest first."""
    _own_person_or_409(request.user)
    qs = selectors.redemption_list(actor=request.user, mine=True)
    page = paginate(qs, page=int_param(request.GET.get("page")), page_size=20)
    return render(request, "supermarket/orders.html", {"page": page, "balance": selectors.balance_of(
        own_person(request.user))})


# --- counter ----------------------------------------------------------------------------------------------


def _counter_merchant(request):
    actor = request.user
    shops = list(selectors.staff_merchants(actor).select_related("unit", "account").order_by("name", "pk"))
    if not shops:
        raise CommonError.FORBIDDEN.error(detail={"permission": perms.REDEEM})
    wanted = int_param(request.POST.get("merchant") or request.GET.get("merchant"), default=0)
    if wanted:
        return selectors.merchant_for_counter(actor=actor, pk=wanted), shops
    return shops[0], shops


def _counter_context(request, merchant, shops, **extra) -> dict:
    actor = request.user
    open_orders = list(selectors.redemption_list(actor=actor, merchant=merchant, status=RedemptionStatus.ORDERED)[:30])
    for r in open_orders:
        r.masked_name = mask_name(r.person.name)
    today = selectors.redemption_list(actor=actor, merchant=merchant).filter(
        created_at__date=clock.today(), channel=services.Channel.COUNTER)[:10]
    ctx = {"merchant": merchant, "shops": shops, "open_orders": open_orders, "today": list(today),
           "scan_form": MemberScanForm(), "member": None, "redeem_form": None}
    ctx.update(extra)
    return ctx


def _confirm_context(merchant, person, token: str, form=None) -> dict:
    items = list(selectors.counter_items(merchant=merchant, in_stock_only=True))
    if form is None:
        form = CounterRedeemForm(initial={"member_token": token, "idempotency_key": new_key(), "quantity": 1},
                                 items=items)
    return {"member": {"name": mask_name(person.name), "balance": selectors.balance_of(person)},
            "redeem_form": form, "items": items}


@login_required
@require_http_methods(["GET", "POST"])
def counter(request):
    """The shop's counter: scan the member QR (POST the token) → masked name, balance and the goods to redeem."""
    merchant, shops = _counter_merchant(request)
    if request.method == "GET":
        return _never_cache(render(request, "supermarket/counter.html", _counter_context(request, merchant, shops)))
    form = MemberScanForm(request.POST)
    if not form.is_valid():
        ctx = _counter_context(request, merchant, shops, scan_form=form)
        return render(request, "supermarket/counter.html", ctx, status=400)
    token = form.cleaned_data["member_token"].strip()
    try:
        person = services.member_token_read(token)
    except DomainError as err:
        status = attach_to_form(form, err)
        ctx = _counter_context(request, merchant, shops, scan_form=form)
        return render(request, "supermarket/counter.html", ctx, status=status)
    ctx = _counter_context(request, merchant, shops, **_confirm_context(merchant, person, token))
    return _never_cache(render(request, "supermarket/counter.html", ctx))


def _scan_refused(token: str, err: DomainError) -> MemberScanForm:
    """The scan form as the shop sent it, carrying the refusal; it must be bound (and cleaned) to take an error."""
    scan = MemberScanForm({"member_token": token})
    scan.is_valid()
    attach_to_form(scan, err)
    return scan


@login_required
@require_POST
def counter_redeem(request):
    """Confirm the redemption at the counter; a double tap (same key) lands on the same receipt."""
    merchant, shops = _counter_merchant(request)
    items = list(selectors.counter_items(merchant=merchant))
    form = CounterRedeemForm(request.POST, items=items)
    if not form.is_valid():
        token = request.POST.get("member_token", "")
        try:
            person = services.member_token_read(token)
        except DomainError as err:
            return render(request, "supermarket/counter.html",
                          _counter_context(request, merchant, shops, scan_form=_scan_refused(token, err)), status=400)
        ctx = _counter_context(request, merchant, shops, **_confirm_context(merchant, person, token, form))
        return render(request, "supermarket/counter.html", ctx, status=400)
    data = form.cleaned_data
    try:
        person = services.member_token_read(data["member_token"])
        item = next(i for i in items if i.pk == data["item"])
        r = services.redemption_create(merchant=merchant, person=person, item=item, quantity=data["quantity"],
                                       channel=services.Channel.COUNTER, actor=request.user,
                                       idempotency_key=data["idempotency_key"])
    except DomainError as err:
        if err.status in (401, 403, 404):
            raise
        if err.code.startswith("supermarket.token_"):
            scan = _scan_refused(data["member_token"], err)
            return render(request, "supermarket/counter.html",
                          _counter_context(request, merchant, shops, scan_form=scan), status=page_status(err))
        fresh = CounterRedeemForm(initial={**data, "idempotency_key": new_key()}, items=items)
        ctx = _counter_context(request, merchant, shops, redeem_error=err.message,
                               **_confirm_context(merchant, person, data["member_token"], fresh))
        return render(request, "supermarket/counter.html", ctx, status=page_status(err))
    messages.success(request, _("兑换成功：%(item)s ×%(n)s，扣减 %(points)s 积分") % {
        "item": r.item.name, "n": r.quantity, "points": r.points})
    return redirect("supermarket:receipt", pk=r.pk)


@login_required
def receipt(request, pk: int):
    """A receipt (小票): the shop's staff, the resident and managers of the shop's units may see it."""
    actor = request.user
    r = selectors.redemption_get(actor=actor, pk=pk)
    is_staff = selectors.staff_merchants(actor).filter(pk=r.merchant_id).exists()
    own = r.person.user_id == actor.pk
    ctx = {"r": r, "person_name": mask_name(r.person.name), "is_staff": is_staff, "own": own,
           "balance": selectors.balance_of(r.person) if (is_staff or own) else None,
           "may_cancel": selectors.may_cancel(actor, r), "events": list(r.events.all())}
    return _never_cache(render(request, "supermarket/receipt.html", ctx))


@login_required
@require_POST
def pickup(request, pk: int):
    r = selectors.redemption_for_counter(actor=request.user, pk=pk)
    services.redemption_pickup(redemption=r, actor=request.user)
    messages.success(request, _("订单 %(number)s 已核销取货") % {"number": r.receipt_number})
    return redirect("supermarket:receipt", pk=pk)


@login_required
@require_POST
def cancel(request, pk: int):
    r = selectors.redemption_for_cancel(actor=request.user, pk=pk)
    services.redemption_cancel(redemption=r, actor=request.user, reason=request.POST.get("reason", "")[:200])
    messages.success(request, _("订单已取消，%(points)s 积分已退回") % {"points": r.points})
    return redirect("supermarket:receipt", pk=pk)


# --- shops and goods (managers) ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def merchants(request):
    """The shops in the manager's units; register a new one."""
    actor = request.user
    scoping.require(actor, perms.MANAGE)
    form = MerchantForm(request.POST or None, actor=actor)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            d = form.cleaned_data
            try:
                m = services.merchant_create(unit=d["unit"], name=d["name"], kind=d["kind"], address=d["address"],
                                             fen_per_point=d["fen_per_point"], actor=actor)
            except DomainError as err:
                status = attach_to_form(form, err)
            else:
                messages.success(request, _("已登记积分商户 %(name)s") % {"name": m.name})
                return redirect("supermarket:merchant", pk=m.pk)
    shops = scoping.scope(selectors.merchant_list(actor=actor), actor, perms.MANAGE, selectors.MERCHANT_PATH)
    return render(request, "supermarket/merchants.html", {"shops": list(shops[:200]), "form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def merchant(request, pk: int):
    """A shop: its goods with stock, its staff; managers add goods and staff here."""
    actor = request.user
    m = selectors.merchant_get(actor=actor, pk=pk)
    can_manage = scoping.can(actor, perms.MANAGE, m.unit)
    item_form, staff_form, status = ItemForm(), StaffForm(), 200
    if request.method == "POST":
        m = selectors.merchant_for_manage(actor=actor, pk=pk)
        status = 400
        if "username" in request.POST:
            staff_form = StaffForm(request.POST)
            if staff_form.is_valid():
                login = staff_form.cleaned_data["username"].strip()
                user = User.objects.filter(Q(username=login) | Q(phone=login), is_active=True).first()
                try:
                    if user is None:
                        raise SupermarketError.STAFF_NOT_MERCHANT.error(detail={"field": "username"})
                    services.merchant_staff_add(merchant=m, user=user, actor=actor)
                except DomainError as err:
                    status = attach_to_form(staff_form, err)
                else:
                    messages.success(request, _("已添加店员"))
                    return redirect("supermarket:merchant", pk=pk)
        else:
            item_form = ItemForm(request.POST)
            if item_form.is_valid():
                d = item_form.cleaned_data
                try:
                    services.item_create(merchant=m, data=services.ItemInput(
                        name=d["name"], points_price=d["points_price"], description=d["description"]),
                        stock=d["stock"], actor=actor)
                except DomainError as err:
                    status = attach_to_form(item_form, err)
                else:
                    messages.success(request, _("已上架 %(name)s") % {"name": d["name"]})
                    return redirect("supermarket:merchant", pk=pk)
    items = list(selectors.item_list(actor=actor, merchant=m))
    ctx = {"m": m, "items": items, "can_manage": can_manage, "item_form": item_form, "staff_form": staff_form,
           "stock_form": StockForm(), "staff": list(m.staff.order_by("username")) if can_manage else []}
    return render(request, "supermarket/merchant.html", ctx, status=status)


@login_required
@require_POST
def merchant_open(request, pk: int):
    """Close a shop (it redeems nothing until reopened) or reopen it."""
    m = selectors.merchant_for_manage(actor=request.user, pk=pk)
    m = services.merchant_update(merchant=m, name=m.name, address=m.address, fen_per_point=m.fen_per_point,
                                 active=not m.active, actor=request.user)
    messages.success(request, _("已恢复营业") if m.active else _("已停业：停业期间不能兑换"))
    return redirect("supermarket:merchant", pk=pk)


@login_required
@require_POST
def item_stock(request, pk: int):
    item = selectors.item_for_manage(actor=request.user, pk=pk)
    form = StockForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.item_stock_change(item=item, change=d["change"], reason=d["reason"], note=d["note"],
                                       actor=request.user)
        except DomainError as err:
            if err.status in (401, 403, 404):
                raise
            messages.error(request, err.message)
        else:
            messages.success(request, _("库存已更新"))
    else:
        messages.error(request, _("请填写变动数量"))
    return redirect("supermarket:merchant", pk=item.merchant_id)


@login_required
@require_POST
def item_shelf(request, pk: int):
    """Put goods on or take them off the shelf."""
    item = selectors.item_for_manage(actor=request.user, pk=pk)
    services.item_update(item=item, data=services.ItemInput(name=item.name, points_price=item.points_price,
                                                            description=item.description, active=not item.active),
                         actor=request.user)
    return redirect("supermarket:merchant", pk=item.merchant_id)


@login_required
def settlement(request):
    """The settlement statement of a period; the xlsx export comes from the API with the same period."""
    scoping.require(request.user, perms.SETTLE)
    form = PeriodForm(request.GET or None, initial=PeriodForm.default(clock.today()))
    start, end = PeriodForm.default(clock.today()).values()
    status = 200
    if request.GET and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    elif request.GET:
        status = 400
    try:
        statement = selectors.settlement(actor=request.user, start=start, end=end)
    except DomainError as err:
        if err.status in (401, 403, 404):
            raise
        form.add_error(None, str(err.message))
        statement = selectors.settlement(actor=request.user, start=clock.today(), end=clock.today())
        status = 400
    xlsx = f"/api/v1/supermarket/settlement.xlsx?start={statement.start}&end={statement.end}"
    return render(request, "supermarket/settlement.html", {"form": form, "s": statement, "xlsx": xlsx},
                  status=status)
