from __future__ import annotations

from ninja import Query, Router, Schema, Status

from gongzhi.core.errors import CommonError
from gongzhi.core.pagination import paginate
from gongzhi.org import selectors as org_selectors
from gongzhi.privacy.models import AccessChannel

from . import presenters, selectors, services
from .errors import PeopleError
from .models import ConsentPurpose, ReviewDecision, Skill, Tag, TeamRole
from .schemas import (
    CertificateIn,
    CertificateOut,
    ConsentIn,
    ConsentOut,
    MemberIn,
    MembershipOut,
    PersonIn,
    PersonListOut,
    PersonOut,
    ReasonIn,
    ReviewIn,
    SkillOut,
    TagOut,
    VolunteerApplyIn,
    VolunteerListOut,
    VolunteerOut,
    VolunteerRegisterIn,
    VolunteerUpdateIn,
)

router = Router(tags=["people"])


class Paged(Schema):
    count: int
    page: int
    page_size: int
    pages: int


class PersonPage(Paged):
    items: list[PersonListOut]


class VolunteerPage(Paged):
    items: list[VolunteerListOut]


class PersonFilter(Schema):
    q: str = ""
    unit: str | None = None
    tag: str | None = None
    volunteer: bool | None = None
    page: int = 1
    page_size: int = 50


class VolunteerFilter(Schema):
    q: str = ""
    status: str | None = None
    skill: str | None = None
    unit: str | None = None
    page: int = 1
    page_size: int = 50


def _paged(page, present):
    return {"items": [present(x) for x in page.items], "count": page.count, "page": page.page,
            "page_size": page.page_size, "pages": page.pages}


def _person_input(actor, payload: PersonIn) -> services.PersonInput:
    unit = org_selectors.unit_get(actor=actor, pk=payload.unit_id)
    return services.PersonInput(
        name=payload.name, unit=unit, id_type=payload.id_type, id_number=payload.id_number, phone=payload.phone,
        address=payload.address, household_label=payload.household, tags=payload.tags,
        guardian_name=payload.guardian_name,
    )


@router.get("/tags", response=list[TagOut], summary="人群标签")
def tag_list(request):
    return list(Tag.objects.all())


@router.get("/skills", response=list[SkillOut], summary="志愿者技能")
def skill_list(request):
    return list(Skill.objects.all())


@router.get("/people", response=PersonPage, summary="居民列表（脱敏），支持姓名、拼音、首字母、手机尾号搜索")
def person_list(request, filters: Query[PersonFilter]):
    qs = selectors.person_list(actor=request.auth, q=filters.q, unit_path=filters.unit, tag=filters.tag,
                               volunteer=filters.volunteer)
    return _paged(paginate(qs, page=filters.page, page_size=filters.page_size), presenters.person_list_item)


@router.post("/people", response={201: PersonOut}, summary="登记居民")
def person_create(request, payload: PersonIn):
    person = services.person_create(data=_person_input(request.auth, payload), actor=request.auth, source="api")
    person = selectors.person_get(actor=request.auth, pk=person.pk)
    return Status(201, presenters.person_detail(selectors.person_view(actor=request.auth, person=person)))


@router.get("/people/{int:person_id}", response=PersonOut, summary="居民详情；reveal=true 显示完整信息并记录访问日志")
def person_detail(request, person_id: int, reveal: bool = False, purpose: str = ""):
    person = selectors.person_get(actor=request.auth, pk=person_id)
    view = selectors.person_view(actor=request.auth, person=person, reveal=reveal, channel=AccessChannel.API,
                                 request=request, purpose=purpose)
    return presenters.person_detail(view)


@router.put("/people/{int:person_id}", response=PersonOut, summary="修改居民信息")
def person_update(request, person_id: int, payload: PersonIn):
    person = selectors.person_for_edit(actor=request.auth, pk=person_id)
    services.person_update(person=person, data=_person_input(request.auth, payload), actor=request.auth, source="api")
    person = selectors.person_get(actor=request.auth, pk=person_id)
    return presenters.person_detail(selectors.person_view(actor=request.auth, person=person))


@router.get("/people/{int:person_id}/consents", response=list[ConsentOut], summary="授权同意记录")
def consent_list(request, person_id: int):
    person = selectors.person_get(actor=request.auth, pk=person_id)
    return list(selectors.consent_list(person=person))


@router.post("/people/{int:person_id}/consents", response={201: ConsentOut}, summary="记录同意或撤回同意")
def consent_create(request, person_id: int, payload: ConsentIn):
    if payload.purpose not in ConsentPurpose.values:
        raise CommonError.VALIDATION.error(detail=[{"loc": ["purpose"], "msg": "unknown purpose"}])
    person = selectors.person_get(actor=request.auth, pk=person_id)
    return Status(201, services.consent_record(person=person, purpose=payload.purpose, granted=payload.granted,
                                        actor=request.auth, guardian_name=payload.guardian_name, note=payload.note))


@router.get("/volunteers", response=VolunteerPage, summary="志愿者列表")
def volunteer_list(request, filters: Query[VolunteerFilter]):
    qs = selectors.volunteer_list(actor=request.auth, q=filters.q, status=filters.status, skill=filters.skill,
                                  unit_path=filters.unit)
    return _paged(paginate(qs, page=filters.page, page_size=filters.page_size), presenters.volunteer_list_item)


@router.get("/volunteers/review-queue", response=VolunteerPage, summary="待审核的志愿者申请")
def review_queue(request, page: int = 1, page_size: int = 50):
    qs = selectors.review_queue(actor=request.auth)
    return _paged(paginate(qs, page=page, page_size=page_size), presenters.volunteer_list_item)


@router.post("/volunteers", response={201: VolunteerOut}, summary="代居民登记志愿者申请（须本人同意）")
def volunteer_register(request, payload: VolunteerRegisterIn):
    person = selectors.person_get(actor=request.auth, pk=payload.person_id)
    profile = services.volunteer_apply(
        person=person, actor=request.auth, skills=payload.skills, availability=payload.availability,
        motivation=payload.motivation, consent_confirmed=payload.consent_confirmed, guardian_name=payload.guardian_name,
    )
    return Status(201, presenters.volunteer_detail(selectors.volunteer_get(actor=request.auth, pk=profile.pk)))


@router.post("/me/volunteer", response={201: VolunteerOut}, summary="本人申请成为志愿者")
def volunteer_self_apply(request, payload: VolunteerApplyIn):
    person = selectors.own_person(request.auth)
    if person is None:
        raise PeopleError.NO_PERSON.error()
    profile = services.volunteer_apply(
        person=person, actor=request.auth, skills=payload.skills, availability=payload.availability,
        motivation=payload.motivation, guardian_name=payload.guardian_name,
    )
    return Status(201, presenters.volunteer_detail(selectors.volunteer_get(actor=request.auth, pk=profile.pk)))


@router.get("/volunteers/{int:volunteer_id}", response=VolunteerOut, summary="志愿者详情")
def volunteer_detail(request, volunteer_id: int):
    return presenters.volunteer_detail(selectors.volunteer_get(actor=request.auth, pk=volunteer_id))


@router.patch("/volunteers/{int:volunteer_id}", response=VolunteerOut, summary="修改技能和可服务时间")
def volunteer_update(request, volunteer_id: int, payload: VolunteerUpdateIn):
    profile = selectors.volunteer_get(actor=request.auth, pk=volunteer_id)
    services.volunteer_update(profile=profile, actor=request.auth, skills=payload.skills,
                              availability=payload.availability)
    return presenters.volunteer_detail(selectors.volunteer_get(actor=request.auth, pk=volunteer_id))


@router.post("/volunteers/{int:volunteer_id}/reviews", response={201: VolunteerOut}, summary="审核一轮（通过/不通过）")
def volunteer_review(request, volunteer_id: int, payload: ReviewIn):
    if payload.decision not in ReviewDecision.values:
        raise CommonError.VALIDATION.error(detail=[{"loc": ["decision"], "msg": "unknown decision"}])
    profile = selectors.volunteer_get(actor=request.auth, pk=volunteer_id)
    services.volunteer_review(profile=profile, actor=request.auth, decision=payload.decision, note=payload.note)
    return Status(201, presenters.volunteer_detail(selectors.volunteer_get(actor=request.auth, pk=volunteer_id)))


@router.post("/volunteers/{int:volunteer_id}/suspend", response=VolunteerOut, summary="暂停志愿者")
def volunteer_suspend(request, volunteer_id: int, payload: ReasonIn):
    profile = selectors.volunteer_get(actor=request.auth, pk=volunteer_id)
    services.volunteer_suspend(profile=profile, actor=request.auth, reason=payload.reason)
    return presenters.volunteer_detail(selectors.volunteer_get(actor=request.auth, pk=volunteer_id))


@router.post("/volunteers/{int:volunteer_id}/reinstate", response=VolunteerOut, summary="恢复志愿者")
def volunteer_reinstate(request, volunteer_id: int, payload: ReasonIn):
    profile = selectors.volunteer_get(actor=request.auth, pk=volunteer_id)
    services.volunteer_reinstate(profile=profile, actor=request.auth, reason=payload.reason)
    return presenters.volunteer_detail(selectors.volunteer_get(actor=request.auth, pk=volunteer_id))


@router.post("/volunteers/{int:volunteer_id}/certificates", response={201: CertificateOut}, summary="添加资格证书")
def certificate_add(request, volunteer_id: int, payload: CertificateIn):
    profile = selectors.volunteer_get(actor=request.auth, pk=volunteer_id)
    cert = services.certificate_add(profile=profile, actor=request.auth, name=payload.name, number=payload.number,
                                    skill=payload.skill, issued_on=payload.issued_on, expires_on=payload.expires_on)
    return Status(201, {"id": cert.pk, "name": cert.name, "number": cert.number,
                 "skill": cert.skill.name if cert.skill else None, "issued_on": cert.issued_on,
                 "expires_on": cert.expires_on})


@router.post("/orgs/{int:org_id}/members", response={201: MembershipOut}, summary="添加队员")
def team_member_add(request, org_id: int, payload: MemberIn):
    if payload.role not in TeamRole.values:
        raise CommonError.VALIDATION.error(detail=[{"loc": ["role"], "msg": "unknown role"}])
    team = org_selectors.organisation_get(actor=request.auth, pk=org_id)
    person = selectors.team_candidate_get(actor=request.auth, pk=payload.person_id)
    return Status(201, services.team_member_add(team=team, person=person, actor=request.auth, role=payload.role))


@router.delete("/orgs/{int:org_id}/members/{int:person_id}", response=MembershipOut, summary="队员退出")
def team_member_remove(request, org_id: int, person_id: int):
    team = org_selectors.organisation_get(actor=request.auth, pk=org_id)
    person = selectors.team_candidate_get(actor=request.auth, pk=person_id)
    return services.team_member_remove(team=team, person=person, actor=request.auth)
