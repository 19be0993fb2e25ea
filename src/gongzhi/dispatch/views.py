"""Pages of the order board: the volunteer's board (phone-first: nearest open orders, one tap to take), my orders,
the workers' list, a new order, the detail with suggested assignees, response figures.

Thin: parse input, call ``dispatch.selectors`` / ``dispatch.services``; refusals go to ``web.middleware`` (the
Chinese message with the 4xx)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from gongzhi.accounts import scoping
from gongzhi.core.errors import DomainError
from gongzhi.core.pagination import paginate
from gongzhi.org.divisions import UnitKind
from gongzhi.org.models import Organisation, OrgKind, Unit
from gongzhi.people.models import Skill, VolunteerProfile, VolunteerStatus
from gongzhi.web.params import int_param

from . import api, presenters, selectors, services
from . import permissions as perms
from .models import OrderState
from .schemas import OrderIn

ACTIONS = {"start": services.order_start, "done": services.order_done, "cancel": services.order_cancel}
DONE_MESSAGES = {"start": _("已开始处置"), "done": _("任务已完成，感谢您的服务！"), "cancel": _("任务已取消")}


@login_required
def board(request):
    """志愿者接单: the open orders this volunteer may take, nearest first; workers go to their list."""
    profile = selectors.own_volunteer(request.user)
    if profile is None or profile.status != VolunteerStatus.ACTIVE:
        if scoping.has_anywhere(request.user, perms.VIEW):
            return redirect("dispatch:orders")
        return render(request, "dispatch/not_volunteer.html", {"profile": profile}, status=200)
    _profile, items = selectors.board(actor=request.user)
    mine = [presenters.order_out(o) for o in selectors.my_orders(actor=request.user).filter(
        state=OrderState.TAKEN)[:50]]
    return render(request, "dispatch/board.html", {
        "profile": profile, "mine": mine,
        "items": [presenters.order_out(i.order, distance_km=i.distance_km) for i in items],
    })


@login_required
@require_POST
def take(request, pk: int):
    order = selectors.order_get_for(request.user, pk)
    order = services.order_take(order=order, actor=request.user, note=request.POST.get("note", ""))
    messages.success(request, _("接单成功：%(title)s。请尽快联系处置。") % {"title": order.title})
    return redirect("dispatch:board")


@login_required
@require_POST
def act(request, pk: int, action: str):
    if action == "assign":
        order = scoping.get_scoped(api._orders(), request.user, perms.DISPATCH, "unit__path", pk=pk)
        volunteer = VolunteerProfile.objects.select_related("person__user").filter(
            pk=int_param(request.POST.get("volunteer"), 0)).first()
        if volunteer is None:
            messages.error(request, _("请选择志愿者"))
            return redirect("dispatch:detail", pk=pk)
        services.order_assign(order=order, actor=request.user, volunteer=volunteer)
        messages.success(request, _("已指派给%(name)s，并已通知本人") % {"name": volunteer.person.name})
        return redirect("dispatch:detail", pk=pk)
    if action not in ACTIONS:
        return redirect("dispatch:detail", pk=pk)
    order = selectors.order_get_for(request.user, pk)
    ACTIONS[action](order=order, actor=request.user, note=request.POST.get("note", ""))
    messages.success(request, DONE_MESSAGES[action])
    if order.taker_id == request.user.pk:
        return redirect("dispatch:board")
    return redirect("dispatch:detail", pk=pk)


@login_required
def order_list(request):
    scoping.require(request.user, perms.VIEW)
    state = request.GET.get("state") or None
    page = paginate(selectors.order_list(actor=request.user, state=state), page=int_param(request.GET.get("page"), 1),
                    page_size=20)
    return render(request, "dispatch/orders.html", {
        "page": page, "items": [presenters.order_out(o) for o in page.items], "state": state or "",
        "states": OrderState.choices, "can_dispatch": scoping.has_anywhere(request.user, perms.DISPATCH),
    })


def _form_context(request) -> dict:
    units = scoping.units_for(request.user, perms.DISPATCH).filter(
        kind__in=[UnitKind.COMMUNITY, UnitKind.GRID, UnitKind.VILLAGE, UnitKind.STREET]).order_by("path")[:300]
    return {"units": units, "skills": Skill.objects.all(),
            "teams": Organisation.objects.filter(kind=OrgKind.TEAM, active=True).order_by("name")[:300],
            "values": request.POST}


@login_required
@require_http_methods(["GET", "POST"])
def order_new(request):
    """社工派单: post a task (where, what skill, which team, when)."""
    scoping.require(request.user, perms.DISPATCH)
    ctx = _form_context(request)
    if request.method == "GET":
        return render(request, "dispatch/new.html", ctx)
    p = request.POST
    due = parse_datetime(p.get("due_at", "")) if p.get("due_at") else None
    if due is not None and timezone.is_naive(due):
        due = timezone.make_aware(due)
    try:
        payload = OrderIn(title=p.get("title", ""), description=p.get("description", ""),
                          unit_id=int_param(p.get("unit"), None), address=p.get("address", ""),
                          skill=p.get("skill") or None, team_id=int_param(p.get("team"), None), due_at=due)
        order = services.order_create(actor=request.user, **api.order_input(payload))
    except DomainError as e:
        return render(request, "dispatch/new.html", {**ctx, "error": e.message}, status=e.status)
    messages.success(request, _("任务已发布，附近符合条件的志愿者可以接单"))
    return redirect("dispatch:detail", pk=order.pk)


@login_required
def order_detail(request, pk: int):
    order = selectors.order_get_for(request.user, pk)
    can_dispatch = scoping.can(request.user, perms.DISPATCH, order.unit)
    suggestions = selectors.suggestions(order=order) if can_dispatch and order.state == OrderState.OPEN else []
    return render(request, "dispatch/detail.html", {
        "o": presenters.order_out(order, events=True), "can_dispatch": can_dispatch,
        "is_taker": order.taker_id == request.user.pk, "suggestions": suggestions,
        "can_take": order.state == OrderState.OPEN and selectors.own_volunteer(request.user) is not None,
    })


@login_required
def figures(request):
    """响应情况: time to accept, to first action, share taken within 30 minutes, per child unit."""
    scoping.require(request.user, perms.VIEW)
    unit = None
    if request.GET.get("unit"):
        unit = scoping.get_scoped(Unit.objects.all(), request.user, perms.VIEW, "path",
                                  pk=int_param(request.GET.get("unit"), 0))
    unit = unit or scoping.units_for(request.user, perms.VIEW).order_by("depth", "path").first()
    start_d, end_d, start, end = api.period_bounds(parse_date(request.GET.get("start") or "") or None,
                                                   parse_date(request.GET.get("end") or "") or None)
    rows = selectors.response_figures(actor=request.user, unit=unit, start=start, end=end)
    return render(request, "dispatch/figures.html", {"unit": unit, "rows": rows, "start": start_d, "end": end_d})
