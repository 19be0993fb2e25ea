"""Every write of the hours app: check-in/check-out, confirmation, corrections, revocations, back-entries, disputes.

Hours are derived, never typed in for a check-in: the overlap of [check-in, check-out] with the activity's window for
that service day, in Decimal with 4 places, rounded only for display (R-V4). The organiser confirms them into an
append-only ServiceRecord (R-V5); corrections and revocations are new rows pointing back (R-V6). Every ServiceRecord
written here is announced with ``hours.record_added`` inside the transaction (``hours.events``).

Locks: :func:`_lock_activity` is the one helper that serialises writes per activity (originals and back-entries of
one volunteer/day); record chains lock the superseded row. Both always in primary-key order, one row at a time.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from gongzhi.accounts import scoping
from gongzhi.activities.models import Activity, ActivityStatus, Signup, SignupStatus
from gongzhi.core import clock, hotreads
from gongzhi.core.errors import CommonError
from gongzhi.core.ids import MAX_ID
from gongzhi.people.identity import age_on
from gongzhi.people.models import VolunteerProfile

from . import events
from . import permissions as perms
from .errors import HoursError
from .models import (
    Attendance,
    CheckMethod,
    Dispute,
    DisputeResolution,
    RecordKind,
    RecordSource,
    ServiceRecord,
)

TOKEN_SALT = "hours.checkin"
TOKEN_SLOT_SECONDS = 30
EARLY_CHECKIN = dt.timedelta(minutes=30)  # check-in opens this long before the (daily) start
PLACES = Decimal("0.0001")
MAX_HOURS = Decimal("9999")
CHECKIN_STATUSES = (ActivityStatus.PUBLISHED, ActivityStatus.ONGOING, ActivityStatus.FINISHED)


def now_local() -> dt.datetime:
    return timezone.localtime(clock.now())


# --- rotating QR tokens ----------------------------------------------------------------------------------------


def _signer() -> signing.Signer:
    """No timestamp in the token: the slot inside it is the clock, so one activity and slot give one token."""
    return signing.Signer(salt=TOKEN_SALT)


def _slot(now: dt.datetime) -> int:
    return int(now.timestamp()) // TOKEN_SLOT_SECONDS


def checkin_token(activity: Activity, now: dt.datetime | None = None) -> str:
    """A signed token naming the activity and the current 30-second slot; valid for this slot and the previous one."""
    now = now or clock.now()
    return _signer().sign_object({"a": activity.pk, "s": _slot(now)})


def checkin_token_activity_id(token: str, now: dt.datetime | None = None) -> int:
    """The activity id a token names; forged, malformed or older than the previous slot → TOKEN_INVALID (400)."""
    now = now or clock.now()
    try:
        data = _signer().unsign_object(str(token))
        activity_id, slot = int(data["a"]), int(data["s"])
    except (signing.BadSignature, KeyError, TypeError, ValueError, UnicodeError):
        raise HoursError.TOKEN_INVALID.error() from None
    if slot not in (_slot(now), _slot(now) - 1):
        raise HoursError.TOKEN_INVALID.error(detail={"reason": "expired"})
    return activity_id


# --- activity windows and derived hours (R-V4) -----------------------------------------------------------------


def activity_days(activity: Activity) -> list[dt.date]:
    """The service days of an activity (local dates it touches with a non-empty daily window)."""
    first = timezone.localtime(activity.starts_at).date()
    last = timezone.localtime(activity.ends_at).date()
    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    return [d for d in days if day_window(activity, d) is not None]


def day_window(activity: Activity, day: dt.date) -> tuple[dt.datetime, dt.datetime] | None:
    """The part of the activity window that belongs to ``day``.

    A one-day activity is its window. A multi-day activity with a daily time span (e.g. 09:00–17:00 for three days)
    runs that span each day; one running through the night is split at local midnight. None: not a service day.
    """
    start, end = timezone.localtime(activity.starts_at), timezone.localtime(activity.ends_at)
    if start.date() == end.date():
        return (start, end) if day == start.date() else None
    tz = timezone.get_current_timezone()
    if end.time() > start.time() and end.time() != dt.time(0):
        lo = dt.datetime.combine(day, start.time(), tzinfo=tz)
        hi = dt.datetime.combine(day, end.time(), tzinfo=tz)
    else:
        lo = dt.datetime.combine(day, dt.time(0), tzinfo=tz)
        hi = lo + dt.timedelta(days=1)
    lo, hi = max(lo, start), min(hi, end)
    return (lo, hi) if hi > lo else None


def _hours(seconds: float) -> Decimal:
    return (Decimal(int(round(seconds))) / Decimal(3600)).quantize(PLACES, rounding=ROUND_HALF_UP)


def day_capacity_hours(activity: Activity, day: dt.date) -> Decimal:
    """The most hours anyone can serve on ``day`` (the activity's duration that day); 0 outside its days."""
    window = day_window(activity, day)
    return _hours((window[1] - window[0]).total_seconds()) if window else Decimal(0)


def min_age() -> int:
    return int(getattr(settings, "HOURS_MIN_AGE", 6))


def recognised(volunteer: VolunteerProfile, day: dt.date, hours: Decimal) -> Decimal:
    """R-V9: no hours are recognised for a volunteer under the minimum age (default 6) on the service day."""
    birth = volunteer.person.birth_date
    if birth is not None and age_on(birth, day) < min_age():
        return Decimal("0.0000")
    return hours


@dataclass(frozen=True)
class Derived:
    hours: Decimal
    started_at: dt.datetime | None
    ended_at: dt.datetime | None


def derive_hours(attendance: Attendance) -> Derived | None:
    """Hours of a closed attendance: [in, out] clipped to the day's activity window (travel excluded); None if open."""
    if attendance.checked_out_at is None:
        return None
    window = day_window(attendance.activity, attendance.day)
    if window is None:
        return Derived(Decimal("0.0000"), None, None)
    lo, hi = max(attendance.checked_in_at, window[0]), min(attendance.checked_out_at, window[1])
    if hi <= lo:
        return Derived(Decimal("0.0000"), None, None)
    hours = recognised(attendance.volunteer, attendance.day, _hours((hi - lo).total_seconds()))
    return Derived(hours, lo, hi)


# --- helpers ---------------------------------------------------------------------------------------------------


# read by every check-in, check-out and confirmation: hand-written SQL (core.hotreads), the same instances as
# Activity.objects.select_for_update(of=("self",)).select_related("unit", "category").filter(pk=…).first() and
# VolunteerProfile.objects.select_related("person", "unit").filter(person__user_id=…).first()
_LOCKED_ACTIVITY = hotreads.HotRead(Activity, related=("unit", "category"), where="t.id = %s", lock=True)
_OWN_VOLUNTEER = hotreads.HotRead(VolunteerProfile, related=("person", "unit"), where="t_person.user_id = %s")
# … and Signup.objects.filter(activity=…, volunteer=…, status=…).first(), Attendance.objects.filter(activity=…,
# volunteer=…, checked_out_at__isnull=True)[.select_for_update()].order_by("-day", "-pk").first()
_CONFIRMED_SIGNUP = hotreads.HotRead(Signup, where="t.activity_id = %s AND t.volunteer_id = %s AND t.status = %s")
_OPEN = "t.activity_id = %s AND t.volunteer_id = %s AND t.checked_out_at IS NULL"
_OPEN_ATTENDANCE = hotreads.HotRead(Attendance, where=_OPEN, order_by="t.day DESC, t.id DESC")
_OPEN_ATTENDANCE_LOCKED = hotreads.HotRead(Attendance, where=_OPEN, order_by="t.day DESC, t.id DESC", lock=True)
# … and a confirmation's: Attendance.objects.filter(activity=…, pk__in=… | checked out and unconfirmed)
# .select_for_update(of=("self",)).select_related("volunteer__person").annotate(confirmed=Exists(its original))
# .order_by("pk"), and whether a record that counts exists: ServiceRecord.objects.current().filter(activity=…,
# volunteer=…, day=…).exists()
_RECORDS = ServiceRecord._meta.db_table
_HAS_ORIGINAL = (f"EXISTS (SELECT 1 FROM {_RECORDS} r WHERE r.attendance_id = t.id "
                 f"AND r.kind = '{RecordKind.ORIGINAL.value}')")
_TO_CONFIRM = {"related": ("volunteer", "volunteer__person"), "lock": True, "flags": (("confirmed", _HAS_ORIGINAL),)}
_CLOSED_UNCONFIRMED = hotreads.HotRead(
    Attendance, where=f"t.activity_id = %s AND t.checked_out_at IS NOT NULL AND NOT {_HAS_ORIGINAL}", **_TO_CONFIRM)


@functools.lru_cache(maxsize=16)
def _attendances_to_confirm(count: int) -> hotreads.HotRead:
    return hotreads.HotRead(Attendance, where=f"t.activity_id = %s AND t.id IN ({', '.join(['%s'] * count)})",
                            **_TO_CONFIRM)


_CURRENT_RECORD = hotreads.HotRead(
    ServiceRecord, where=f"t.activity_id = %s AND t.volunteer_id = %s AND t.day = %s AND t.kind IN "
    f"('{RecordKind.ORIGINAL.value}', '{RecordKind.CORRECTION.value}') "
    f"AND NOT EXISTS (SELECT 1 FROM {_RECORDS} s WHERE s.supersedes_id = t.id)")


def _lock_activity(activity: Activity) -> Activity:
    """The activity re-read under its row lock (its status may have changed since the caller read it); the caller
    may pass just ``Activity(pk=...)``: a missing one is NOT_FOUND."""
    locked = _LOCKED_ACTIVITY.first([activity.pk])
    if locked is None:
        raise CommonError.NOT_FOUND.error()
    return locked


def _lock_record(record: ServiceRecord) -> ServiceRecord:
    return ServiceRecord.objects.select_for_update().select_related("activity", "volunteer__person").get(pk=record.pk)


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise HoursError.REASON_REQUIRED.error(detail={"field": "reason"})
    if len(reason) > 300:
        raise HoursError.REASON_REQUIRED.error(detail={"field": "reason", "max_length": 300})
    return reason


def parse_hours(value) -> Decimal:
    """Hours from user input: a finite non-negative number, kept to 4 places (HOURS_INVALID otherwise)."""
    try:
        hours = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise HoursError.HOURS_INVALID.error(detail={"field": "hours"}) from None
    if not hours.is_finite() or hours < 0 or hours > MAX_HOURS:
        raise HoursError.HOURS_INVALID.error(detail={"field": "hours"})
    return hours.quantize(PLACES, rounding=ROUND_HALF_UP)


def _check_cap(activity: Activity, day: dt.date, hours: Decimal) -> None:
    cap = day_capacity_hours(activity, day)
    if hours > cap:
        raise HoursError.HOURS_OVER_DURATION.error(detail={"field": "hours", "max_hours": str(cap)})


def record_content(activity: Activity) -> str:
    text = activity.title if not activity.description else f"{activity.title}：{activity.description}"
    return text[:300]


def _no_current_record(*, activity: Activity, volunteer: VolunteerProfile, day: dt.date) -> None:
    """One counting record per volunteer, activity and day: an original that still counts blocks another."""
    if _CURRENT_RECORD.first([activity.pk, volunteer.pk, connection.ops.adapt_datefield_value(day)]) is not None:
        raise HoursError.DUPLICATE_ORIGINAL.error(detail={"day": day.isoformat()})


def _write(record: ServiceRecord, replaced: ServiceRecord | None) -> ServiceRecord:
    """Insert one ServiceRecord and announce it (the only way rows are written outside the demo's bulk load)."""
    try:  # no savepoint: a refusal leaves the whole transaction (or its caller's savepoint), nothing runs after it
        hotreads.insert_many([record])  # save(force_insert=True), its INSERT composed once (core.hotreads)
    except IntegrityError:
        if replaced is not None:
            raise HoursError.NOT_CURRENT.error() from None
        raise HoursError.DUPLICATE_ORIGINAL.error() from None
    events.record_added(record=record, replaced=replaced, just_written=True)
    return record


def own_volunteer(actor) -> VolunteerProfile:
    """The volunteer profile of the logged-in account (NOT_VOLUNTEER when none)."""
    profile = _OWN_VOLUNTEER.first([getattr(actor, "pk", None)])
    if profile is None:
        raise HoursError.NOT_VOLUNTEER.error()
    return profile


def confirmed_signup(*, activity: Activity, volunteer: VolunteerProfile) -> Signup | None:
    return _CONFIRMED_SIGNUP.first([activity.pk, volunteer.pk, SignupStatus.CONFIRMED])


def _coordinates(latitude, longitude) -> tuple[Decimal, Decimal]:
    try:
        lat, lng = float(latitude), float(longitude)
    except (TypeError, ValueError):
        raise HoursError.COORDINATES_INVALID.error() from None
    if not (math.isfinite(lat) and math.isfinite(lng) and -90 <= lat <= 90 and -180 <= lng <= 180):
        raise HoursError.COORDINATES_INVALID.error(detail={"latitude": latitude, "longitude": longitude})
    return Decimal(f"{lat:.6f}"), Decimal(f"{lng:.6f}")


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres (haversine, mean Earth radius)."""
    r = 6_371_008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(min(1.0, math.sqrt(a)))


def geofence_check(*, activity: Activity, latitude, longitude) -> tuple[Decimal, Decimal]:
    """Refuse positions farther than ``checkin_radius_m`` from the activity's place; the message names the distance."""
    lat, lng = _coordinates(latitude, longitude)
    if activity.latitude is None or activity.longitude is None:
        raise HoursError.NO_PLACE.error()
    d = distance_m(float(lat), float(lng), float(activity.latitude), float(activity.longitude))
    if d > activity.checkin_radius_m:
        from django.utils.translation import gettext as _

        raise HoursError.OUTSIDE_GEOFENCE.error(
            detail={"distance_m": round(d), "radius_m": activity.checkin_radius_m},
            message=_("您距离活动地点约 %(distance)s 米，超出签到范围（%(radius)s 米），不能定位签到")
            % {"distance": round(d), "radius": activity.checkin_radius_m},
        )
    return lat, lng


def _check_in_window(activity: Activity, day: dt.date, at: dt.datetime) -> None:
    window = day_window(activity, day)
    if window is None:
        raise (HoursError.TOO_EARLY if at < activity.starts_at else HoursError.TOO_LATE).error()
    if at < window[0] - EARLY_CHECKIN:
        raise HoursError.TOO_EARLY.error(detail={"opens_at": (window[0] - EARLY_CHECKIN).isoformat()})
    if at > window[1]:
        raise HoursError.TOO_LATE.error(detail={"closed_at": window[1].isoformat()})


def _service_day(activity: Activity, at: dt.datetime) -> dt.date:
    """The service day a moment belongs to: its local date, or the next day when it is in the early-check-in slack."""
    day = timezone.localtime(at).date()
    nxt = day + dt.timedelta(days=1)
    if day_window(activity, day) is None and day_window(activity, nxt) is not None:
        return nxt
    return day


# --- check-in / check-out ----------------------------------------------------------------------------------------


@transaction.atomic
def attendance_check_in(*, activity: Activity, volunteer: VolunteerProfile, actor, method: str,
                        latitude=None, longitude=None) -> Attendance:
    """Open today's attendance for a confirmed sign-up, within 30 min before start … end of the day's window (R-V4)."""
    activity = _lock_activity(activity)
    lat = lng = None
    if method == CheckMethod.GEO:
        lat, lng = geofence_check(activity=activity, latitude=latitude, longitude=longitude)
    if activity.status not in CHECKIN_STATUSES:
        raise HoursError.ACTIVITY_CLOSED.error(detail={"status": activity.status})
    signup = confirmed_signup(activity=activity, volunteer=volunteer)
    if signup is None:
        raise HoursError.NOT_SIGNED_UP.error()
    at = clock.now()
    day = _service_day(activity, at)
    _check_in_window(activity, day, at)
    # The unique (activity, volunteer, day) constraint refuses a second check-in: no look-up first, and no savepoint
    # either — the refusal leaves this whole transaction (or the caller's savepoint for it), nothing runs after it.
    # The INSERT is composed once (core.hotreads: what create() writes, without compiling it per check-in).
    try:
        return hotreads.insert_many([Attendance(
            activity=activity, signup=signup, volunteer=volunteer, day=day, checked_in_at=at, in_method=method,
            in_latitude=lat, in_longitude=lng, recorded_by=actor,
        )])[0]
    except IntegrityError:
        raise HoursError.ALREADY_CHECKED_IN.error(detail={"day": day.isoformat()}) from None


def open_attendance(*, activity: Activity, volunteer: VolunteerProfile, lock: bool = False) -> Attendance | None:
    """The volunteer's latest attendance without a check-out (row-locked with ``lock``, in a transaction)."""
    return (_OPEN_ATTENDANCE_LOCKED if lock else _OPEN_ATTENDANCE).first([activity.pk, volunteer.pk])


@transaction.atomic
def attendance_check_out(*, activity: Activity, volunteer: VolunteerProfile, actor, method: str,
                         latitude=None, longitude=None) -> Attendance:
    """Close the volunteer's open attendance now (once; never before the check-in)."""
    activity = _lock_activity(activity)
    lat = lng = None
    if method == CheckMethod.GEO:
        lat, lng = geofence_check(activity=activity, latitude=latitude, longitude=longitude)
    attendance = open_attendance(activity=activity, volunteer=volunteer, lock=True)
    if attendance is None:
        if Attendance.objects.filter(activity=activity, volunteer=volunteer).exists():
            raise HoursError.ALREADY_CHECKED_OUT.error()
        raise HoursError.NOT_CHECKED_IN.error()
    attendance.activity, attendance.volunteer = activity, volunteer  # what the caller shows (no re-reads)
    return _close(attendance, at=clock.now(), method=method, latitude=lat, longitude=lng, locked=True)


MOMENT_YEARS = (2000, 2100)


def _moment(value: dt.datetime, field: str, row: int | None = None) -> dt.datetime:
    """A time an organiser typed: years no attendance can have are refused (year 9999 would overflow in UTC)."""
    if not MOMENT_YEARS[0] <= value.year <= MOMENT_YEARS[1]:
        detail = {"field": field} if row is None else {"row": row, "field": field}
        raise HoursError.TIME_OUT_OF_RANGE.error(detail=detail)
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _close(attendance: Attendance, *, at: dt.datetime, method: str, latitude=None, longitude=None,
           locked: bool = False) -> Attendance:
    """Set the check-out; ``locked``: the caller has just read ``attendance`` under its row lock."""
    at = _moment(at, "checked_out_at")
    if not locked:
        attendance = Attendance.objects.select_for_update().get(pk=attendance.pk)
    if attendance.checked_out_at is not None:
        raise HoursError.ALREADY_CHECKED_OUT.error()
    if at < attendance.checked_in_at:
        raise HoursError.OUT_BEFORE_IN.error(detail={"field": "checked_out_at"})
    hotreads.update_by_pk(attendance, checked_out_at=at, out_method=method, out_latitude=latitude,
                          out_longitude=longitude)  # save(update_fields=…) without compiling it per check-out
    return attendance


@transaction.atomic
def attendance_set_check_out(*, attendance: Attendance, checked_out_at: dt.datetime, actor) -> Attendance:
    """The organiser fills in a missing check-out (recorded as organiser method); nothing is ever guessed."""
    scoping.require(actor, perms.CONFIRM, attendance.activity.unit)
    _lock_activity(attendance.activity)
    return _close(attendance, at=checked_out_at, method=CheckMethod.ORGANISER)


@dataclass(frozen=True)
class BatchEntry:
    volunteer_id: int
    day: dt.date
    checked_in_at: dt.datetime
    checked_out_at: dt.datetime | None = None


@transaction.atomic
def attendance_batch_record(*, activity: Activity, entries: list[BatchEntry], actor) -> list[Attendance]:
    """Organiser batch entry: record check-in/out times for confirmed sign-ups; all rows or none."""
    scoping.require(actor, perms.CONFIRM, activity.unit)
    activity = _lock_activity(activity)
    signups = {s.volunteer_id: s for s in Signup.objects.filter(activity=activity, status=SignupStatus.CONFIRMED)}
    out: list[Attendance] = []
    seen: set[tuple[int, dt.date]] = set()
    for i, entry in enumerate(entries):
        entry = replace(entry, checked_in_at=_moment(entry.checked_in_at, "checked_in_at", i),
                        checked_out_at=entry.checked_out_at and _moment(entry.checked_out_at, "checked_out_at", i))
        signup = signups.get(entry.volunteer_id)
        if signup is None:
            raise HoursError.VOLUNTEER_NOT_IN_ACTIVITY.error(detail={"row": i, "volunteer_id": entry.volunteer_id})
        if day_window(activity, entry.day) is None:
            raise HoursError.DAY_OUTSIDE_ACTIVITY.error(detail={"row": i, "field": "day"})
        if timezone.localtime(entry.checked_in_at).date() != entry.day:
            raise HoursError.TIME_OUTSIDE_DAY.error(detail={"row": i, "field": "checked_in_at"})
        _check_in_window(activity, entry.day, entry.checked_in_at)
        if entry.checked_out_at is not None and entry.checked_out_at < entry.checked_in_at:
            raise HoursError.OUT_BEFORE_IN.error(detail={"row": i, "field": "checked_out_at"})
        key = (entry.volunteer_id, entry.day)
        if key in seen:
            raise HoursError.ALREADY_CHECKED_IN.error(detail={"row": i})
        seen.add(key)
        existing = Attendance.objects.filter(activity=activity, volunteer_id=entry.volunteer_id, day=entry.day).first()
        if existing is not None:
            if entry.checked_out_at is None:
                raise HoursError.ALREADY_CHECKED_IN.error(detail={"row": i})
            if existing.checked_out_at is not None:
                raise HoursError.ALREADY_CHECKED_OUT.error(detail={"row": i})
            if entry.checked_in_at != existing.checked_in_at:
                raise HoursError.ALREADY_CHECKED_IN.error(detail={"row": i})
            out.append(_close(existing, at=entry.checked_out_at, method=CheckMethod.ORGANISER))
            continue
        out.append(Attendance.objects.create(
            activity=activity, signup=signup, volunteer_id=entry.volunteer_id, day=entry.day,
            checked_in_at=entry.checked_in_at, in_method=CheckMethod.ORGANISER, checked_out_at=entry.checked_out_at,
            out_method=CheckMethod.ORGANISER if entry.checked_out_at else "", recorded_by=actor,
        ))
    return out


# --- confirmation (R-V5) -------------------------------------------------------------------------------------------


@transaction.atomic
def attendance_confirm(*, attendance: Attendance, actor) -> ServiceRecord:
    """Turn a closed attendance into an original ServiceRecord with its derived hours; open ones are refused."""
    scoping.require(actor, perms.CONFIRM, attendance.activity.unit)
    activity = _lock_activity(attendance.activity)
    attendance = (Attendance.objects.select_for_update(of=("self",)).select_related("volunteer__person")
                  .annotate(confirmed=_original_exists()).get(pk=attendance.pk))
    return _confirm_locked(activity=activity, attendance=attendance, actor=actor)


def _original_exists() -> Exists:
    return Exists(ServiceRecord.objects.filter(attendance=OuterRef("pk"), kind=RecordKind.ORIGINAL))


def _confirm_locked(*, activity: Activity, attendance: Attendance, actor) -> ServiceRecord:
    """The confirmation itself, in the caller's transaction: ``activity`` and ``attendance`` were read under their
    row locks (every write of an activity's attendances and originals takes the activity's lock first), and
    ``attendance.confirmed`` says whether it already has an original."""
    if attendance.checked_out_at is None:
        raise HoursError.MISSING_CHECKOUT.error(detail={"attendance_id": attendance.pk})
    if attendance.confirmed:
        raise HoursError.ALREADY_CONFIRMED.error(detail={"attendance_id": attendance.pk})
    _no_current_record(activity=activity, volunteer=attendance.volunteer, day=attendance.day)
    attendance.activity = activity
    derived = derive_hours(attendance)
    record = ServiceRecord(
        volunteer=attendance.volunteer, activity=activity, attendance=attendance, unit_path=activity.unit.path,
        day=attendance.day, started_at=derived.started_at, ended_at=derived.ended_at, hours=derived.hours,
        content=record_content(activity), source=RecordSource.CHECKIN, kind=RecordKind.ORIGINAL, confirmed_by=actor,
        confirmed_at=clock.now(),
    )
    return _write(record, None)


@transaction.atomic
def attendances_confirm(*, activity: Activity, actor, attendance_ids: list[int] | None = None) -> list[ServiceRecord]:
    """Confirm the given attendances (or every closed, unconfirmed one when ``attendance_ids`` is None).

    The activity is locked once, then its attendances are read under their row locks; each is confirmed in this
    one transaction (all or none)."""
    scoping.require(actor, perms.CONFIRM, activity.unit)
    activity = _lock_activity(activity)
    if attendance_ids is None:
        targets = _CLOSED_UNCONFIRMED.all([activity.pk])
    else:
        # an id beyond the database's integer range names no row (and SQLite cannot even bind it)
        wanted = sorted({pk for pk in attendance_ids if 0 < pk <= MAX_ID})
        found = {a.pk: a for a in _attendances_to_confirm(len(wanted)).all([activity.pk, *wanted])} if wanted else {}
        missing = [pk for pk in attendance_ids if pk not in found]
        if missing:
            raise HoursError.NOT_CHECKED_IN.error(detail={"attendance_ids": missing})
        targets = [found[pk] for pk in sorted(set(attendance_ids))]
    return [_confirm_locked(activity=activity, attendance=a, actor=actor) for a in targets]


# --- corrections, revocations, back-entries (R-V5, R-V6) -----------------------------------------------------------


def _current_for_change(record: ServiceRecord, actor) -> ServiceRecord:
    scoping.require(actor, perms.CONFIRM, record.unit_path)
    record = _lock_record(record)
    if record.kind == RecordKind.REVOCATION or ServiceRecord.objects.filter(supersedes=record).exists():
        raise HoursError.NOT_CURRENT.error(detail={"record_id": record.pk})
    return record


def _successor(record: ServiceRecord, *, kind: str, hours: Decimal, reason: str, actor) -> ServiceRecord:
    return ServiceRecord(
        volunteer=record.volunteer, activity=record.activity, attendance=record.attendance,
        unit_path=record.unit_path, day=record.day, started_at=record.started_at, ended_at=record.ended_at,
        hours=hours, content=record.content, source=record.source, kind=kind, supersedes=record, reason=reason,
        confirmed_by=actor, confirmed_at=clock.now(),
    )


@transaction.atomic
def service_record_correct(*, record: ServiceRecord, hours, reason: str, actor) -> ServiceRecord:
    """Append a correction of a current record (never above the activity's duration that day, R-V6)."""
    record = _current_for_change(record, actor)
    reason = _reason(reason)
    hours = parse_hours(hours)
    _check_cap(record.activity, record.day, hours)
    hours = recognised(record.volunteer, record.day, hours)
    return _write(_successor(record, kind=RecordKind.CORRECTION, hours=hours, reason=reason, actor=actor), record)


@transaction.atomic
def service_record_revoke(*, record: ServiceRecord, reason: str, actor) -> ServiceRecord:
    """Append a revocation: the record stops counting (hours 0 on the new row), the old row stays as it was."""
    record = _current_for_change(record, actor)
    reason = _reason(reason)
    return _write(_successor(record, kind=RecordKind.REVOCATION, hours=Decimal("0.0000"), reason=reason,
                             actor=actor), record)


@transaction.atomic
def service_record_back_enter(*, activity: Activity, volunteer: VolunteerProfile, day: dt.date, hours, reason: str,
                              actor) -> ServiceRecord:
    """补录: an original marked back_entry, never above the activity's duration that day, one per volunteer/day."""
    scoping.require(actor, perms.BACK_ENTRY, activity.unit)
    activity = _lock_activity(activity)
    reason = _reason(reason)
    hours = parse_hours(hours)
    if day_window(activity, day) is None:
        raise HoursError.DAY_OUTSIDE_ACTIVITY.error(detail={"field": "day"})
    _check_cap(activity, day, hours)
    _no_current_record(activity=activity, volunteer=volunteer, day=day)
    record = ServiceRecord(
        volunteer=volunteer, activity=activity, unit_path=activity.unit.path, day=day,
        hours=recognised(volunteer, day, hours), content=record_content(activity), source=RecordSource.BACK_ENTRY,
        kind=RecordKind.ORIGINAL, reason=reason, confirmed_by=actor, confirmed_at=clock.now(),
    )
    return _write(record, None)


# --- disputes (R-V6) ----------------------------------------------------------------------------------------------


@transaction.atomic
def dispute_open(*, record: ServiceRecord, reason: str, actor) -> Dispute:
    """The volunteer objects to one of their own current records."""
    record = _lock_record(record)
    if record.volunteer.person.user_id != actor.pk:
        raise HoursError.NOT_OWN_RECORD.error()
    if record.kind == RecordKind.REVOCATION or ServiceRecord.objects.filter(supersedes=record).exists():
        raise HoursError.NOT_CURRENT.error(detail={"record_id": record.pk})
    reason = _reason(reason)
    if Dispute.objects.filter(record=record, resolution__isnull=True).exists():
        raise HoursError.DISPUTE_OPEN.error()
    return Dispute.objects.create(record=record, reason=reason, opened_by=actor, opened_at=clock.now())


@transaction.atomic
def dispute_resolve(*, dispute: Dispute, note: str, actor, hours=None) -> DisputeResolution:
    """The organiser answers a dispute, appending a correction of the record when ``hours`` is given."""
    scoping.require(actor, perms.CONFIRM, dispute.record.unit_path)
    dispute = Dispute.objects.select_for_update().select_related("record").get(pk=dispute.pk)
    if DisputeResolution.objects.filter(dispute=dispute).exists():
        raise HoursError.DISPUTE_RESOLVED.error()
    note = _reason(note)
    correction = None
    if hours is not None and hours != "":
        correction = service_record_correct(record=dispute.record, hours=hours, reason=note, actor=actor)
    return DisputeResolution.objects.create(dispute=dispute, note=note, correction=correction, resolved_by=actor,
                                            resolved_at=clock.now())
