"""The hours API: thin endpoints over ``hours.selectors`` / ``hours.services`` (R-V4–R-V6)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from ninja import Query, Router, Schema, Status

from gongzhi.activities.models import Activity
from gongzhi.core.errors import CommonError
from gongzhi.core.pagination import paginate
from gongzhi.people.models import VolunteerProfile

from . import presenters, selectors, services
from .models import CheckMethod, RecordSource
from .schemas import (
    AttendanceListOut,
    AttendanceOut,
    BackEntryIn,
    BatchIn,
    CheckIn,
    CheckOutIn,
    ConfirmIn,
    CorrectionIn,
    DisputeOut,
    MyRecordsOut,
    ReasonIn,
    RecordDetailOut,
    RecordOut,
    RecordPage,
    ResolveIn,
    TokenOut,
)

router = Router(tags=["hours"])


def _aware(value: dt.datetime) -> dt.datetime:
    """Naive times are local (Asia/Shanghai)."""
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _row(attendance) -> dict:
    return presenters.attendance_item(selectors.AttendanceRow(attendance, services.derive_hours(attendance), None))


def _self_target(actor, payload: CheckIn) -> tuple[Activity, str]:
    """Which activity a self check-in/out is for, and by which method (token → QR, else position → geofence)."""
    if payload.token:
        activity_id, method = services.checkin_token_activity_id(payload.token), CheckMethod.QR
    elif payload.activity_id is not None and payload.latitude is not None and payload.longitude is not None:
        activity_id, method = payload.activity_id, CheckMethod.GEO
    else:
        raise CommonError.VALIDATION.error(detail=[{"loc": ["body", "token"], "msg": "token or activity_id+position"}])
    # Only the id: the check-in/out services read the activity once, under their lock (NOT_FOUND when missing).
    return Activity(pk=activity_id), method


@router.get("/activities/{int:activity_id}/checkin-token", response=TokenOut, summary="签到二维码令牌（每30秒更新）")
def checkin_token(request, activity_id: int):
    activity = selectors.activity_for_confirm(actor=request.auth, pk=activity_id)
    token = services.checkin_token(activity)
    url = request.build_absolute_uri(reverse("hours:checkin", args=[token]))
    return {"activity_id": activity.pk, "token": token, "url": url, "valid_seconds": 2 * services.TOKEN_SLOT_SECONDS}


@router.post("/checkins", response={201: AttendanceOut}, summary="志愿者签到（扫码令牌或定位）")
def checkin_create(request, payload: CheckIn):
    volunteer = services.own_volunteer(request.auth)
    activity, method = _self_target(request.auth, payload)
    attendance = services.attendance_check_in(activity=activity, volunteer=volunteer, actor=request.auth,
                                              method=method, latitude=payload.latitude, longitude=payload.longitude)
    return Status(201, _row(attendance))


@router.post("/checkouts", response=AttendanceOut, summary="志愿者签退（扫码令牌或定位）")
def checkout_create(request, payload: CheckIn):
    volunteer = services.own_volunteer(request.auth)
    activity, method = _self_target(request.auth, payload)
    attendance = services.attendance_check_out(activity=activity, volunteer=volunteer, actor=request.auth,
                                               method=method, latitude=payload.latitude, longitude=payload.longitude)
    return _row(attendance)


@router.get("/activities/{int:activity_id}/attendances", response=AttendanceListOut,
            summary="活动签到记录（含派生时长与缺少签退的记录）")
def attendance_list(request, activity_id: int):
    activity = selectors.activity_for_confirm(actor=request.auth, pk=activity_id)
    rows = selectors.attendance_rows(activity=activity)
    items = [presenters.attendance_item(r) for r in rows]
    return {"items": items, "missing_checkouts": [i for i in items if i["missing_checkout"]]}


@router.post("/activities/{int:activity_id}/attendances", response={201: list[AttendanceOut]},
             summary="组织者批量录入签到签退时间")
def attendance_batch(request, activity_id: int, payload: BatchIn):
    activity = selectors.activity_for_confirm(actor=request.auth, pk=activity_id)
    entries = [services.BatchEntry(volunteer_id=e.volunteer_id, day=e.day, checked_in_at=_aware(e.checked_in_at),
                                   checked_out_at=_aware(e.checked_out_at) if e.checked_out_at else None)
               for e in payload.entries]
    rows = services.attendance_batch_record(activity=activity, entries=entries, actor=request.auth)
    return Status(201, [_row(a) for a in rows])


@router.post("/attendances/{int:attendance_id}/checkout", response=AttendanceOut, summary="组织者补填缺少的签退时间")
def attendance_checkout(request, attendance_id: int, payload: CheckOutIn):
    attendance = selectors.attendance_get_for(actor=request.auth, pk=attendance_id)
    attendance = services.attendance_set_check_out(attendance=attendance, checked_out_at=_aware(payload.checked_out_at),
                                                   actor=request.auth)
    return _row(attendance)


@router.post("/activities/{int:activity_id}/confirm", response=list[RecordOut], summary="确认服务时长（单条或全部）")
def attendance_confirm(request, activity_id: int, payload: ConfirmIn):
    activity = selectors.activity_for_confirm(actor=request.auth, pk=activity_id)
    records = services.attendances_confirm(activity=activity, actor=request.auth, attendance_ids=payload.attendance_ids)
    return [presenters.record_item(r) for r in records]


class RecordFilter(Schema):
    volunteer_id: int | None = None
    activity_id: int | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    source: str | None = None
    history: bool = False
    page: int = 1
    page_size: int = 50


@router.get("/service-records", response=RecordPage, summary="辖区志愿服务记录（可按志愿者、活动、日期、来源筛选）")
def record_list(request, filters: Query[RecordFilter]):
    if filters.source is not None and filters.source not in RecordSource.values:
        raise CommonError.VALIDATION.error(detail=[{"loc": ["query", "source"], "msg": "unknown source"}])
    qs = selectors.service_record_list(actor=request.auth, volunteer_id=filters.volunteer_id,
                                       activity_id=filters.activity_id, start=filters.start, end=filters.end,
                                       source=filters.source, include_history=filters.history)
    page = paginate(qs, page=filters.page, page_size=filters.page_size)
    # the total counts current records only (a history listing would add superseded rows twice)
    total = Decimal(0) if filters.history else (qs.order_by().aggregate(t=Sum("hours"))["t"] or Decimal(0))
    total = Decimal(total).quantize(services.PLACES)
    return {"items": [presenters.record_item(r) for r in page.items], "count": page.count, "page": page.page,
            "page_size": page.page_size, "pages": page.pages, "total_hours": total}


@router.get("/service-records/{int:record_id}", response=RecordDetailOut, summary="服务记录详情（含更正历史）")
def record_detail(request, record_id: int):
    record = selectors.service_record_get(actor=request.auth, pk=record_id)
    chain = selectors.record_chain(record)
    current = selectors.ServiceRecord.objects.current().filter(pk=record.pk).exists()
    return {**presenters.record_item(record), "current": current,
            "history": [presenters.record_item(r) for r in chain[:-1]]}


@router.post("/service-records/{int:record_id}/corrections", response={201: RecordOut}, summary="更正服务时长（追加新记录）")
def record_correct(request, record_id: int, payload: CorrectionIn):
    record = selectors.service_record_get(actor=request.auth, pk=record_id)
    new = services.service_record_correct(record=record, hours=payload.hours, reason=payload.reason,
                                          actor=request.auth)
    return Status(201, presenters.record_item(new))


@router.post("/service-records/{int:record_id}/revocations", response={201: RecordOut}, summary="撤销服务记录（追加新记录）")
def record_revoke(request, record_id: int, payload: ReasonIn):
    record = selectors.service_record_get(actor=request.auth, pk=record_id)
    new = services.service_record_revoke(record=record, reason=payload.reason, actor=request.auth)
    return Status(201, presenters.record_item(new))


@router.post("/service-records/back-entries", response={201: RecordOut}, summary="补录服务时长（标记为补录）")
def record_back_enter(request, payload: BackEntryIn):
    activity = selectors.activity_for_back_entry(actor=request.auth, pk=payload.activity_id)
    volunteer = VolunteerProfile.objects.select_related("person").filter(pk=payload.volunteer_id).first()
    if volunteer is None:
        raise CommonError.NOT_FOUND.error()
    record = services.service_record_back_enter(activity=activity, volunteer=volunteer, day=payload.day,
                                                hours=payload.hours, reason=payload.reason, actor=request.auth)
    return Status(201, presenters.record_item(record))


@router.get("/me/service-records", response=MyRecordsOut, summary="我的志愿服务记录与累计时长")
def my_records(request, start: dt.date | None = None, end: dt.date | None = None):
    volunteer = services.own_volunteer(request.auth)
    records = selectors.volunteer_records(volunteer, start=start, end=end)
    return {"volunteer_id": volunteer.pk, "items": [presenters.record_item(r) for r in records],
            "total_hours": selectors.volunteer_total_hours(volunteer, start=start, end=end)}


@router.post("/me/service-records/{int:record_id}/disputes", response={201: DisputeOut}, summary="对本人服务记录提出异议")
def dispute_create(request, record_id: int, payload: ReasonIn):
    record = selectors.own_record_get(actor=request.auth, pk=record_id)
    dispute = services.dispute_open(record=record, reason=payload.reason, actor=request.auth)
    return Status(201, presenters.dispute_item(dispute))


@router.get("/me/disputes", response=list[DisputeOut], summary="我提出的异议")
def my_disputes(request):
    return [presenters.dispute_item(d) for d in selectors.own_disputes(actor=request.auth)]


@router.get("/disputes", response=list[DisputeOut], summary="辖区服务记录异议")
def dispute_list(request, open: bool = False):
    return [presenters.dispute_item(d) for d in selectors.dispute_list(actor=request.auth, open_only=open)[:500]]


@router.post("/disputes/{int:dispute_id}/resolution", response={201: DisputeOut}, summary="处理异议（可同时更正时长）")
def dispute_resolve(request, dispute_id: int, payload: ResolveIn):
    dispute = selectors.dispute_get_for(actor=request.auth, pk=dispute_id)
    services.dispute_resolve(dispute=dispute, note=payload.note, hours=payload.hours, actor=request.auth)
    return Status(201, presenters.dispute_item(selectors.dispute_get_for(actor=request.auth, pk=dispute_id)))

