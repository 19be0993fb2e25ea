"""The activities API: thin endpoints over ``activities.selectors`` / ``activities.services``."""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse
from ninja import Query, Router, Schema, Status

from gongzhi.core.errors import CommonError
from gongzhi.core.pagination import paginate
from gongzhi.org import selectors as org_selectors
from gongzhi.org.models import Organisation
from gongzhi.people.models import Skill

from . import presenters, selectors, services
from .errors import ActivitiesError
from .exporting import roster_xlsx
from .models import Activity, Category
from .schemas import (
    ActivityIn,
    ActivityListOut,
    ActivityOut,
    ActivityPatch,
    BeneficiariesOut,
    BeneficiaryIn,
    BeneficiaryOut,
    CategoryOut,
    MySignupOut,
    PolicyIn,
    PolicyOut,
    ProjectIn,
    ProjectOut,
    ReasonIn,
    SignupIn,
    SignupOut,
)

router = Router(tags=["activities"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# the 200 is a file, not JSON: declared so the document (and clients generated from it) say so
XLSX_DOC = {"responses": {200: {"description": "xlsx", "content": {XLSX: {"schema": {"type": "string",
                                                                                     "format": "binary"}}}}}}


class ActivityPage(Schema):
    count: int
    page: int
    page_size: int
    pages: int
    items: list[ActivityListOut]


class ActivityFilter(Schema):
    status: str | None = None
    category: str | None = None
    unit: str | None = None
    q: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    page: int = 1
    page_size: int = 50


def _category(code: str) -> Category:
    category = Category.objects.filter(code=code, active=True).first()
    if category is None:
        raise ActivitiesError.CATEGORY_UNKNOWN.error(detail={"field": "category"})
    return category


def _organiser(actor, pk: int | None) -> Organisation | None:
    return None if pk is None else org_selectors.organisation_get(actor=actor, pk=pk)


def _skills(codes: list[str]) -> list[Skill]:
    from gongzhi.people.services import skills_by_code

    return skills_by_code(codes)


def _detail(actor, activity: Activity) -> dict:
    activity = selectors.activity_get_for(actor, activity.pk)
    return presenters.activity_detail(activity, can_manage=selectors.can_manage(actor, activity),
                                      my_signup=selectors.my_signup_for(actor=actor, activity=activity))


@router.get("/activities/categories", response=list[CategoryOut], summary="活动类别")
def category_list(request):
    return list(selectors.categories())


@router.get("/activities/projects", response=list[ProjectOut], summary="志愿服务项目")
def project_list(request):
    return [presenters.project_item(p) for p in selectors.project_list(actor=request.auth)]


@router.post("/activities/projects", response={201: ProjectOut}, summary="创建项目")
def project_create(request, payload: ProjectIn):
    actor = request.auth
    unit = org_selectors.unit_get(actor=actor, pk=payload.unit_id)
    project = services.project_create(name=payload.name, unit=unit, category=_category(payload.category),
                                      organiser=_organiser(actor, payload.organiser_id),
                                      description=payload.description, starts_on=payload.starts_on,
                                      ends_on=payload.ends_on, actor=actor)
    return Status(201, presenters.project_item(project))


@router.get("/activities", response=ActivityPage, summary="活动列表（工作人员：辖区全部；志愿者：对本人开放的活动）")
def activity_list(request, filters: Query[ActivityFilter]):
    qs = selectors.activity_list(actor=request.auth, status=filters.status, category=filters.category,
                                 unit_path=filters.unit, q=filters.q.strip()[:50], date_from=filters.date_from,
                                 date_to=filters.date_to)
    page = paginate(qs, page=filters.page, page_size=filters.page_size)
    return {"items": [presenters.activity_list_item(a) for a in page.items], "count": page.count, "page": page.page,
            "page_size": page.page_size, "pages": page.pages}


@router.post("/activities", response={201: ActivityOut}, summary="创建活动（草稿）")
def activity_create(request, payload: ActivityIn):
    actor = request.auth
    unit = org_selectors.unit_get(actor=actor, pk=payload.unit_id)
    project = selectors.project_get_for(actor, payload.project_id) if payload.project_id else None
    data = services.ActivityInput(
        title=payload.title, category=_category(payload.category), unit=unit, starts_at=payload.starts_at,
        ends_at=payload.ends_at, capacity=payload.capacity, project=project,
        organiser=_organiser(actor, payload.organiser_id), description=payload.description, address=payload.address,
        latitude=payload.latitude, longitude=payload.longitude, checkin_radius_m=payload.checkin_radius_m,
        requires_approval=payload.requires_approval, audience=payload.audience, min_age=payload.min_age,
        skills=_skills(payload.skills),
    )
    activity = services.activity_create(data=data, actor=actor)
    return Status(201, _detail(actor, activity))


@router.get("/activities/{int:activity_id}", response=ActivityOut, summary="活动详情")
def activity_detail(request, activity_id: int):
    return _detail(request.auth, selectors.activity_get_for(request.auth, activity_id))


@router.patch("/activities/{int:activity_id}", response=ActivityOut, summary="修改活动")
def activity_update(request, activity_id: int, payload: ActivityPatch):
    actor = request.auth
    activity = selectors.activity_for_organiser(actor, activity_id)
    changes = payload.dict(exclude_unset=True)
    if "category" in changes:
        changes["category"] = _category(changes["category"])
    for name in ("title", "description", "address", "requires_approval", "audience", "min_age", "capacity",
                 "starts_at", "ends_at"):
        if name in changes and changes[name] is None:
            raise CommonError.VALIDATION.error(detail=[{"loc": ["body", name], "msg": "may not be null"}])
    data = services.ActivityInput.from_activity(activity).with_changes(**changes)
    services.activity_update(activity=activity, data=data, actor=actor)
    return _detail(actor, activity)


def _transition(request, activity_id: int, service, **kwargs):
    activity = selectors.activity_get_for(request.auth, activity_id)
    service(activity=activity, actor=request.auth, **kwargs)
    return _detail(request.auth, activity)


@router.post("/activities/{int:activity_id}/publish", response=ActivityOut, summary="发布活动（R-V10 有风险的须先投保）")
def activity_publish(request, activity_id: int):
    return _transition(request, activity_id, services.activity_publish)


@router.post("/activities/{int:activity_id}/start", response=ActivityOut, summary="活动开始")
def activity_start(request, activity_id: int):
    return _transition(request, activity_id, services.activity_start)


@router.post("/activities/{int:activity_id}/finish", response=ActivityOut, summary="活动结束")
def activity_finish(request, activity_id: int):
    return _transition(request, activity_id, services.activity_finish)


@router.post("/activities/{int:activity_id}/cancel", response=ActivityOut, summary="取消活动（须填写原因，通知报名者）")
def activity_cancel(request, activity_id: int, payload: ReasonIn):
    return _transition(request, activity_id, services.activity_cancel, reason=payload.reason)


# --- sign-ups ------------------------------------------------------------------------------------------------


SIGNUP_CREATE_DOC = (
    "本人报名：名额未满即录用，须审核的待审核，满员进入候补。\n\n"
    "带 `idempotency_key` 的请求可以安全重试：同一志愿者用同一编号再次提交同一活动，返回首次的报名"
    "（同样是 201，`id` 相同，`status` 为当前状态，不新建报名、不新增记录），与积分奖励、积分兑换的重试一致；"
    "同一编号已用于另一活动时返回 409 `activities.idempotency_conflict`（`detail.field` 为 `idempotency_key`）。"
    "不带编号时，已有有效报名再次提交返回 409 `activities.already_signed_up`。")


@router.post("/activities/{int:activity_id}/signups", response={201: MySignupOut}, summary="本人报名（可带请求编号重试）",
             description=SIGNUP_CREATE_DOC)
def signup_create(request, activity_id: int, payload: SignupIn):
    actor = request.auth
    activity = selectors.activity_get_for(actor, activity_id)
    volunteer = services.require_volunteer(actor)
    signup = services.signup_create(activity=activity, volunteer=volunteer, actor=actor,
                                    guardian_name=payload.guardian_name, guardian_present=payload.guardian_present,
                                    note=payload.note, idempotency_key=payload.idempotency_key)
    signup.activity = activity
    return Status(201, presenters.my_signup_item(signup))  # a replay answers as the first request was answered


@router.get("/activities/{int:activity_id}/signups", response=list[SignupOut], summary="活动报名名单（手机号脱敏）")
def signup_list(request, activity_id: int):
    activity = selectors.activity_get_for(request.auth, activity_id)
    return presenters.signup_items(selectors.signup_list(actor=request.auth, activity=activity))


def _signup_action(request, signup_id: int, service, **kwargs) -> dict:
    signup = selectors.signup_get_for(request.auth, signup_id)
    signup = service(signup=signup, actor=request.auth, **kwargs)
    signup.refresh_from_db()
    return presenters.my_signup_item(signup)


@router.post("/activities/signups/{int:signup_id}/approve", response=MySignupOut, summary="审核通过报名")
def signup_approve(request, signup_id: int):
    return _signup_action(request, signup_id, services.signup_approve)


@router.post("/activities/signups/{int:signup_id}/reject", response=MySignupOut, summary="不录用")
def signup_reject(request, signup_id: int, payload: ReasonIn):
    return _signup_action(request, signup_id, services.signup_reject, reason=payload.reason)


@router.post("/activities/signups/{int:signup_id}/cancel", response=MySignupOut, summary="取消报名（候补自动递补）")
def signup_cancel(request, signup_id: int, payload: ReasonIn):
    return _signup_action(request, signup_id, services.signup_cancel, reason=payload.reason)


@router.get("/me/signups", response=list[MySignupOut], summary="我的报名")
def my_signups(request):
    return [presenters.my_signup_item(s) for s in selectors.my_signups(actor=request.auth)]


# --- beneficiaries -------------------------------------------------------------------------------------------


def _beneficiaries(activity: Activity) -> dict:
    current = list(selectors.beneficiaries_current(activity))
    return {"total": sum(b.count for b in current), "current": [presenters.beneficiary_item(b) for b in current],
            "history": [presenters.beneficiary_item(b) for b in selectors.beneficiaries_history(activity)]}


@router.get("/activities/{int:activity_id}/beneficiaries", response=BeneficiariesOut, summary="惠及人次")
def beneficiaries_get(request, activity_id: int):
    return _beneficiaries(selectors.activity_get_for(request.auth, activity_id))


@router.post("/activities/{int:activity_id}/beneficiaries", response={201: BeneficiaryOut},
             summary="登记惠及人次（追加，取代该类别的当前数字）")
def beneficiaries_record(request, activity_id: int, payload: BeneficiaryIn):
    activity = selectors.activity_get_for(request.auth, activity_id)
    row = services.beneficiaries_record(activity=activity, group=payload.group, count=payload.count,
                                        actor=request.auth, note=payload.note)
    return Status(201, presenters.beneficiary_item(row))


# --- insurance -----------------------------------------------------------------------------------------------


@router.get("/activities/insurance-policies", response=list[PolicyOut], summary="意外险保单（R-V10）")
def policy_list(request):
    return [presenters.policy_item(p) for p in selectors.policy_list(actor=request.auth)]


@router.post("/activities/insurance-policies", response={201: PolicyOut}, summary="登记意外险保单")
def policy_create(request, payload: PolicyIn):
    actor = request.auth
    unit = org_selectors.unit_get(actor=actor, pk=payload.unit_id)
    activities = [selectors.activity_get_for(actor, pk) for pk in dict.fromkeys(payload.activity_ids)]
    policy = services.insurance_policy_create(unit=unit, insurer=payload.insurer, policy_number=payload.policy_number,
                                              starts_on=payload.starts_on, ends_on=payload.ends_on, actor=actor,
                                              activities=activities, note=payload.note)
    return Status(201, presenters.policy_item(policy))


@router.get("/activities/insurance-policies/{int:policy_id}/roster.xlsx", summary="参保名单 xlsx（证件号脱敏）",
            openapi_extra=XLSX_DOC)
def policy_roster(request, policy_id: int):
    policy = selectors.policy_get_for(request.auth, policy_id)
    body = roster_xlsx(selectors.insurance_roster(actor=request.auth, policy=policy))
    response = HttpResponse(body, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="roster-{policy.pk}.xlsx"'
    return response
