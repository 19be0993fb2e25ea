"""Appeals API: intake (JSON, photo upload), scoped list and detail, one POST per transition, the reporter's own."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from gongzhi.accounts import scoping
from gongzhi.core.errors import CommonError
from gongzhi.core.pagination import paginate
from gongzhi.ops.dbrouter import reading_from_replica
from gongzhi.org.models import Organisation, Unit

from . import permissions as perms
from . import presenters, schemas, selectors, services
from .calendar import Calendar
from .errors import AppealsError
from .models import Appeal, AppealState, Category
from .schemas import AppealIn, AppealListOut, AppealOut, CategoryOut, PhotoOut, TransitionIn

router = Router(tags=["appeals"])


class AppealPage(Schema):
    items: list[AppealListOut]
    count: int
    page: int
    page_size: int
    pages: int


class AppealFilter(Schema):
    state: str | None = None
    category: str | None = None
    channel: str | None = None
    overdue: bool | None = None
    escalated_to_me: bool = False  # 升级到我所在单元的诉求
    page: int = 1
    page_size: int = 50


def _paged(qs, page: int, page_size: int) -> dict:
    p = paginate(qs, page=page, page_size=page_size)
    calendar = Calendar()
    return {"items": [presenters.list_item(a, calendar=calendar) for a in p.items], "count": p.count,
            "page": p.page, "page_size": p.page_size, "pages": p.pages}


def _tree(nodes, parent=None) -> list[dict]:
    return [{"code": c.code, "name": c.name, "kind": c.kind, "children": _tree(nodes, c.pk)}
            for c in nodes if c.parent_id == parent]


def category_tree() -> list[dict]:
    return _tree(list(Category.objects.all()))


@router.get("/appeals/categories", response=list[CategoryOut], summary="诉求类别（部件/事件/民生服务）")
def category_list(request):
    return category_tree()


# --- possible duplicates on intake, the public map and figures (issue 5 item 7) -----------------------------------

def check_point(latitude, longitude) -> None:
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise CommonError.VALIDATION.error(detail=[{"loc": ["latitude", "longitude"], "msg": "out of range"}])


def leaf_category(code: str) -> Category:
    category = Category.objects.filter(code=code, parent__isnull=False).first()
    if category is None:
        raise AppealsError.CATEGORY_UNKNOWN.error(detail={"category": code})
    return category


@router.get("/appeals/duplicates", response=list[schemas.DuplicateOut],
            summary="附近已有的相同诉求（同类别、约50米内、近几日未办结；不含个人信息）")
def duplicate_list(request, category: str, latitude: Decimal, longitude: Decimal, exclude: int | None = None):
    check_point(latitude, longitude)
    found = selectors.duplicate_candidates(category=leaf_category(category), latitude=latitude,
                                           longitude=longitude, exclude=exclude)
    return [presenters.duplicate_item(c) for c in found]


class PublicFilter(Schema):
    unit: str | None = None  # a street's or community's code
    category: str | None = None
    state: str | None = None
    status: str | None = None  # open / closed
    page: int = 1
    page_size: int = 50


def public_unit(code: str | None) -> Unit | None:
    if not code:
        return None
    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        raise CommonError.NOT_FOUND.error(detail={"unit": code})
    return unit


def public_filters(f) -> dict:
    if f.state and f.state not in AppealState.values:
        raise CommonError.VALIDATION.error(detail=[{"loc": ["state"], "msg": f"unknown state {f.state}"}])
    if f.status and f.status not in selectors.PUBLIC_STATUSES:
        raise CommonError.VALIDATION.error(detail=[{"loc": ["status"], "msg": "open or closed"}])
    return {"unit": public_unit(f.unit), "category": f.category or None, "state": f.state or None,
            "status": f.status or None}


@router.get("/public/appeals", response=schemas.PublicAppealPage, auth=None,
            summary="公开的诉求地图与列表（无需登录；不含任何个人信息，位置约100米精度）")
@reading_from_replica()
def public_appeal_list(request, filters: Query[PublicFilter]):
    p = paginate(selectors.public_appeals(**public_filters(filters)), page=filters.page, page_size=filters.page_size)
    units = presenters.public_units()
    return {"items": [presenters.public_item(a, units=units) for a in p.items], "count": p.count, "page": p.page,
            "page_size": p.page_size, "pages": p.pages}


@router.get("/public/appeals/figures", response=schemas.PublicFiguresOut, auth=None,
            summary="公开的分级诉求指标：总量、办结率、满意率、办理时长中位数、超期数（区→街道→社区）")
@reading_from_replica()
def public_appeal_figures(request, unit: str | None = None, period: str = "month", day: dt.date | None = None):
    from . import figures

    if period not in figures.PERIODS:
        raise CommonError.VALIDATION.error(detail=[{"loc": ["period"], "msg": "month, quarter or year"}])
    return figures.tier_figures(unit=public_unit(unit), period=period, day=day)


# --- configuration: holidays and time limits (R-H8, R-U3), for users with appeals.supervise ------------------------

@router.get("/appeals/holidays", response=list[schemas.HolidayOut], summary="节假日与调休日历（督办人员）")
def holiday_list(request, year: int | None = Query(None, ge=1900, le=2100)):  # noqa: B008 - ninja's declaration
    return [presenters.holiday_item(h) for h in selectors.holiday_list(actor=request.auth, year=year)]


@router.post("/appeals/holidays", response={201: schemas.HolidayOut}, summary="新增节假日或调休上班日（督办人员）")
def holiday_create(request, payload: schemas.HolidayIn):
    h = services.holiday_create(actor=request.auth, date=payload.date, name=payload.name, workday=payload.workday)
    return Status(201, presenters.holiday_item(h))


@router.get("/appeals/limits", response=list[schemas.TimeLimitOut],
            summary="办理时限配置（全部版本；in_force 为现行版本）")
def time_limit_list(request):
    return [presenters.time_limit_item(t) for t in selectors.time_limit_list(actor=request.auth)]


@router.post("/appeals/limits", response={201: schemas.TimeLimitOut},
             summary="新增办理时限版本（按紧急程度，可限定类别；最具体的现行版本优先）")
def time_limit_create(request, payload: schemas.TimeLimitIn):
    t = services.time_limit_create(
        actor=request.auth, category_code=payload.category, urgency=payload.urgency,
        accept_working_hours=payload.accept_working_hours, dispatch_working_hours=payload.dispatch_working_hours,
        reply_working_days=payload.reply_working_days, effective_from=payload.effective_from, note=payload.note)
    return Status(201, presenters.time_limit_item(t))


@router.post("/appeals", response={201: AppealOut}, summary="提交诉求（任何登录用户，随手拍等各渠道）")
def appeal_submit(request, payload: AppealIn):
    unit = Unit.objects.filter(pk=payload.unit_id).first() if payload.unit_id else None
    if payload.unit_id and unit is None:
        raise AppealsError.UNIT_MISSING.error(detail={"unit_id": payload.unit_id})
    appeal = services.appeal_submit(data=services.AppealInput(
        channel=payload.channel, category_code=payload.category, description=payload.description, unit=unit,
        address=payload.address, latitude=payload.latitude, longitude=payload.longitude,
        reporter_name=payload.reporter_name, reporter_phone=payload.reporter_phone, anonymous=payload.anonymous,
        urgency=payload.urgency), actor=request.auth)
    return Status(201, presenters.detail(appeal, actor=request.auth))


@router.get("/appeals", response=AppealPage, summary="辖区诉求（可按状态、类别、渠道、超期筛选）")
def appeal_list(request, filters: Query[AppealFilter]):
    qs = selectors.appeal_list(actor=request.auth, state=filters.state, category=filters.category,
                               channel=filters.channel, overdue=filters.overdue,
                               escalated_to_me=filters.escalated_to_me)
    return _paged(qs, filters.page, filters.page_size)


@router.get("/appeals/{int:appeal_id}", response=AppealOut, summary="诉求详情；reveal=true 显示诉求人信息并记录访问")
def appeal_detail(request, appeal_id: int, reveal: bool = False):
    appeal = selectors.appeal_get(actor=request.auth, pk=appeal_id)
    return presenters.detail(appeal, actor=request.auth, reveal=reveal, request=request)


def _appeal_for_photo(actor, appeal_id: int) -> Appeal:
    mine = selectors.my_appeals(actor=actor).filter(pk=appeal_id).first()
    return mine or selectors.appeal_get(actor=actor, pk=appeal_id)


@router.post("/appeals/{int:appeal_id}/photos", response={201: PhotoOut}, summary="上传照片（处置前/处置后）")
def photo_upload(request, appeal_id: int, file: File[UploadedFile], stage: Form[str] = "before"):
    appeal = _appeal_for_photo(request.auth, appeal_id)
    p = services.appeal_photo_add(appeal=appeal, actor=request.auth, upload=file, stage=stage)
    return Status(201, {"id": p.pk, "stage": p.stage, "url": p.file.url, "width": p.width, "height": p.height,
                        "gps_latitude": p.gps_latitude, "gps_longitude": p.gps_longitude})


def _run(actor, appeal: Appeal, action: str, payload: TransitionIn) -> Appeal:
    note = payload.note
    if action == "dispatch":
        unit = Unit.objects.filter(pk=payload.unit_id).first() if payload.unit_id else None
        team = Organisation.objects.filter(pk=payload.team_id).first() if payload.team_id else None
        user = get_user_model().objects.filter(pk=payload.user_id).first() if payload.user_id else None
        for target in (unit, team):
            if target is not None:
                t_unit = target if isinstance(target, Unit) else target.unit
                if not scoping.can(actor, perms.VIEW, t_unit):
                    raise AppealsError.DISPATCH_TARGET.error(detail={"outside": str(target)})
        return services.appeal_dispatch(appeal=appeal, actor=actor, unit=unit, team=team, user=user, note=note)
    if action == "rate":
        if payload.rating is None:
            raise AppealsError.RATING_INVALID.error()
        return services.appeal_rate(appeal=appeal, actor=actor, rating=payload.rating, note=note)
    if action == "visit":
        if payload.satisfied is None:
            raise CommonError.VALIDATION.error(detail=[{"loc": ["satisfied"], "msg": "required"}])
        return services.appeal_visit(appeal=appeal, actor=actor, satisfied=payload.satisfied, note=note)
    if action == "reject":
        return services.appeal_reject(appeal=appeal, actor=actor, reason=payload.reason, note=note)
    if action == "extend":  # R-H4
        return services.appeal_extend(appeal=appeal, actor=actor, days=payload.days or 0,
                                      reason=payload.reason or note)
    if action == "return":  # R-H4 退回
        return services.appeal_return(appeal=appeal, actor=actor, reason=payload.reason or note)
    if action == "escalate":
        return services.appeal_escalate(appeal=appeal, actor=actor, reason=payload.reason or note)
    if action == "merge":
        into = Appeal.objects.select_related("unit").filter(pk=payload.into_id).first() if payload.into_id else None
        if into is None:
            raise AppealsError.MERGE_TARGET.error(detail={"into": payload.into_id})
        return services.appeal_merge(appeal=appeal, actor=actor, into=into, note=note)
    return SIMPLE[action](appeal=appeal, actor=actor, note=note)


SIMPLE = {"accept": services.appeal_accept, "take": services.appeal_take, "start": services.appeal_start, "resolve": services.appeal_resolve,
          "inform": services.appeal_inform, "close": services.appeal_close, "reopen": services.appeal_reopen}
ACTIONS = {*SIMPLE, "dispatch", "rate", "visit", "reject", "merge", "extend", "return", "escalate"}


def transition(actor, appeal_id: int, action: str, payload: TransitionIn) -> Appeal:
    if action not in ACTIONS:
        raise CommonError.NOT_FOUND.error()
    if action == "take":  # 接单 by a volunteer outside the workers' scope: the service checks who may take it
        appeal = Appeal.objects.filter(pk=appeal_id).first()
        if appeal is None:
            raise CommonError.NOT_FOUND.error()
        return _run(actor, appeal, action, payload)
    if action == "return":  # R-H4: the receiving unit may sit outside the appeal's own subtree
        appeal = Appeal.objects.select_related("unit", "category", "owner").filter(pk=appeal_id).first()
        if appeal is not None and selectors.appeal_may_return(appeal=appeal, actor=actor):
            return _run(actor, appeal, action, payload)
    mine = selectors.my_appeals(actor=actor).filter(pk=appeal_id).first() if action == "rate" else None
    appeal = mine or selectors.appeal_get(actor=actor, pk=appeal_id)
    return _run(actor, appeal, action, payload)


@router.post("/appeals/{int:appeal_id}/{action}", response=AppealOut,
             summary="流转：accept 受理 / dispatch 派单 / take 接单 / start / resolve 处置 / inform 答复 / rate 评价 / visit 回访 / "
                     "close 办结 / reopen 重办 / reject 不予受理 / merge 合并 / extend 延期（days, reason）/ "
                     "return 退回（reason）/ escalate 升级（reason）")
def appeal_transition(request, appeal_id: int, action: str, payload: TransitionIn):
    appeal = transition(request.auth, appeal_id, action, payload)
    appeal = Appeal.objects.select_related("unit", "category", "owner", "merged_into").get(pk=appeal.pk)
    return presenters.detail(appeal, actor=request.auth)


@router.get("/me/appeals", response=AppealPage, summary="我提交的诉求")
def my_appeal_list(request, page: int = 1, page_size: int = 50):
    return _paged(selectors.my_appeals(actor=request.auth), page, page_size)
