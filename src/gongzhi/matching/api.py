"""Three lists API: needs, resources and projects (list with filters, detail, create, actions), the kinds × lists
summary, suggestions for a need, and matches (propose, then agree / serve / withdraw)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from ninja import Query, Router, Schema, Status

from gongzhi.accounts import scoping
from gongzhi.core.errors import CommonError
from gongzhi.core.pagination import paginate
from gongzhi.org.models import Organisation

from . import permissions as perms
from . import presenters, selectors, services
from .errors import MatchingError
from .models import Match, Project, Resource, ServiceKind
from .schemas import (
    MAX_ID,
    KindOut,
    KindRowOut,
    MatchIn,
    MatchOut,
    NeedFromAppealIn,
    NeedIn,
    NeedListOut,
    NeedOut,
    NoteIn,
    ProjectDetailOut,
    ProjectIn,
    ProjectOut,
    ResourceIn,
    ResourceOut,
    SuggestionsOut,
)

router = Router(tags=["matching"])


def _page(items, p) -> dict:
    return {"items": items, "count": p.count, "page": p.page, "page_size": p.page_size, "pages": p.pages}


class NeedPage(Schema):
    items: list[NeedListOut]
    count: int
    page: int
    page_size: int
    pages: int


class ResourcePage(Schema):
    items: list[ResourceOut]
    count: int
    page: int
    page_size: int
    pages: int


class ProjectPage(Schema):
    items: list[ProjectOut]
    count: int
    page: int
    page_size: int
    pages: int


class Paging(Schema):
    kind: str | None = None
    unit_id: int | None = None
    page: int = 1
    page_size: int = 50


class NeedFilter(Paging):
    status: str | None = None
    source: str | None = None


class ResourceFilter(Paging):
    type: str | None = None
    active: bool | None = True


class ProjectFilter(Paging):
    status: str | None = None
    funding: str | None = None


def unit_for_create(actor, unit_id: int):
    """The unit a new row goes to: 403 without the view right anywhere, 404 outside the actor's units."""
    scoping.require(actor, perms.VIEW)
    unit = selectors.unit_visible(actor, unit_id)
    if unit is None:
        raise CommonError.NOT_FOUND.error()
    return unit


def _by_id(model, pk: int | None, error: MatchingError, field: str):
    if pk is None:
        return None
    qs = model.objects.select_related("unit") if any(f.name == "unit" for f in model._meta.fields) else model.objects
    obj = qs.filter(pk=pk).first() if 0 < pk <= MAX_ID else None
    if obj is None:
        raise error.error(detail={"field": field})
    return obj


# --- kinds and the summary ------------------------------------------------------------------------------------


@router.get("/matching/kinds", response=list[KindOut], summary="服务类别（需求、资源、项目共用）")
def kind_list(request):
    return [{"code": k.code, "name": k.name} for k in ServiceKind.objects.all()]


@router.get("/matching/summary", response=list[KindRowOut], summary="三张清单：各服务类别的需求、资源、项目数量和缺口")
def summary(request, unit_id: int | None = None):
    rows = selectors.summary(actor=request.auth, unit_id=unit_id)
    return [{"kind": {"code": r.kind.code, "name": r.kind.name}, "needs": r.needs, "open_needs": r.open_needs,
             "resources": r.resources, "projects": r.projects, "gap": r.gap} for r in rows]


# --- needs ----------------------------------------------------------------------------------------------------


@router.get("/matching/needs", response=NeedPage, summary="需求清单（可按服务类别、状态、来源、单元筛选）")
def need_list(request, filters: Query[NeedFilter]):
    qs = selectors.need_list(actor=request.auth, kind=filters.kind, status=filters.status, source=filters.source,
                             unit_id=filters.unit_id)
    p = paginate(qs, page=filters.page, page_size=filters.page_size)
    return _page([presenters.need_item(n) for n in p.items], p)


@router.post("/matching/needs", response={201: NeedOut}, summary="登记需求（走访、问卷调查或登记）")
def need_create(request, payload: NeedIn):
    unit = unit_for_create(request.auth, payload.unit_id)
    need = services.need_create(data=services.NeedInput(
        unit=unit, kind_code=payload.kind, title=payload.title, description=payload.description,
        source=payload.source, beneficiaries=payload.beneficiaries, latitude=payload.latitude,
        longitude=payload.longitude), actor=request.auth)
    return Status(201, presenters.need_detail(selectors.need_get(actor=request.auth, pk=need.pk), actor=request.auth))


@router.post("/matching/needs/from-appeal", response={201: NeedOut}, summary="把群众诉求列入需求清单")
def need_from_appeal(request, payload: NeedFromAppealIn):
    from gongzhi.appeals import selectors as appeal_selectors

    appeal = appeal_selectors.appeal_get(actor=request.auth, pk=payload.appeal_id)
    need = services.need_from_appeal(appeal=appeal, actor=request.auth, kind_code=payload.kind, title=payload.title,
                                     beneficiaries=payload.beneficiaries)
    return Status(201, presenters.need_detail(selectors.need_get(actor=request.auth, pk=need.pk), actor=request.auth))


@router.get("/matching/needs/{int:need_id}", response=NeedOut, summary="需求详情（状态记录、对接记录）")
def need_detail(request, need_id: int):
    return presenters.need_detail(selectors.need_get(actor=request.auth, pk=need_id), actor=request.auth)


@router.get("/matching/needs/{int:need_id}/suggestions", response=SuggestionsOut,
            summary="对接建议：同类资源（由近及远，附距离和理由）与覆盖该类服务的实施中项目")
def need_suggestions(request, need_id: int):
    need = selectors.need_get(actor=request.auth, pk=need_id)
    s = selectors.need_suggestions(actor=request.auth, need=need)
    return {"need_id": need.pk, "resources": [presenters.suggestion_item(x) for x in s["resources"]],
            "projects": [presenters.suggestion_item(x) for x in s["projects"]]}


@router.post("/matching/needs/{int:need_id}/close", response=NeedOut, summary="关闭需求（撤回其进行中的对接）")
def need_close(request, need_id: int, payload: NoteIn):
    need = services.need_close(need=selectors.need_get(actor=request.auth, pk=need_id), actor=request.auth,
                               note=payload.note)
    return presenters.need_detail(selectors.need_get(actor=request.auth, pk=need.pk), actor=request.auth)


# --- resources ------------------------------------------------------------------------------------------------


@router.get("/matching/resources", response=ResourcePage, summary="资源清单（可按服务类别、资源类型、单元筛选）")
def resource_list(request, filters: Query[ResourceFilter]):
    qs = selectors.resource_list(actor=request.auth, kind=filters.kind, resource_kind=filters.type,
                                 active=filters.active, unit_id=filters.unit_id)
    p = paginate(qs, page=filters.page, page_size=filters.page_size)
    return _page([presenters.resource_item(r) for r in p.items], p)


@router.post("/matching/resources", response={201: ResourceOut}, summary="登记资源（超市、社会组织、卫生室等）")
def resource_create(request, payload: ResourceIn):
    from gongzhi.supermarket.models import Merchant

    unit = unit_for_create(request.auth, payload.unit_id)
    resource = services.resource_create(data=services.ResourceInput(
        unit=unit, name=payload.name, kind=payload.kind, offer_codes=payload.offers, offer=payload.offer,
        capacity=payload.capacity, address=payload.address, latitude=payload.latitude, longitude=payload.longitude,
        contact_name=payload.contact_name, contact_phone=payload.contact_phone,
        organisation=_by_id(Organisation, payload.organisation_id, MatchingError.ORGANISATION_INVALID, "organisation"),
        merchant=_by_id(Merchant, payload.merchant_id, MatchingError.MERCHANT_INVALID, "merchant"),
    ), actor=request.auth)
    return Status(201, presenters.resource_item(selectors.resource_get(actor=request.auth, pk=resource.pk)))


@router.get("/matching/resources/{int:resource_id}", response=ResourceOut, summary="资源详情")
def resource_detail(request, resource_id: int):
    return presenters.resource_item(selectors.resource_get(actor=request.auth, pk=resource_id))


class WithdrawIn(Schema):
    reason: str = ""


@router.post("/matching/resources/{int:resource_id}/withdraw", response=ResourceOut,
             summary="资源退出清单（保留记录，撤回其进行中的对接）")
def resource_withdraw(request, resource_id: int, payload: WithdrawIn):
    resource = services.resource_withdraw(resource=selectors.resource_get(actor=request.auth, pk=resource_id),
                                          actor=request.auth, reason=payload.reason)
    return presenters.resource_item(selectors.resource_get(actor=request.auth, pk=resource.pk))


# --- projects -------------------------------------------------------------------------------------------------


@router.get("/matching/projects", response=ProjectPage, summary="项目清单（可按服务类别、状态、资金类型、单元筛选）")
def project_list(request, filters: Query[ProjectFilter]):
    qs = selectors.project_list(actor=request.auth, kind=filters.kind, status=filters.status,
                                funding=filters.funding, unit_id=filters.unit_id)
    p = paginate(qs, page=filters.page, page_size=filters.page_size)
    return _page([presenters.project_item(x, actor=request.auth) for x in p.items], p)


@router.post("/matching/projects", response={201: ProjectDetailOut}, summary="登记服务项目（预算、出资方、派单社工）")
def project_create(request, payload: ProjectIn):
    unit = unit_for_create(request.auth, payload.unit_id)
    project = services.project_create(data=services.ProjectInput(
        unit=unit, name=payload.name, kind_codes=payload.kinds, funder=payload.funder, funding=payload.funding,
        budget=payload.budget, starts_on=payload.starts_on, ends_on=payload.ends_on, description=payload.description,
        organisation=_by_id(Organisation, payload.organisation_id, MatchingError.ORGANISATION_INVALID, "organisation"),
        social_worker=_by_id(get_user_model(), payload.social_worker_id, MatchingError.SOCIAL_WORKER_INVALID,
                             "social_worker") if payload.social_worker_id else None,
    ), actor=request.auth)
    return Status(201, presenters.project_detail(selectors.project_get(actor=request.auth, pk=project.pk),
                                                 actor=request.auth))


@router.get("/matching/projects/{int:project_id}", response=ProjectDetailOut, summary="项目详情（对接的需求）")
def project_detail(request, project_id: int):
    return presenters.project_detail(selectors.project_get(actor=request.auth, pk=project_id), actor=request.auth)


@router.post("/matching/projects/{int:project_id}/{action}", response=ProjectDetailOut,
             summary="项目状态：start 开始实施 / finish 结项")
def project_status_change(request, project_id: int, action: str, payload: NoteIn):
    project = selectors.project_get(actor=request.auth, pk=project_id)
    project = services.project_status_change(project=project, action=action, actor=request.auth, note=payload.note)
    return presenters.project_detail(selectors.project_get(actor=request.auth, pk=project.pk), actor=request.auth)


# --- matches --------------------------------------------------------------------------------------------------


@router.post("/matching/matches", response={201: MatchOut}, summary="提议对接：需求 ↔ 资源和/或服务项目")
def match_propose(request, payload: MatchIn):
    need = selectors.need_get(actor=request.auth, pk=payload.need_id)
    resource = _by_id(Resource, payload.resource_id, MatchingError.PARTNER_REQUIRED, "resource")
    project = _by_id(Project, payload.project_id, MatchingError.PARTNER_REQUIRED, "project")
    match = services.match_propose(need=need, resource=resource, project=project, actor=request.auth,
                                   note=payload.note)
    return Status(201, presenters.match_item(selectors.match_get(actor=request.auth, pk=match.pk), actor=request.auth))


MATCH_ACTIONS = {"agree": services.match_agree, "serve": services.match_serve, "withdraw": services.match_withdraw}


def match_action(actor, match_id: int, action: str, note: str = "") -> Match:
    if action not in MATCH_ACTIONS:
        raise CommonError.NOT_FOUND.error()
    match = selectors.match_get(actor=actor, pk=match_id)
    return MATCH_ACTIONS[action](match=match, actor=actor, note=note)


@router.post("/matching/matches/{int:match_id}/{action}", response=MatchOut,
             summary="对接流转：agree 确认 / serve 服务完成 / withdraw 撤回")
def match_transition(request, match_id: int, action: str, payload: NoteIn):
    match = match_action(request.auth, match_id, action, payload.note)
    return presenters.match_item(selectors.match_get(actor=request.auth, pk=match.pk), actor=request.auth)
