"""Pages for appeals: 随手拍 on a phone, the worker's list, the detail timeline with allowed actions, my appeals.

Thin: parse input, call ``appeals.selectors`` / ``appeals.services``; refusals re-render the form (4xx) or propagate to
``web.middleware`` (not-found, forbidden, bad transition).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from gongzhi.accounts import scoping
from gongzhi.core import bounds, clock, ids, links
from gongzhi.core.errors import CommonError, DomainError
from gongzhi.core.pagination import paginate
from gongzhi.ops.dbrouter import reading_from_replica
from gongzhi.org.divisions import UnitKind
from gongzhi.org.models import Unit
from gongzhi.web.params import int_param

from . import api, presenters, rules, selectors, services
from . import permissions as perms
from .calendar import Calendar
from .models import Appeal, AppealState, Category, Channel, RejectReason, Urgency
from .schemas import TransitionIn

PAGE_SIZE = 20
ACTION_LABELS = presenters.ACTION_LABELS


def _coordinates(post) -> tuple[Decimal | None, Decimal | None]:
    """The browser's location: blank is none; latitude 91, NaN or 1e308 is a mistake shown to the reporter (not a
    500 from the column, nor silently dropped)."""
    try:
        return (bounds.coordinate(post.get("latitude"), limit=90), bounds.coordinate(post.get("longitude"), limit=180))
    except ValueError:
        raise CommonError.BAD_REQUEST.error(detail={"field": "latitude"},
                                           message=_("位置坐标无效，请重新定位或清除位置后再提交")) from None


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
    unit_id = int_param(request.POST.get("unit"), None)
    unit = Unit.objects.filter(pk=unit_id).first() if ids.in_range(unit_id) else None  # SQLite cannot bind 2**64
    photo = request.FILES.get("photo")
    try:
        latitude, longitude = _coordinates(request.POST)
        with transaction.atomic():
            appeal = services.appeal_submit(data=services.AppealInput(
                channel=Channel.PHOTO_REPORT, category_code=request.POST.get("category", ""),
                description=request.POST.get("description", ""), unit=unit,
                address=request.POST.get("address", ""), latitude=latitude,
                longitude=longitude, anonymous=bool(request.POST.get("anonymous")),
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
    escalated = request.GET.get("escalated") == "1"  # 升级到我所在单元的诉求
    qs = selectors.appeal_list(actor=request.user, state=state, overdue=True if overdue else None,
                               escalated_to_me=escalated)
    page = paginate(qs, page=int_param(request.GET.get("page")), page_size=PAGE_SIZE)
    calendar = Calendar()
    return render(request, "appeals/list.html", {
        "page": page, "items": [presenters.list_item(a, calendar=calendar) for a in page.items], "state": state,
        "overdue": overdue, "states": AppealState.choices, "escalated": escalated,
        "can_supervise": scoping.has_anywhere(request.user, perms.SUPERVISE),
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
        "duplicates": _detail_duplicates(request.user, appeal, data["actions"]),
        "links": links.links_for("appeals.appeal", actor=request.user, obj=appeal),
    })


def _detail_duplicates(actor, appeal, actions) -> list:
    """Possible duplicates of this appeal that the worker may merge it into (same category, ~50 m, recent, open)."""
    if "merge" not in actions:
        return []
    among = scoping.scope(Appeal.objects.select_related("unit", "category"), actor, perms.HANDLE, "unit__path")
    return [{**presenters.duplicate_item(c), "summary": c.appeal.description[:60]}
            for c in selectors.duplicate_candidates(category=appeal.category, latitude=appeal.latitude,
                                                    longitude=appeal.longitude, exclude=appeal, among=among)]


@login_required
@require_POST
def appeal_transition(request, pk: int, action: str):
    post = request.POST
    payload = TransitionIn(note=post.get("note", ""), unit_id=int_param(post.get("unit_id"), None),
                           user_id=int_param(post.get("user_id"), None), team_id=int_param(post.get("team_id"), None),
                           rating=int_param(post.get("rating"), None), reason=post.get("reason", ""),
                           into_id=int_param(post.get("into_id"), None), days=int_param(post.get("days"), None),
                           satisfied={"1": True, "0": False}.get(post.get("satisfied", "")))
    if action == "visit" and payload.satisfied is None:
        payload.satisfied = True
    appeal = api.transition(request.user, pk, action, payload)
    messages.success(request, _("已%(action)s，工单状态：%(state)s") % {
        "action": ACTION_LABELS.get(action, action), "state": appeal.get_state_display()})
    if appeal.reporter_user_id == request.user.pk and not scoping.can(request.user, perms.VIEW, appeal.unit):
        return redirect("appeals:mine")
    return redirect("appeals:detail", pk=pk)


PUBLIC_PAGE_SIZE = 20
PUBLIC_MAP_POINTS = 500


@reading_from_replica()
def public(request):
    """公开诉求: the map, list and figures per tier anyone may see without logging in; no personal data at all
    (what is left out and why: ``presenters.public_item``). Filters: street/community, category, state, open/closed,
    and the figures' period (month/quarter/year)."""
    from django.conf import settings

    from . import figures

    get = request.GET
    unit_code, category, state = get.get("unit") or None, get.get("category") or None, get.get("state") or None
    status, period = get.get("status") or None, get.get("period") or "month"
    units = presenters.public_units()
    unit = Unit.objects.filter(code=unit_code).first() if unit_code else None
    state = state if state in AppealState.values else None
    status = status if status in selectors.PUBLIC_STATUSES else None
    period = period if period in figures.PERIODS else "month"
    qs = selectors.public_appeals(unit=unit, category=category, state=state, status=status)
    page = paginate(qs, page=int_param(get.get("page")), page_size=PUBLIC_PAGE_SIZE)
    points = [presenters.public_item(a, units=units) for a in qs[:PUBLIC_MAP_POINTS]]
    centres = [{"name": u.name, "lat": float(u.latitude), "lng": float(u.longitude)} for u in units.values()
               if u.kind != UnitKind.STREET and u.latitude is not None and (unit is None or u.is_within(unit.path))]
    map_data = {
        "tile_url": getattr(settings, "GONGZHI_MAP_TILE_URL", "") or "",
        "centres": centres,
        "points": [{"lat": float(p["latitude"]), "lng": float(p["longitude"]), "number": p["number"],
                    "category": p["category"], "state": p["state_label"], "open": p["open"]}
                   for p in points if p["latitude"] is not None],
    }
    fig = figures.tier_figures(unit=unit, period=period)
    return render(request, "appeals/public.html", {
        "page": page, "items": [presenters.public_item(a, units=units) for a in page.items],
        "figures": fig, "figure_rows": _figure_rows(fig), "map_data": map_data,
        "unit_choices": [u for u in sorted(units.values(), key=lambda u: u.path)],
        "categories": Category.objects.filter(parent__isnull=True).prefetch_related("children"),
        "states": AppealState.choices, "periods": [(p, PERIOD_LABELS[p]) for p in figures.PERIODS],
        "f": {"unit": unit.code if unit else "", "category": category or "", "state": state or "",
              "status": status or "", "period": period},
    })


def _figure_rows(fig: dict) -> list[dict]:
    def pct(rate):
        return None if rate is None else round(rate * 100, 1)

    return [{**row, "resolution_pct": pct(row["resolution_rate"]), "satisfaction_pct": pct(row["satisfaction_rate"])}
            for row in [fig["total"], *fig["tiers"]]]


PERIOD_LABELS = {"month": _("本月"), "quarter": _("本季度"), "year": _("本年")}


# --- settings: the holiday calendar and time-limit versions (R-H8, R-U3), for holders of appeals.supervise ---------

def _day(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value or "")
    except ValueError:
        return None


def _settings_post(request) -> str:
    """Add what the posted form describes; returns the query string to come back to (the holiday's year)."""
    post = request.POST
    if post.get("form") == "holiday":
        day = _day(post.get("date"))
        if day is None:
            raise CommonError.VALIDATION.error(detail=[{"loc": ["date"], "msg": "invalid date"}])
        h = services.holiday_create(actor=request.user, date=day, name=post.get("name", ""),
                                    workday=post.get("workday") == "1")
        messages.success(request, _("已添加%(date)s %(name)s。") % {"date": h.date.isoformat(), "name": h.name})
        return f"?year={h.date.year}"
    start = _day(post.get("effective_from"))
    services.time_limit_create(
        actor=request.user, category_code=post.get("category", ""), urgency=post.get("urgency", ""),
        accept_working_hours=int_param(post.get("accept_working_hours"), None),
        dispatch_working_hours=int_param(post.get("dispatch_working_hours"), None),
        reply_working_days=int_param(post.get("reply_working_days"), None), note=post.get("note", ""),
        effective_from=timezone.make_aware(dt.datetime.combine(start, dt.time.min)) if start else None)
    messages.success(request, _("已新增办理时限版本。"))
    return ""


@login_required
@require_http_methods(["GET", "POST"])
def settings_page(request):
    """Supervisors see and add holidays (incl. 调休 workdays) and time-limit versions; nothing is edited in place."""
    scoping.require(request.user, perms.SUPERVISE)
    error, status = None, 200
    if request.method == "POST":
        try:
            with transaction.atomic():
                back = _settings_post(request)
            return redirect(reverse("appeals:settings") + back)
        except DomainError as e:
            error, status = e.message, e.status
    year = int_param(request.GET.get("year"), clock.today().year)
    if not 1900 <= year <= 2100:  # a hand-edited ?year= beyond the calendar's range shows this year
        year = clock.today().year
    limits = [presenters.time_limit_item(t) for t in selectors.time_limit_list(actor=request.user)]
    return render(request, "appeals/settings.html", {
        "holidays": selectors.holiday_list(actor=request.user, year=year), "year": year,
        "limits": [row for row in limits if row["in_force"]], "history": [row for row in limits if not row["in_force"]],
        "defaults": [(Urgency(u).label, limit) for u, limit in rules.LIMITS.items()],
        "urgencies": Urgency.choices, "categories": Category.objects.select_related("parent").order_by("kind", "code"),
        "error": error, "values": request.POST if error else {},
    }, status=status)


@login_required
def mine(request):
    page = paginate(selectors.my_appeals(actor=request.user), page=int_param(request.GET.get("page")),
                    page_size=PAGE_SIZE)
    return render(request, "appeals/mine.html", {"page": page, "items": [presenters.list_item(a) for a in page.items]})
