"""The hours part of the 钢城区 demo: attendances and confirmed service records for every finished demo activity.

Runs after ``activities.demo`` (INSTALLED_APPS order) and finds its activities in the database. For each confirmed
sign-up of a finished activity: a realistic check-in (most arrive 0–25 min early, a few late) and check-out (most stay
to the end, some leave early), hours derived as ``hours.services.derive_hours`` does (clipped to the window,
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
from gongzhi.people.identity import age_on

from .models import Attendance, CheckMethod, RecordKind, RecordSource, ServiceRecord
from .services import _hours, activity_days, day_window, min_age, record_content

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


def _clipped(window, checked_in, checked_out, birth, day) -> tuple[Decimal, dt.datetime | None, dt.datetime | None]:
    """What ``services.derive_hours`` gives, from plain values (the demo holds ids, not model instances)."""
    lo, hi = max(checked_in, window[0]), min(checked_out, window[1])
    if hi <= lo:
        return Decimal("0.0000"), None, None
    hours = _hours((hi - lo).total_seconds())
    if birth is not None and age_on(birth, day) < min_age():
        hours = Decimal("0.0000")
    return hours, lo, hi


def contribute(ctx) -> None:
    rng = ctx.rng("hours")
    activities = list(Activity.objects.filter(status=ActivityStatus.FINISHED).select_related("unit")
                      .order_by("starts_at", "pk"))
    if not activities:
        ctx.log("  hours: no finished activities, nothing to record")
        return
    signups: dict[int, list[tuple]] = {}
    rows = (Signup.objects.filter(activity__in=activities, status=SignupStatus.CONFIRMED).order_by("activity_id", "pk")
            .values_list("pk", "activity_id", "volunteer_id", "volunteer__person__birth_date"))
    for pk, activity_id, volunteer_id, birth in rows:
        signups.setdefault(activity_id, []).append((pk, volunteer_id, birth))
    latest = activities[-1]
    methods = [CheckMethod.QR] * 6 + [CheckMethod.GEO, CheckMethod.ORGANISER]
    attendances: list[Attendance] = []
    pending: list[tuple[Attendance, Activity, tuple, object]] = []  # attendance, activity, window, birth
    back_entries: list[ServiceRecord] = []
    open_one = None
    for act in activities:
        windows = [(day, day_window(act, day)) for day in activity_days(act)]
        content, path = record_content(act), act.unit.path
        for signup_id, volunteer_id, birth in signups.get(act.pk, []):
            for day, window in windows:
                roll = rng.random()
                if roll < NO_SHOW:
                    continue
                if roll < NO_SHOW + BACK_ENTRY:
                    share = Decimal(rng.choice(["1", "1", "0.75", "0.5"]))
                    hours = (_hours((window[1] - window[0]).total_seconds()) * share).quantize(PLACES)
                    if birth is not None and age_on(birth, day) < min_age():
                        hours = Decimal("0.0000")
                    back_entries.append(ServiceRecord(
                        volunteer_id=volunteer_id, activity_id=act.pk, unit_path=path, day=day, hours=hours,
                        content=content, source=RecordSource.BACK_ENTRY, kind=RecordKind.ORIGINAL,
                        reason=rng.choice(BACK_ENTRY_REASONS), confirmed_by_id=act.created_by_id,
                        confirmed_at=window[1] + dt.timedelta(days=rng.randint(1, 5)),
                    ))
                    continue
                checked_in, checked_out = _times(rng, window)
                a = Attendance(activity_id=act.pk, signup_id=signup_id, volunteer_id=volunteer_id, day=day,
                               checked_in_at=checked_in, in_method=rng.choice(methods), checked_out_at=checked_out,
                               out_method=CheckMethod.QR)
                if act.pk == latest.pk and open_one is None:
                    a.checked_out_at, a.out_method, open_one = None, "", a
                attendances.append(a)
                pending.append((a, act, window, birth))
    Attendance.objects.bulk_create(attendances, batch_size=BATCH)
    if attendances and attendances[0].pk is None:  # a backend that does not return ids from bulk inserts
        raise RuntimeError("the hours demo needs a database that returns ids from bulk inserts")

    originals: list[ServiceRecord] = []
    for a, act, window, birth in pending:
        if a.checked_out_at is None:
            continue  # missing check-out: listed for the organiser, never guessed, never confirmed
        hours, lo, hi = _clipped(window, a.checked_in_at, a.checked_out_at, birth, a.day)
        originals.append(ServiceRecord(
            volunteer_id=a.volunteer_id, activity_id=act.pk, attendance_id=a.pk, unit_path=act.unit.path, day=a.day,
            started_at=lo, ended_at=hi, hours=hours, content=record_content(act), source=RecordSource.CHECKIN,
            kind=RecordKind.ORIGINAL, confirmed_by_id=act.created_by_id,
            confirmed_at=act.ends_at + dt.timedelta(hours=rng.randint(1, 30)),
        ))
    ServiceRecord.objects.bulk_create(originals + back_entries, batch_size=BATCH)

    corrections = []
    for o in rng.sample(originals, k=int(len(originals) * CORRECTION)):
        new_hours = max(Decimal("0.0000"), o.hours - Decimal(rng.choice(["0.5", "0.25", "1"])))  # never above the cap
        corrections.append(ServiceRecord(
            volunteer_id=o.volunteer_id, activity_id=o.activity_id, attendance_id=o.attendance_id,
            unit_path=o.unit_path, day=o.day, started_at=o.started_at, ended_at=o.ended_at, hours=new_hours,
            content=o.content, source=o.source, kind=RecordKind.CORRECTION, supersedes_id=o.pk,
            reason=rng.choice(CORRECTION_REASONS), confirmed_by_id=o.confirmed_by_id,
            confirmed_at=o.confirmed_at + dt.timedelta(days=rng.randint(1, 10)),
        ))
    ServiceRecord.objects.bulk_create(corrections, batch_size=BATCH)

    current = ServiceRecord.objects.current()
    total = current.aggregate(t=Sum("hours"))["t"] or Decimal(0)
    ctx.count("签到记录", len(attendances))
    ctx.count("服务记录", len(originals) + len(back_entries) + len(corrections))
    ctx.count("服务时长（小时）", int(total))
    ctx.log(f"  hours: {current.count()} current records, {total:.0f} h, {len(back_entries)} back-entries, "
            f"{len(corrections)} corrections, missing check-out at {timezone.localtime(latest.starts_at):%Y-%m-%d}")
