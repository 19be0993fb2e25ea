"""Every read of the hours app, scoped through ``accounts.scoping`` (other units' rows → 404).

``volunteer_total_hours`` and ``volunteer_records`` are the unscoped building blocks other apps call for one
volunteer they already hold (recognition: certificates, star levels); pages and the API reach them only after
checking the actor may see that volunteer (:func:`volunteer_get_for`) or is that volunteer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, QuerySet, Sum

from gongzhi.accounts import scoping
from gongzhi.activities.models import Activity, Signup, SignupStatus
from gongzhi.core import hotreads
from gongzhi.core.errors import CommonError
from gongzhi.people.models import VolunteerProfile

from . import permissions as perms
from .models import Attendance, Dispute, RecordKind, RecordSource, ServiceRecord
from .services import Derived, derive_hours

# --- for other apps: one volunteer's records ---------------------------------------------------------------------


def volunteer_records(volunteer: VolunteerProfile, *, start: dt.date | None = None, end: dt.date | None = None,
                      source: str | None = None, current: bool = True) -> QuerySet[ServiceRecord]:
    """The volunteer's records (current ones by default), by service day ``start``…``end`` inclusive and source."""
    qs = ServiceRecord.objects.current() if current else ServiceRecord.objects.all()
    qs = qs.filter(volunteer=volunteer)
    if start is not None:
        qs = qs.filter(day__gte=start)
    if end is not None:
        qs = qs.filter(day__lte=end)
    if source is not None:
        qs = qs.filter(source=source)
    return qs.select_related("activity", "activity__unit", "supersedes", "volunteer__person",
                             "confirmed_by").order_by("-day", "-pk")


def volunteer_total_hours(volunteer: VolunteerProfile, *, start: dt.date | None = None, end: dt.date | None = None,
                          source: str | None = None) -> Decimal:
    """Total confirmed hours that count now (corrections applied, revocations removed)."""
    total = volunteer_records(volunteer, start=start, end=end, source=source).order_by().aggregate(t=Sum("hours"))["t"]
    return Decimal(total or 0).quantize(Decimal("0.0001"))


# --- organiser: activities, attendances ----------------------------------------------------------------------------


# every confirmation reads its activity first: hand-written SQL (core.hotreads), the same instance as
# Activity.objects.select_related("unit", "category").filter(pk=…).first()
_ACTIVITY = hotreads.HotRead(Activity, related=("unit", "category"), where="t.id = %s")


def activity_for_confirm(*, actor, pk: int) -> Activity:
    """An activity the actor may run check-in and confirm hours for (hours.confirm on its unit)."""
    return scoping.get_scoped_read(_ACTIVITY, actor, perms.CONFIRM, pk, path=lambda a: a.unit.path)


def activity_for_back_entry(*, actor, pk: int) -> Activity:
    return scoping.get_scoped(Activity.objects.select_related("unit", "category"), actor, perms.BACK_ENTRY,
                              "unit__path", pk=pk)


def organiser_activities(*, actor) -> QuerySet[Activity]:
    """Activities the actor confirms hours for, newest first."""
    scoping.require(actor, perms.CONFIRM)
    return scoping.scope(Activity.objects.select_related("unit", "category"), actor, perms.CONFIRM, "unit__path")


@dataclass
class AttendanceRow:
    attendance: Attendance
    derived: Derived | None
    record: ServiceRecord | None

    @property
    def missing_checkout(self) -> bool:
        return self.attendance.checked_out_at is None

    @property
    def confirmable(self) -> bool:
        return self.record is None and not self.missing_checkout


def attendance_rows(*, activity: Activity) -> list[AttendanceRow]:
    """The activity's attendances with their derived hours and the original they were confirmed into (if any).

    The caller has fetched ``activity`` through :func:`activity_for_confirm`."""
    originals = ServiceRecord.objects.filter(kind=RecordKind.ORIGINAL)
    qs = (Attendance.objects.filter(activity=activity)
          .select_related("activity", "volunteer__person", "volunteer__unit")
          .prefetch_related(Prefetch("records", queryset=originals, to_attr="originals"))
          .order_by("day", "volunteer__person__name", "pk"))
    rows = []
    for a in qs:
        rows.append(AttendanceRow(a, derive_hours(a), a.originals[0] if a.originals else None))
    return rows


def confirmed_signups(*, activity: Activity) -> QuerySet[Signup]:
    return (Signup.objects.filter(activity=activity, status=SignupStatus.CONFIRMED)
            .select_related("volunteer__person").order_by("volunteer__person__name", "pk"))


def attendance_get_for(*, actor, pk: int) -> Attendance:
    return scoping.get_scoped(Attendance.objects.select_related("activity__unit", "volunteer__person"), actor,
                              perms.CONFIRM, "activity__unit__path", pk=pk)


# --- service records -------------------------------------------------------------------------------------------------


def service_record_list(*, actor, volunteer_id: int | None = None, activity_id: int | None = None,
                        start: dt.date | None = None, end: dt.date | None = None, source: str | None = None,
                        unit_path: str | None = None, include_history: bool = False) -> QuerySet[ServiceRecord]:
    """Records under the actor's units (hours.view), current ones unless ``include_history``."""
    scoping.require(actor, perms.VIEW)
    qs = ServiceRecord.objects.all() if include_history else ServiceRecord.objects.current()
    qs = scoping.scope(qs, actor, perms.VIEW, "unit_path")
    if volunteer_id is not None:
        qs = qs.filter(volunteer_id=volunteer_id)
    if activity_id is not None:
        qs = qs.filter(activity_id=activity_id)
    if start is not None:
        qs = qs.filter(day__gte=start)
    if end is not None:
        qs = qs.filter(day__lte=end)
    if source is not None:
        qs = qs.filter(source=source)
    if unit_path:
        qs = qs.filter(unit_path__startswith=unit_path)
    return qs.select_related("activity", "volunteer__person", "supersedes", "confirmed_by").order_by("-day", "-pk")


def service_record_get(*, actor, pk: int) -> ServiceRecord:
    return scoping.get_scoped(ServiceRecord.objects.select_related("activity__unit", "volunteer__person", "supersedes"),
                              actor, perms.VIEW, "unit_path", pk=pk)


def own_record_get(*, actor, pk: int) -> ServiceRecord:
    """One of the actor's own records (someone else's → 404)."""
    record = (ServiceRecord.objects.select_related("activity", "volunteer__person")
              .filter(pk=pk, volunteer__person__user_id=actor.pk).first())
    if record is None:
        raise CommonError.NOT_FOUND.error()
    return record


def record_chain(record: ServiceRecord) -> list[ServiceRecord]:
    """The record and every row before it (oldest first): what was recorded, then each correction with its reason."""
    chain = [record]
    while chain[0].supersedes_id is not None:
        chain.insert(0, ServiceRecord.objects.select_related("confirmed_by").get(pk=chain[0].supersedes_id))
    return chain


def volunteer_get_for(*, actor, pk: int) -> VolunteerProfile:
    """A volunteer a worker may see hours of: registered under, or with records in, the actor's units (hours.view)."""
    scoping.require(actor, perms.VIEW)
    qs = VolunteerProfile.objects.select_related("person", "unit").filter(pk=pk)
    visible = scoping.scope(qs, actor, perms.VIEW, "unit__path").first()
    if visible is None and scoping.scope(ServiceRecord.objects.filter(volunteer_id=pk), actor, perms.VIEW,
                                         "unit_path").exists():
        visible = qs.first()
    if visible is None:
        raise CommonError.NOT_FOUND.error()
    return visible


@dataclass
class HistoryRow:
    record: ServiceRecord
    corrections: list[ServiceRecord]

    @property
    def previous(self) -> ServiceRecord | None:
        """The row this one replaced (for "corrected from X hours")."""
        return self.corrections[-1] if self.corrections else None

    @property
    def back_entry(self) -> bool:
        return self.record.source == RecordSource.BACK_ENTRY


def history(records) -> list[HistoryRow]:
    """Current records with the earlier rows of each (so a correction is shown with its reason and old hours)."""
    return [HistoryRow(r, record_chain(r)[:-1] if r.supersedes_id else []) for r in records]


# --- disputes ------------------------------------------------------------------------------------------------------------


def dispute_list(*, actor, open_only: bool = False) -> QuerySet[Dispute]:
    """Disputes on records in the actor's units (hours.confirm)."""
    scoping.require(actor, perms.CONFIRM)
    qs = scoping.scope(Dispute.objects.all(), actor, perms.CONFIRM, "record__unit_path")
    if open_only:
        qs = qs.filter(resolution__isnull=True)
    return qs.select_related("record__activity", "record__volunteer__person", "resolution").order_by("-opened_at")


def dispute_get_for(*, actor, pk: int) -> Dispute:
    return scoping.get_scoped(Dispute.objects.select_related("record__activity", "record__volunteer__person"), actor,
                              perms.CONFIRM, "record__unit_path", pk=pk)


def own_disputes(*, actor) -> QuerySet[Dispute]:
    return (Dispute.objects.filter(opened_by=actor).select_related("record__activity", "resolution")
            .order_by("-opened_at"))
