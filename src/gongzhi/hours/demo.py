"""The hours part of the 钢城区 demo: attendances and confirmed service records for every finished demo activity.

Runs after ``activities.demo`` (INSTALLED_APPS order) and finds its activities in the database. For each confirmed
sign-up of a finished activity: a realistic check-in (most arrive 0–25 min early, a few late) and check-out (most stay
to the end, some leave early), hours derived exactly as ``hours.services.derive_hours`` does (clipped to the window,
R-V4; under-6 → 0, R-V9), confirmed by the organiser shortly after (R-V5). About 3 % did not show up, about 1 % are
back-entries (补录) without an attendance, about 1 % were corrected afterwards (a correction row superseding the
original, R-V6). The most recent finished activity keeps one attendance without a check-out and unconfirmed, so the
organiser's "缺少签退" list has something in it.

Everything is written with ``bulk_create`` and therefore publishes no ``hours.record_added`` events: the reports app
recomputes its rollups from the records at the end of the demo run, and nothing else needs to react to demo rows.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from gongzhi.activities.models import Activity, ActivityStatus, Signup, SignupStatus

from .models import Attendance, CheckMethod, RecordKind, RecordSource, ServiceRecord
from .services import activity_days, day_window, derive_hours, recognised, record_content

BATCH = 2000
PLACES = Decimal("0.0001")
NO_SHOW = 0.03
BACK_ENTRY = 0.01
CORRECTION = 0.012
CORRECTION_REASONS = ["核对纸质签到表，中途离开未签退", "志愿者反映提前到场协助布置，核实后更正", "组织者录入有误，按实际服务时间更正"]
BACK_ENTRY_REASONS = ["现场网络故障未能扫码签到，按纸质签到表补录", "手机没电未签到，组织者核实后补录"]


def is_loaded() -> bool:
    return ServiceRecord.objects.exists()


def _times(rng, window: tuple[dt.datetime, dt.datetime]) -> tuple[dt.datetime, dt.datetime]:
    lo, hi = window
    length = (hi - lo).total_seconds()
    early = rng.random()
    if early < 0.8:
        checked_in = lo - dt.timedelta(minutes=rng.randint(0, 25), seconds=rng.randint(0, 59))
    else:
        checked_in = lo + dt.timedelta(seconds=rng.randint(60, max(61, int(length * 0.2))))
    stay = rng.random()
    if stay < 0.75:
        checked_out = hi + dt.timedelta(minutes=rng.randint(0, 20), seconds=rng.randint(0, 59))
    else:
        checked_out = hi - dt.timedelta(seconds=rng.randint(300, max(301, int(length * 0.3))))
    return checked_in, max(checked_out, checked_in + dt.timedelta(minutes=5))


def contribute(ctx) -> None:
    rng = ctx.rng("hours")
    activities = list(Activity.objects.filter(status=ActivityStatus.FINISHED).select_related("unit", "created_by")
                      .order_by("starts_at", "pk"))
    if not activities:
        ctx.log("  hours: no finished activities, nothing to record")
        return
    signups = {}
    for s in (Signup.objects.filter(activity__in=activities, status=SignupStatus.CONFIRMED)
              .select_related("volunteer__person").order_by("activity_id", "pk")):
        signups.setdefault(s.activity_id, []).append(s)
    latest = activities[-1]
    attendances: list[Attendance] = []
    back_entries: list[ServiceRecord] = []
    open_one = None
    for act in activities:
        days = activity_days(act)
        for s in signups.get(act.pk, []):
            for day in days:
                roll = rng.random()
                if roll < NO_SHOW:
                    continue
                window = day_window(act, day)
                confirmer = act.created_by
                if roll < NO_SHOW + BACK_ENTRY:
                    share = Decimal(rng.choice(["1", "1", "0.75", "0.5"]))
                    hours = (Decimal(int((window[1] - window[0]).total_seconds())) / 3600 * share).quantize(PLACES)
                    back_entries.append(ServiceRecord(
                        volunteer=s.volunteer, activity=act, unit_path=act.unit.path, day=day,
                        hours=recognised(s.volunteer, day, hours), content=record_content(act), source=RecordSource.BACK_ENTRY,
                        kind=RecordKind.ORIGINAL, reason=rng.choice(BACK_ENTRY_REASONS), confirmed_by=confirmer,
                        confirmed_at=window[1] + dt.timedelta(days=rng.randint(1, 5)),
                    ))
                    continue
                checked_in, checked_out = _times(rng, window)
                a = Attendance(activity=act, signup=s, volunteer=s.volunteer, day=day, checked_in_at=checked_in,
                               in_method=rng.choice([CheckMethod.QR] * 6 + [CheckMethod.GEO, CheckMethod.ORGANISER]),
                               checked_out_at=checked_out, out_method=CheckMethod.QR, recorded_by=None)
                if act.pk == latest.pk and open_one is None:
                    a.checked_out_at, a.out_method, open_one = None, "", a
                attendances.append(a)
    Attendance.objects.bulk_create(attendances, batch_size=BATCH)

    originals: list[ServiceRecord] = []
    for a in attendances:
        if a.checked_out_at is None:
            continue  # missing check-out: listed for the organiser, never guessed, never confirmed
        derived = derive_hours(a)
        originals.append(ServiceRecord(
            volunteer=a.volunteer, activity=a.activity, attendance=a, unit_path=a.activity.unit.path, day=a.day,
            started_at=derived.started_at, ended_at=derived.ended_at, hours=derived.hours,
            content=record_content(a.activity), source=RecordSource.CHECKIN, kind=RecordKind.ORIGINAL,
            confirmed_by=a.activity.created_by,
            confirmed_at=a.activity.ends_at + dt.timedelta(hours=rng.randint(1, 30)),
        ))
    ServiceRecord.objects.bulk_create(originals + back_entries, batch_size=BATCH)
    if originals and originals[0].pk is None:  # a backend that does not return ids from bulk inserts
        by_attendance = dict(ServiceRecord.objects.filter(attendance__in=[o.attendance for o in originals])
                             .values_list("attendance_id", "pk"))
        for o in originals:
            o.pk = o.id = by_attendance[o.attendance.pk]

    corrections = []
    for o in rng.sample(originals, k=int(len(originals) * CORRECTION)):
        new_hours = max(Decimal("0.0000"), o.hours - Decimal(rng.choice(["0.5", "0.25", "1"])))  # never above the cap
        corrections.append(ServiceRecord(
            volunteer=o.volunteer, activity=o.activity, attendance=o.attendance, unit_path=o.unit_path, day=o.day,
            started_at=o.started_at, ended_at=o.ended_at, hours=new_hours, content=o.content, source=o.source,
            kind=RecordKind.CORRECTION, supersedes=o, reason=rng.choice(CORRECTION_REASONS),
            confirmed_by=o.confirmed_by, confirmed_at=o.confirmed_at + dt.timedelta(days=rng.randint(1, 10)),
        ))
    ServiceRecord.objects.bulk_create(corrections, batch_size=BATCH)

    current = ServiceRecord.objects.current()
    total = current.aggregate(t=Sum("hours"))["t"] or Decimal(0)
    ctx.count("签到记录", len(attendances))
    ctx.count("服务记录", len(originals) + len(back_entries) + len(corrections))
    ctx.count("服务时长（小时）", int(total))
    ctx.log(f"  hours: {current.count()} current records, {total:.0f} h, {len(back_entries)} back-entries, "
            f"{len(corrections)} corrections, missing check-out at {timezone.localtime(latest.starts_at):%Y-%m-%d}")
