"""Scoped reads of appeals, the reporter's view and the masking of complainant data (R-H7)."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from gongzhi.accounts import scoping
from gongzhi.core import clock, crypto
from gongzhi.core.errors import CommonError
from gongzhi.org.models import subtree_q
from gongzhi.privacy.masking import mask_name, mask_phone
from gongzhi.privacy.services import access_log_record

from . import permissions as perms
from . import rules
from .calendar import Calendar
from .models import Appeal, AppealEvent, AppealState, Holiday, TimeLimit

_RELATED = ("unit", "category", "owner", "assignee_unit", "assignee_team", "assignee_user", "merged_into",
            "level_unit")


def appeal_list(*, actor, state: str | None = None, category: str | None = None, channel: str | None = None,
                overdue: bool | None = None, escalated_to_me: bool = False) -> QuerySet:
    """Appeals under the units where the actor holds ``appeals.view`` (a grid worker: their grid);
    ``escalated_to_me``: only those escalated to a unit where the actor holds a role (升级督办)."""
    scoping.require(actor, perms.VIEW)
    qs = scoping.scope(Appeal.objects.select_related(*_RELATED), actor, perms.VIEW, "unit__path")
    if state:
        qs = qs.filter(state=state)
    if category:
        qs = qs.filter(Q(category__code=category) | Q(category__parent__code=category))
    if channel:
        qs = qs.filter(channel=channel)
    if overdue is not None:
        q = overdue_q()
        qs = qs.filter(q) if overdue else qs.exclude(q)
    if escalated_to_me:
        qs = qs.filter(level_unit__in=[u.pk for u in scoping.top_units(actor) if scoping.can(actor, perms.VIEW, u)])
    return qs


def overdue_q() -> Q:
    now = clock.now()
    waiting = Q(state=AppealState.SUBMITTED, accept_due_at__lt=now)
    open_states = [s for s in AppealState.values if s not in rules.FINISHED and s != AppealState.SUBMITTED]
    late = Q(state__in=open_states, reply_due_at__lt=now, resolved_at__isnull=True)
    return waiting | late


def appeal_get(*, actor, pk: int) -> Appeal:
    return scoping.get_scoped(Appeal.objects.select_related(*_RELATED), actor, perms.VIEW, "unit__path", pk=pk)


def my_appeals(*, actor) -> QuerySet:
    if not getattr(actor, "is_authenticated", False):
        raise CommonError.UNAUTHENTICATED.error()
    return Appeal.objects.select_related(*_RELATED).filter(reporter_user=actor)


def my_appeal_get(*, actor, pk: int) -> Appeal:
    appeal = my_appeals(actor=actor).filter(pk=pk).first()
    if appeal is None:
        raise CommonError.NOT_FOUND.error()
    return appeal


# --- possible duplicates on intake (issue 5 item 7) -------------------------------------------------------------

DUPLICATE_METERS = 50
EARTH_RADIUS_M = 6_371_000
METERS_PER_DEGREE_LAT = 111_320


def duplicate_days() -> int:
    """How far back a duplicate may have been filed (setting ``APPEALS_DUPLICATE_DAYS``, default 7)."""
    from django.conf import settings

    return int(getattr(settings, "APPEALS_DUPLICATE_DAYS", 7))


def haversine_m(lat1, lng1, lat2, lng2) -> float:
    """Great-circle distance in metres."""
    import math

    p1, p2 = math.radians(float(lat1)), math.radians(float(lat2))
    dp, dl = p2 - p1, math.radians(float(lng2) - float(lng1))
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


@dataclass
class DuplicateCandidate:
    appeal: Appeal
    distance_m: float


def duplicate_candidates(*, category, latitude, longitude, exclude=None, among: QuerySet | None = None
                         ) -> list[DuplicateCandidate]:
    """Open appeals of the same (leaf) category within ~50 m filed in the last ``duplicate_days()``, nearest first.

    ``category`` is a Category or its code; ``exclude`` an appeal (or pk) to leave out; ``among`` an already scoped
    queryset to search in (default: all appeals; callers that show more than category, state and distance scope it).
    A latitude/longitude box around the point is filtered in the database (with the category and the filing window,
    which the ``appeal_category_submitted`` index serves), and the exact haversine distance only over the few rows
    inside the box."""
    import math

    if latitude is None or longitude is None:
        return []
    lat, lng = float(latitude), float(longitude)
    dlat = DUPLICATE_METERS / METERS_PER_DEGREE_LAT
    dlng = dlat / max(math.cos(math.radians(lat)), 0.01)
    qs = (among if among is not None else Appeal.objects.select_related("unit", "category")).filter(
        latitude__gte=lat - dlat, latitude__lte=lat + dlat, longitude__gte=lng - dlng, longitude__lte=lng + dlng,
        submitted_at__gte=clock.now() - dt.timedelta(days=duplicate_days()),
    ).exclude(state__in=rules.FINISHED)
    qs = qs.filter(category__code=category) if isinstance(category, str) else qs.filter(category=category)
    if exclude is not None:
        qs = qs.exclude(pk=getattr(exclude, "pk", exclude))
    found = [DuplicateCandidate(appeal=a, distance_m=haversine_m(lat, lng, a.latitude, a.longitude))
             for a in qs[:200]]
    return sorted((c for c in found if c.distance_m <= DUPLICATE_METERS),
                  key=lambda c: (c.distance_m, c.appeal.submitted_at))


# --- the public map and list (no login, no personal data; see presenters.public_item) -----------------------------

PUBLIC_STATUSES = ("open", "closed")


def public_appeals(*, unit=None, category: str | None = None, state: str | None = None,
                   status: str | None = None) -> QuerySet:
    """Appeals anyone may see on the public map: every one except duplicates (shown through the appeal kept) and
    refusals for secrecy or privacy (R-H2: such a matter is not public); optionally under a street or community,
    of a category (leaf or major class), in a state, or open/closed (closed = 办结, refused or merged)."""
    from django.db.models import Prefetch

    from .models import AppealPhoto, PhotoStage, RejectReason

    qs = Appeal.objects.select_related("unit", "category").exclude(state=AppealState.MERGED).exclude(
        state=AppealState.REJECTED, reject_reason=RejectReason.SECRETS).prefetch_related(
        Prefetch("photos", queryset=AppealPhoto.objects.filter(stage=PhotoStage.AFTER), to_attr="after_photos"))
    if unit is not None:
        qs = qs.filter(subtree_q(unit.path, "unit__path"))
    if category:
        qs = qs.filter(Q(category__code=category) | Q(category__parent__code=category))
    if state:
        qs = qs.filter(state=state)
    if status == "open":
        qs = qs.exclude(state__in=rules.FINISHED)
    elif status == "closed":
        qs = qs.filter(state__in=rules.FINISHED)
    return qs


def warning(appeal: Appeal, *, calendar: Calendar | None = None) -> str:
    """"red" when overdue, "yellow" with ≤ 1 working day left, else "" (R-H8)."""
    if appeal.state in rules.FINISHED:
        return ""
    if appeal.state == AppealState.SUBMITTED:
        due = appeal.accept_due_at
    elif appeal.resolved_at is None:
        due = appeal.reply_due_at
    else:
        return ""
    if due is None:
        return ""
    now = clock.now()
    if now > due:
        return "red"
    calendar = calendar or Calendar()
    if calendar.add_working_days(now, rules.YELLOW_WORKING_DAYS) >= due:
        return "yellow"
    return ""


@dataclass
class ReporterView:
    name: str
    phone: str
    masked: bool


def reporter_view(*, actor, appeal: Appeal, reveal: bool = False, channel: str = "page", request=None,
                  purpose: str = "") -> ReporterView:
    """R-H7: masked for everyone without ``appeals.handle`` on the appeal's unit; an unmasked read is logged."""
    name, phone = crypto.decrypt(appeal.reporter_name_enc), crypto.decrypt(appeal.reporter_phone_enc)
    own = appeal.reporter_user_id is not None and appeal.reporter_user_id == getattr(actor, "pk", None)
    if own:
        return ReporterView(name=name, phone=phone, masked=False)
    if reveal and scoping.can(actor, perms.HANDLE, appeal.unit):
        access_log_record(actor=actor, subject_type="appeals.appeal", subject_id=appeal.pk,
                          subject_label=appeal.number, unit_path=appeal.unit.path, fields=["name", "phone"],
                          channel=channel, purpose=purpose, request=request)
        return ReporterView(name=name, phone=phone, masked=False)
    return ReporterView(name=mask_name(name), phone=mask_phone(phone), masked=True)


# --- response figures (R-H8: response rate, 办结率, 满意率) --------------------------------------------------------

SATISFIED_RATING = 4  # a rating at or above this one counts as satisfied (满意率)


def _period_bounds(start, end) -> tuple[dt.datetime, dt.datetime]:
    """Dates mean whole local days (``end`` inclusive); datetimes are taken as given (``end`` exclusive)."""
    def bound(value, *, upper: bool) -> dt.datetime:
        if isinstance(value, dt.datetime):
            return value
        day = value + dt.timedelta(days=1) if upper else value
        return timezone.make_aware(dt.datetime.combine(day, dt.time.min))

    return bound(start, upper=False), bound(end, upper=True)


def _median(values: list[float]) -> float | None:
    return float(statistics.median(values)) if values else None


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _first_action_times(appeals: QuerySet) -> list[float]:
    """Per dispatched appeal, seconds from its first 派单 to the first 接单/start/处置/退回 after it."""
    rows = AppealEvent.objects.filter(appeal__in=appeals.values("pk"), action__in={"dispatch", *FIRST_ACTIONS}) \
        .order_by("appeal_id", "at", "pk").values_list("appeal_id", "action", "at")
    dispatched: dict[int, dt.datetime] = {}
    done: dict[int, float] = {}
    for appeal_id, action, at in rows:
        if action == "dispatch":
            dispatched.setdefault(appeal_id, at)
        elif appeal_id in dispatched and appeal_id not in done:
            done[appeal_id] = (at - dispatched[appeal_id]).total_seconds()
    return list(done.values())


def appeal_figures(*, unit, start, end) -> dict:
    """Figures for the appeals filed in ``unit``'s subtree during [start, end] (no personal data; public-safe).

    - ``count``: appeals filed, duplicates merged into another excluded;
    - ``response_rate``: accepted within the accept limit, of those accepted or past their limit (rejected excluded);
    - ``resolution_rate`` (办结率): closed, of the appeals counted (rejected excluded);
    - ``satisfaction_rate`` (满意率): rating ≥ 4 of the rated ones;
    - ``median_accept_seconds`` / ``median_resolve_seconds``: wall-clock time from filing to 受理 / 处置;
    - ``median_first_action_seconds``: from the first 派单 to the first action on it (the "马上" figure);
    - ``overdue``: currently red (past the accept or reply limit, not yet handled);
    - ``escalated``: appeals escalated at least once (each escalation is an ``escalate`` event).
    Rates are fractions in [0, 1] with four decimals, or None when there is nothing to divide by.
    """
    lo, hi = _period_bounds(start, end)
    now = clock.now()
    base = Appeal.objects.filter(subtree_q(unit.path, "unit__path"), submitted_at__gte=lo, submitted_at__lt=hi) \
        .exclude(state=AppealState.MERGED)
    handled = base.exclude(state=AppealState.REJECTED)
    figures = handled.aggregate(
        count=Count("pk"),
        accepted=Count("pk", filter=Q(accepted_at__isnull=False)),
        accept_due=Count("pk", filter=Q(accepted_at__isnull=False) | Q(accept_due_at__lt=now)),
        accepted_in_time=Count("pk", filter=Q(accepted_at__isnull=False, accepted_at__lte=F("accept_due_at"))),
        closed=Count("pk", filter=Q(state=AppealState.CLOSED)),
        rated=Count("pk", filter=Q(rating__isnull=False)),
        satisfied=Count("pk", filter=Q(rating__gte=SATISFIED_RATING)),
        overdue=Count("pk", filter=overdue_q()),
    )
    escalated = handled.filter(events__action="escalate").values("pk").distinct().count()
    rejected = base.filter(state=AppealState.REJECTED).count()
    accept_times = [(a - s).total_seconds() for s, a in
                    handled.filter(accepted_at__isnull=False).values_list("submitted_at", "accepted_at")]
    resolve_times = [(r - s).total_seconds() for s, r in
                     handled.filter(resolved_at__isnull=False).values_list("submitted_at", "resolved_at")]
    first_action_times = _first_action_times(handled)
    return {
        "unit_id": unit.pk, "unit": unit.name, "start": lo, "end": hi,
        "count": figures["count"], "rejected": rejected, "accepted": figures["accepted"],
        "response_rate": _rate(figures["accepted_in_time"], figures["accept_due"]),
        "closed": figures["closed"], "resolution_rate": _rate(figures["closed"], figures["count"]),
        "rated": figures["rated"], "satisfied": figures["satisfied"],
        "satisfaction_rate": _rate(figures["satisfied"], figures["rated"]),
        "median_accept_seconds": _median(accept_times), "median_resolve_seconds": _median(resolve_times),
        "median_first_action_seconds": _median(first_action_times),
        "overdue": figures["overdue"], "escalated": escalated,
    }


# --- extension, return, escalation, response times (R-H4, R-H8) ------------------------------------------------------

def appeal_may_return(*, appeal: Appeal, actor) -> bool:
    """退回 (R-H4) is for the unit, team or person the order was dispatched to (a handler there), not the owner."""
    if not getattr(actor, "is_authenticated", False) or actor.pk == appeal.owner_id:
        return False
    if appeal.assignee_user_id is not None and appeal.assignee_user_id == actor.pk:
        return True
    units = [u for u in (appeal.assignee_unit, getattr(appeal.assignee_team, "unit", None)) if u is not None]
    return any(scoping.can(actor, perms.HANDLE, u) for u in units)


FIRST_ACTIONS = frozenset({"take", "start", "resolve", "return"})


def response_times(appeal: Appeal, events) -> dict:
    """Per appeal: seconds from filing to 受理, and from the first 派单 to the first action on it (the "马上" figure:
    接单, start, 处置 or 退回); None while it has not happened."""
    events = list(events)
    dispatch = next((e for e in events if e.action == "dispatch"), None)
    first = next((e for e in events if dispatch is not None and e.action in FIRST_ACTIONS and
                  (e.at, e.pk) > (dispatch.at, dispatch.pk)), None)
    return {
        "accept_seconds": (appeal.accepted_at - appeal.submitted_at).total_seconds() if appeal.accepted_at else None,
        "first_action_seconds": (first.at - dispatch.at).total_seconds() if first else None,
    }


# --- configuration: holidays and time limits (R-H8) ---------------------------------------------------------------

def holiday_list(*, actor, year: int | None = None) -> QuerySet:
    """The working-day calendar's exceptions, for supervisors (``appeals.supervise`` anywhere)."""
    scoping.require(actor, perms.SUPERVISE)
    qs = Holiday.objects.all()
    return qs.filter(date__year=year) if year else qs


def time_limit_list(*, actor) -> QuerySet:
    """Every configured limit version, newest first within urgency and category (append-only history)."""
    scoping.require(actor, perms.SUPERVISE)
    return TimeLimit.objects.select_related("category", "created_by")


def time_limit_in_force(row, *, at=None) -> bool:
    """True when no later row for the same urgency and category has taken over by ``at`` (default now)."""
    at = at or clock.now()
    if row.effective_from > at:
        return False
    return not TimeLimit.objects.filter(urgency=row.urgency, category_id=row.category_id, effective_from__lte=at) \
        .filter(Q(effective_from__gt=row.effective_from) | Q(effective_from=row.effective_from, pk__gt=row.pk)) \
        .exists()
