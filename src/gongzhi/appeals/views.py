"""Pages for appeals: 随手拍 on a phone, the worker's list, the detail timeline with allowed actions, my appeals.

Thin: parse input, call ``appeals.selectors`` / ``appeals.services``; refusals re-render the form (4xx) or propagate to
``web.middleware`` (not-found, forbidden, bad transition).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from gongzhi.accounts import scoping
from gongzhi.core.errors import DomainError
from gongzhi.core.pagination import paginate
from gongzhi.org.divisions import UnitKind
from gongzhi.org.models import Unit
from gongzhi.web.params import int_param

from . import api, presenters, selectors, services
from . import permissions as perms
from .calendar import Calendar
from .models import AppealState, Category, Channel, RejectReason
from .schemas import TransitionIn

PAGE_SIZE = 20
ACTION_LABELS = presenters.ACTION_LABELS


def _decimal(value) -> Decimal | None:
    try:
        return Decimal(value).quantize(Decimal("0.000001")) if value not in (None, "") else None
    except (InvalidOperation, ValueError):
        return None


def _report_units(actor):
    """Communities and grids to pick from: the reporter's own units first, then the rest of the tree."""
    own = [u for u in scoping.top_units(actor) if u.kind in (UnitKind.COMMUNITY, UnitKind.GRID, UnitKind.VILLAGE)]
    rest = Unit.objects.filter(kind__in=[UnitKind.COMMUNITY, UnitKind.GRID, UnitKind.VILLAGE]).exclude(
        pk__in=[u.pk for u in own]).order_by("path")[:500]
    return [*own, *rest]


def _leaf_categories():
    return Category.objects.filter(parent__isnull=False).select_related("parent").order_by("kind", "parent__sort",
                                                                                             "sort")


@login_required
@require_http_methods(["GET", "POST"])
def report(request):
    """随手拍: photo, category, location (navigator.geolocation) and a few words; anyone logged in."""
    ctx = {"categories": _leaf_categories(), "units": _report_units(request.user), "values": request.POST}
    if request.method == "GET":
        return render(request, "appeals/report.html", ctx)
    unit = Unit.objects.filter(pk=int_param(request.POST.get("unit"), None)).first()
    photo = request.FILES.get("photo")
    try:
        with transaction.atomic():
            appeal = services.appeal_submit(data=services.AppealInput(
                channel=Channel.PHOTO_REPORT, category_code=request.POST.get("category", ""),
                description=request.POST.get("description", ""), unit=unit,
                address=request.POST.get("address", ""), latitude=_decimal(request.POST.get("latitude")),
                longitude=_decimal(request.POST.get("longitude")), anonymous=bool(request.POST.get("anonymous")),
            ), actor=request.user)
            if photo is not None:
                services.appeal_photo_add(appeal=appeal, actor=request.user, upload=photo)
    except DomainError as e:
        return render(request, "appeals/report.html", {**ctx, "error": e.message}, status=e.status)
    messages.success(request, _("已提交，工单编号 %(number)s，社区会尽快受理。") % {"number": appeal.number})
    return redirect("appeals:mine")


@login_required
def appeal_list(request):
    state = request.GET.get("state") or None
    if state not in AppealState.values:
        state = None
    overdue = request.GET.get("overdue") == "1"
    qs = selectors.appeal_list(actor=request.user, state=state, overdue=True if overdue else None)
    page = paginate(qs, page=int_param(request.GET.get("page")), page_size=PAGE_SIZE)
    calendar = Calendar()
    return render(request, "appeals/list.html", {
        "page": page, "items": [presenters.list_item(a, calendar=calendar) for a in page.items], "state": state,
        "overdue": overdue, "states": AppealState.choices,
    })


@login_required
def appeal_detail(request, pk: int):
    appeal = selectors.appeal_get(actor=request.user, pk=pk)
    reveal = request.GET.get("reveal") == "1"
    data = presenters.detail(appeal, actor=request.user, reveal=reveal, channel="page", request=request)
    return render(request, "appeals/detail.html", {
        "a": data, "actions": [(name, ACTION_LABELS[name]) for name in data["actions"] if name != "take"],  # 接单: the order board
        "can_handle": scoping.can(request.user, perms.HANDLE, appeal.unit), "reasons": RejectReason.choices,
        "units": scoping.units_for(request.user, perms.VIEW).order_by("path")[:200],
    })


@login_required
@require_POST
def appeal_transition(request, pk: int, action: str):
    post = request.POST
    payload = TransitionIn(note=post.get("note", ""), unit_id=int_param(post.get("unit_id"), None),
                           user_id=int_param(post.get("user_id"), None), team_id=int_param(post.get("team_id"), None),
                           rating=int_param(post.get("rating"), None), reason=post.get("reason", ""),
                           into_id=int_param(post.get("into_id"), None),
                           satisfied={"1": True, "0": False}.get(post.get("satisfied", "")))
    if action == "visit" and payload.satisfied is None:
        payload.satisfied = True
    appeal = api.transition(request.user, pk, action, payload)
    messages.success(request, _("已%(action)s，工单状态：%(state)s") % {
        "action": ACTION_LABELS.get(action, action), "state": appeal.get_state_display()})
    if appeal.reporter_user_id == request.user.pk and not scoping.can(request.user, perms.VIEW, appeal.unit):
        return redirect("appeals:mine")
    return redirect("appeals:detail", pk=pk)


@login_required
def mine(request):
    page = paginate(selectors.my_appeals(actor=request.user), page=int_param(request.GET.get("page")),
                    page_size=PAGE_SIZE)
    return render(request, "appeals/mine.html", {"page": page, "items": [presenters.list_item(a) for a in page.items]})
