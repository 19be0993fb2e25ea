"""Recognition API: thin endpoints — parse, authorise through selectors, call one service, present."""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse
from django.urls import reverse
from ninja import Field, Query, Router, Schema, Status

from gongzhi.core.errors import CommonError
from gongzhi.core.ids import MAX_ID
from gongzhi.core.pagination import paginate
from gongzhi.org.models import Unit

from . import permissions as perms
from . import presenters, selectors, services
from .errors import RecognitionError
from .models import CertificateStatus
from .pdf import render_certificate
from .schemas import (
    AwardIn,
    AwardOut,
    CandidateListIn,
    CandidateListOut,
    CandidatePreviewOut,
    CertificateOut,
    CertificateRequestIn,
    HonourListOut,
    HonourPublishIn,
    IssueIn,
    NoteIn,
    RatingIn,
    RatingOut,
    ReasonIn,
    RecognitionOut,
    RevokeStarIn,
    ThresholdsOut,
    VerifyOut,
)

router = Router(tags=["recognition"])


class Paged(Schema):
    count: int
    page: int
    page_size: int
    pages: int


class CertificatePage(Paged):
    items: list[CertificateOut]


class RatingPage(Paged):
    items: list[RatingOut]


def _paged(page, present):
    return {"items": [present(x) for x in page.items], "count": page.count, "page": page.page,
            "page_size": page.page_size, "pages": page.pages}


@router.get("/recognition/star-thresholds", response=ThresholdsOut, summary="星级时长标准（R-V8，可按辖区设置）")
def star_thresholds(request, unit_id: int | None = None):
    unit = None
    if unit_id is not None:
        unit = Unit.objects.filter(pk=unit_id).first()
        if unit is None:
            raise CommonError.NOT_FOUND.error()
    rows = selectors.star_thresholds_for(unit)
    return {"unit_id": unit_id, "source": "unit" if rows and rows[0].unit_id else "default",
            "thresholds": [{"level": r.level, "min_hours": r.min_hours} for r in rows]}


@router.get("/me/recognition", response=RecognitionOut, summary="我的星级、时长、下一星级和激励积分")
def my_recognition(request, year: int | None = None):
    return presenters.recognition(selectors.own_volunteer_or_error(request.auth), year)


@router.get("/recognition/volunteers/{int:volunteer_id}", response=RecognitionOut, summary="志愿者的星级与激励积分")
def volunteer_recognition(request, volunteer_id: int, year: int | None = None):
    return presenters.recognition(selectors.volunteer_get(actor=request.auth, pk=volunteer_id), year)


@router.post("/recognition/volunteers/{int:volunteer_id}/star-revocations", response={201: AwardOut},
             summary="撤销或降低星级（新增撤销记录）")
def star_revoke(request, volunteer_id: int, payload: RevokeStarIn):
    volunteer = selectors.volunteer_get(actor=request.auth, pk=volunteer_id)
    row = services.star_award_revoke(volunteer=volunteer, actor=request.auth, to_level=payload.to_level,
                                     reason=payload.reason)
    return Status(201, presenters.award(row))


@router.get("/recognition/star-candidates", response=CandidatePreviewOut, summary="达到新星级的候选人（公示前预览）")
def star_candidates(request, unit_id: int, period_end: dt.date | None = None):
    unit = selectors.unit_for(request.auth, perms.VIEW, unit_id)
    end = period_end or selectors.local_today()
    rows = selectors.star_candidates(unit=unit, period_end=end)
    return {"unit_id": unit.pk, "period_end": end, "items": [presenters.candidate(r) for r in rows]}


@router.get("/recognition/star-candidate-lists", response=list[CandidateListOut], summary="已公示的星级候选名单")
def candidate_lists(request):
    return [presenters.candidate_list(cl) for cl in selectors.candidate_lists(actor=request.auth)[:50]]


@router.post("/recognition/star-candidate-lists", response={201: CandidateListOut}, summary="公示星级候选名单")
def candidate_list_publish(request, payload: CandidateListIn):
    unit = selectors.unit_for(request.auth, perms.VIEW, payload.unit_id)
    published = services.star_candidates_publish(unit=unit, period_end=payload.period_end, actor=request.auth)
    return Status(201, presenters.candidate_list(selectors.candidate_list_get(actor=request.auth, pk=published.pk)))


@router.post("/recognition/star-awards", response={201: list[AwardOut]},
             summary="审批公示名单，认定星级（须由公示人以外的管理员审批）")
def star_awards_approve(request, payload: AwardIn):
    candidate_list = selectors.candidate_list_get(actor=request.auth, pk=payload.candidate_list_id)
    rows = services.star_awards_approve(candidate_list=candidate_list, actor=request.auth,
                                        volunteer_ids=payload.volunteer_ids)
    return Status(201, [presenters.award(a) for a in rows])


@router.get("/recognition/certificates", response=CertificatePage, summary="志愿服务证明（本人的，或辖区出具的）")
def certificate_list(request, status: str | None = None, page: int = 1, page_size: int = 50):
    if status and status not in CertificateStatus.values:
        raise CommonError.VALIDATION.error(detail=[{"loc": ["status"], "msg": "unknown status"}])
    qs = selectors.certificate_list(actor=request.auth, status=status)
    return _paged(paginate(qs, page=page, page_size=page_size), presenters.certificate)


@router.post("/recognition/certificates", response={201: CertificateOut}, summary="申请志愿服务证明（本人或代为申请）")
def certificate_request(request, payload: CertificateRequestIn):
    if payload.volunteer_id is None:
        volunteer = selectors.own_volunteer_or_error(request.auth)
    else:
        volunteer = selectors.volunteer_get(actor=request.auth, pk=payload.volunteer_id)
    unit = None
    if payload.unit_id is not None:
        unit = Unit.objects.filter(pk=payload.unit_id).first()
        if unit is None:
            raise CommonError.NOT_FOUND.error()
    cert = services.certificate_request(volunteer=volunteer, actor=request.auth, unit=unit,
                                        period_start=payload.period_start, period_end=payload.period_end,
                                        purpose=payload.purpose)
    return Status(201, presenters.certificate(selectors.certificate_get(actor=request.auth, pk=cert.pk)))


@router.get("/recognition/certificates/verify/{code}", response=VerifyOut, auth=None,
            summary="公开验证志愿服务证明（无需登录，只显示证明所载内容）")
def certificate_verify(request, code: str):
    return presenters.verification(selectors.certificate_by_code(code))


@router.get("/recognition/certificates/{int:certificate_id}", response=CertificateOut, summary="志愿服务证明详情")
def certificate_detail(request, certificate_id: int):
    return presenters.certificate(selectors.certificate_get(actor=request.auth, pk=certificate_id))


@router.post("/recognition/certificates/{int:certificate_id}/accept", response=CertificateOut, summary="受理")
def certificate_accept(request, certificate_id: int, payload: NoteIn):
    cert = selectors.certificate_get(actor=request.auth, pk=certificate_id)
    services.certificate_accept(certificate=cert, actor=request.auth, note=payload.note)
    return presenters.certificate(selectors.certificate_get(actor=request.auth, pk=certificate_id))


@router.post("/recognition/certificates/{int:certificate_id}/issue", response=CertificateOut, summary="开具（免费）")
def certificate_issue(request, certificate_id: int, payload: IssueIn):
    cert = selectors.certificate_get(actor=request.auth, pk=certificate_id)
    services.certificate_issue(certificate=cert, actor=request.auth, person_in_charge=payload.person_in_charge,
                               contact=payload.contact, notes=payload.notes)
    return presenters.certificate(selectors.certificate_get(actor=request.auth, pk=certificate_id))


@router.post("/recognition/certificates/{int:certificate_id}/revoke", response=CertificateOut, summary="作废")
def certificate_revoke(request, certificate_id: int, payload: ReasonIn):
    cert = selectors.certificate_get(actor=request.auth, pk=certificate_id)
    services.certificate_revoke(certificate=cert, actor=request.auth, reason=payload.reason)
    return presenters.certificate(selectors.certificate_get(actor=request.auth, pk=certificate_id))


def certificate_pdf_response(request, cert) -> HttpResponse:
    """The PDF of an issued (or revoked, marked so) certificate, drawn from its frozen contents."""
    if cert.status not in (CertificateStatus.ISSUED, CertificateStatus.REVOKED):
        raise RecognitionError.BAD_TRANSITION.error(detail={"status": cert.status})
    url = request.build_absolute_uri(reverse("recognition:verify", args=[cert.verify_code]))
    body = render_certificate(cert.snapshot, verify_url=url, revoked=cert.status == CertificateStatus.REVOKED)
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="certificate-{cert.number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@router.get("/recognition/certificates/{int:certificate_id}/pdf", summary="下载志愿服务证明 PDF",
            response={200: None}, openapi_extra={"responses": {200: {"description": "PDF", "content": {
                "application/pdf": {"schema": {"type": "string", "format": "binary"}}}}}})
def certificate_pdf(request, certificate_id: int):
    return certificate_pdf_response(request, selectors.certificate_get(actor=request.auth, pk=certificate_id))




class RatingFilter(Schema):
    """Ids beyond the database's integer range are refused at the edge (422), never bound into a query."""

    volunteer_id: int | None = Field(None, ge=1, le=MAX_ID)
    activity_id: int | None = Field(None, ge=1, le=MAX_ID)
    page: int = 1
    page_size: int = 50


@router.get("/recognition/ratings", response=RatingPage, summary="服务评价（当前有效的）")
def rating_list(request, f: Query[RatingFilter]):
    qs = selectors.rating_list(actor=request.auth, volunteer_id=f.volunteer_id, activity_id=f.activity_id)
    return _paged(paginate(qs, page=f.page, page_size=f.page_size), presenters.rating)


@router.post("/recognition/ratings", response={201: RatingOut}, summary="评价志愿者在活动中的服务（1–5分）")
def rating_record(request, payload: RatingIn):
    activity = selectors.activity_get(actor=request.auth, pk=payload.activity_id)
    volunteer = selectors.volunteer_get(actor=request.auth, pk=payload.volunteer_id)
    row = services.rating_record(activity=activity, volunteer=volunteer, score=payload.score, actor=request.auth,
                                 rater_kind=payload.rater_kind, beneficiary_label=payload.beneficiary_label,
                                 comment=payload.comment)
    return Status(201, presenters.rating(row))


class HonourFilter(Schema):
    year: int | None = None


@router.get("/recognition/honours", response=list[HonourListOut], summary="表彰名单")
def honour_lists(request, filters: Query[HonourFilter]):
    return [presenters.honour_list(hl) for hl in selectors.honour_lists(actor=request.auth, year=filters.year)[:50]]


@router.post("/recognition/honours", response={201: HonourListOut}, summary="按激励积分发布年度表彰名单")
def honours_publish(request, payload: HonourPublishIn):
    unit = selectors.unit_for(request.auth, perms.VIEW, payload.unit_id)
    hl = services.honours_publish(unit=unit, year=payload.year, title=payload.title, top=payload.top,
                                  actor=request.auth)
    return Status(201, presenters.honour_list(selectors.honour_lists(actor=request.auth).get(pk=hl.pk)))

