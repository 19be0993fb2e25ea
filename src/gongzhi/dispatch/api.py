"""Order board API: workers' scoped list, create, assign, cancel, suggestions, figures; volunteers' board, take,
start, done, own orders and service location."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from ninja import Query, Router, Schema, Status

from gongzhi.accounts import scoping
from gongzhi.core import clock
from gongzhi.core.errors import CommonError
from gongzhi.core.pagination import paginate
from gongzhi.org.models import Organisation, Unit
from gongzhi.people.models import Skill, VolunteerProfile

from . import permissions as perms
from . import presenters, selectors, services
from .errors import DispatchError
from .models import Order
from .schemas import (
    AssignIn,
    FiguresOut,
    LocationIn,
    LocationOut,
    NoteIn,
    OrderIn,
    OrderOut,
    OrderPage,
    SuggestionOut,
)

router = Router(tags=["dispatch"])


def _orders():
    return Order.objects.select_related(*selectors.RELATED)


class OrderFilter(Schema):
    state: str | None = None
    unit_id: int | None = None
    page: int = 1
    page_size: int = 50


class PeriodFilter(Schema):
    unit_id: int | None = None
    start: dt.date | None = None
    end: dt.date | None = None  # inclusive


def order_input(payload: OrderIn) -> dict:
    """Resolve the ids and codes of a new order (unknown ones are 400s, nothing saved)."""
    from gongzhi.matching.models import Project

    unit = Unit.objects.filter(pk=payload.unit_id).first() if payload.unit_id else None
    if payload.unit_id and unit is None:
        raise DispatchError.UNIT_MISSING.error(detail={"unit_id": payload.unit_id})
    skill = Skill.objects.filter(code=payload.skill).first() if payload.skill else None
    if payload.skill and skill is None:
        raise DispatchError.SKILL_UNKNOWN.error(detail={"skill": payload.skill})
    team = Organisation.objects.filter(pk=payload.team_id).first() if payload.team_id else None
    if payload.team_id and team is None:
        raise DispatchError.TEAM_UNKNOWN.error(detail={"team_id": payload.team_id})
    project = Project.objects.select_related("unit").filter(pk=payload.project_id).first() \
        if payload.project_id else None
    if payload.project_id and project is None:
        raise DispatchError.PROJECT_UNKNOWN.error(detail={"project_id": payload.project_id})
    return {"title": payload.title, "description": payload.description, "unit": unit, "address": payload.address,
            "latitude": payload.latitude, "longitude": payload.longitude, "skill": skill, "team": team,
            "project": project, "due_at": payload.due_at}


@router.get("/dispatch/orders", response=OrderPage, summary="辖区派单任务（按状态、单元筛选）")
def order_list(request, filters: Query[OrderFilter]):
    scoping.require(request.auth, perms.VIEW)
    unit = Unit.objects.filter(pk=filters.unit_id).first() if filters.unit_id else None
    p = paginate(selectors.order_list(actor=request.auth, state=filters.state, unit=unit), page=filters.page,
                 page_size=filters.page_size)
    return {"items": [presenters.order_out(o) for o in p.items], "count": p.count, "page": p.page,
            "page_size": p.page_size, "pages": p.pages}


@router.post("/dispatch/orders", response={201: OrderOut}, summary="发布派单任务（社工派单）")
def order_create(request, payload: OrderIn):
    order = services.order_create(actor=request.auth, **order_input(payload))
    return Status(201, presenters.order_out(order))


@router.get("/dispatch/orders/{order_id}", response=OrderOut, summary="任务详情与处理记录")
def order_detail(request, order_id: int):
    return presenters.order_out(selectors.order_get_for(request.auth, order_id), events=True)


@router.post("/dispatch/orders/{order_id}/take", response=OrderOut, summary="接单（先到先得，仅一人成功）")
def order_take(request, order_id: int, payload: NoteIn):
    order = _orders().filter(pk=order_id).first()
    if order is None:
        raise CommonError.NOT_FOUND.error()
    return presenters.order_out(services.order_take(order=order, actor=request.auth, note=payload.note))


@router.post("/dispatch/orders/{order_id}/assign", response=OrderOut, summary="指派给志愿者")
def order_assign(request, order_id: int, payload: AssignIn):
    order = scoping.get_scoped(_orders(), request.auth, perms.DISPATCH, "unit__path", pk=order_id)
    volunteer = VolunteerProfile.objects.select_related("person__user").filter(pk=payload.volunteer_id).first()
    if volunteer is None:
        raise CommonError.NOT_FOUND.error(detail={"volunteer_id": payload.volunteer_id})
    return presenters.order_out(services.order_assign(order=order, actor=request.auth, volunteer=volunteer,
                                                      note=payload.note))


@router.post("/dispatch/orders/{order_id}/cancel", response=OrderOut, summary="取消任务")
def order_cancel(request, order_id: int, payload: NoteIn):
    order = scoping.get_scoped(_orders(), request.auth, perms.DISPATCH, "unit__path", pk=order_id)
    return presenters.order_out(services.order_cancel(order=order, actor=request.auth, note=payload.note))


@router.post("/dispatch/orders/{order_id}/start", response=OrderOut, summary="开始处置（首次响应）")
def order_start(request, order_id: int, payload: NoteIn):
    order = selectors.order_get_for(request.auth, order_id)
    return presenters.order_out(services.order_start(order=order, actor=request.auth, note=payload.note))


@router.post("/dispatch/orders/{order_id}/done", response=OrderOut, summary="完成任务")
def order_done(request, order_id: int, payload: NoteIn):
    order = selectors.order_get_for(request.auth, order_id)
    return presenters.order_out(services.order_done(order=order, actor=request.auth, note=payload.note))


@router.get("/dispatch/orders/{order_id}/suggestions", response=list[SuggestionOut],
            summary="推荐接单人（技能、距离、可服务时间、近期接单量）")
def order_suggestions(request, order_id: int, limit: int = 10):
    order = scoping.get_scoped(_orders(), request.auth, perms.DISPATCH, "unit__path", pk=order_id)
    return [s.__dict__ for s in selectors.suggestions(order=order, limit=max(1, min(limit, 50)))]


@router.get("/dispatch/board", response=list[OrderOut], summary="我可以接的任务（由近及远）")
def board(request):
    _profile, items = selectors.board(actor=request.auth)
    return [presenters.order_out(i.order, distance_km=i.distance_km) for i in items]


@router.get("/dispatch/me/orders", response=list[OrderOut], summary="我接的任务")
def my_orders(request):
    return [presenters.order_out(o) for o in selectors.my_orders(actor=request.auth)[:200]]


@router.put("/dispatch/me/location", response=LocationOut, summary="设置我的服务地点（用于按距离推荐）")
def location_set(request, payload: LocationIn):
    loc = services.service_location_set(actor=request.auth, latitude=payload.latitude, longitude=payload.longitude,
                                        label=payload.label)
    return {"latitude": loc.latitude, "longitude": loc.longitude, "label": loc.label}


def period_bounds(start: dt.date | None, end: dt.date | None) -> tuple[dt.date, dt.date, dt.datetime, dt.datetime]:
    end = end or clock.today()
    start = start or end - dt.timedelta(days=29)
    if start > end or (end - start).days > 3660:
        raise DispatchError.PERIOD_INVALID.error(detail={"start": str(start), "end": str(end)})
    tz = timezone.get_current_timezone()
    return (start, end, dt.datetime.combine(start, dt.time(), tz),
            dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tz))


@router.get("/dispatch/figures", response=list[FiguresOut], summary="响应情况（接单用时、首次响应、30分钟内接单率）")
def figures(request, filters: Query[PeriodFilter]):
    if filters.unit_id:
        unit = scoping.get_scoped(Unit.objects.all(), request.auth, perms.VIEW, "path", pk=filters.unit_id)
    else:
        scoping.require(request.auth, perms.VIEW)
        unit = scoping.units_for(request.auth, perms.VIEW).order_by("depth", "path").first()
    _s, _e, start, end = period_bounds(filters.start, filters.end)
    return [presenters.figures_out(f) for f in selectors.response_figures(actor=request.auth, unit=unit,
                                                                          start=start, end=end)]
