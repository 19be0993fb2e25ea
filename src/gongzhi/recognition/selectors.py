"""Reads for recognition, scoped through ``accounts.scoping``: hours that count, star levels, scores, certificates.

Totals come from ``ServiceRecord.objects.current()`` (originals and corrections nobody superseded), so a correction or
revocation in ``hours`` changes them at once; issued certificates keep their own frozen copy (R-V7).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Avg, Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts import scoping
from gongzhi.activities.models import Activity
from gongzhi.core import clock
from gongzhi.core.errors import CommonError
from gongzhi.hours.models import ServiceRecord
from gongzhi.org.models import Unit, subtree_q
from gongzhi.people.models import VolunteerProfile, VolunteerStatus

from . import permissions as perms
from .errors import RecognitionError
from .models import (
    Certificate,
    Honour,
    HonourList,
    IncentiveFormula,
    Rating,
    StarAward,
    StarCandidateList,
    StarThreshold,
)

ZERO = Decimal("0")
VOLUNTEER_PATH = "unit__path"


def local_today() -> dt.date:
    return timezone.localdate(clock.now())


# --- hours ----------------------------------------------------------------------------------------------------


def records_that_count(volunteer=None, *, start: dt.date | None = None, end: dt.date | None = None,
                       unit_path: str | None = None) -> QuerySet:
    qs = ServiceRecord.objects.current()
    if volunteer is not None:
        qs = qs.filter(volunteer=volunteer)
    if start is not None:
        qs = qs.filter(day__gte=start)
    if end is not None:
        qs = qs.filter(day__lte=end)
    if unit_path:
        qs = qs.filter(subtree_q(unit_path, "unit_path"))
    return qs


def volunteer_hours(volunteer, *, start: dt.date | None = None, end: dt.date | None = None,
                    unit_path: str | None = None) -> Decimal:
    """Confirmed hours that count now (R-V5), optionally within a period and the activities of a unit's subtree."""
    total = records_that_count(volunteer, start=start, end=end, unit_path=unit_path).aggregate(s=Sum("hours"))["s"]
    return total or ZERO


# --- star levels (R-V8) ---------------------------------------------------------------------------------------


def star_thresholds_for(unit: Unit | None) -> list[StarThreshold]:
    """The thresholds in force for ``unit``: its own rows, else its nearest ancestor's, else the district default."""
    if unit is not None:
        paths = [*unit.ancestors_paths(), unit.path]
        rows = list(StarThreshold.objects.filter(unit__path__in=paths).select_related("unit"))
        if rows:
            deepest = max(r.unit.path for r in rows)
            return sorted((r for r in rows if r.unit.path == deepest), key=lambda r: r.level)
    return list(StarThreshold.objects.filter(unit__isnull=True).order_by("level"))


def star_level_for(hours: Decimal, unit: Unit | None, *, thresholds: list[StarThreshold] | None = None) -> int:
    """The highest level whose hours are reached with every lower level reached too (earned in order, never skipped)."""
    level = 0
    for row in thresholds if thresholds is not None else star_thresholds_for(unit):
        if row.level != level + 1 or hours < row.min_hours:
            break
        level = row.level
    return level


def awarded_level(volunteer) -> int:
    latest = StarAward.objects.filter(volunteer=volunteer).order_by("-approved_at", "-pk").first()
    return latest.level if latest else 0


def awarded_levels(volunteer_ids) -> dict[int, int]:
    """Current awarded level per volunteer id (the latest award row of each)."""
    out: dict[int, int] = {}
    for vid, level in StarAward.objects.filter(volunteer_id__in=list(volunteer_ids)).order_by(
            "volunteer_id", "approved_at", "pk").values_list("volunteer_id", "level"):
        out[vid] = level
    return out


@dataclass
class StarStatus:
    level: int  # approved (awarded) level
    eligible_level: int  # level the hours reach (awaiting the candidate list and approval if higher)
    hours: Decimal
    next_level: int | None
    next_min_hours: Decimal | None
    hours_to_next: Decimal | None
    thresholds: list[StarThreshold] = field(default_factory=list)


def star_status(volunteer) -> StarStatus:
    thresholds = star_thresholds_for(volunteer.unit)
    hours = volunteer_hours(volunteer)
    eligible = star_level_for(hours, volunteer.unit, thresholds=thresholds)
    nxt = next((t for t in thresholds if t.level == eligible + 1), None)
    return StarStatus(
        level=awarded_level(volunteer), eligible_level=eligible, hours=hours,
        next_level=nxt.level if nxt else None, next_min_hours=nxt.min_hours if nxt else None,
        hours_to_next=(nxt.min_hours - hours) if nxt else None, thresholds=thresholds,
    )


@dataclass
class CandidateRow:
    volunteer: VolunteerProfile
    current_level: int
    level: int
    hours: Decimal


def unit_for(actor, perm: str, pk: int) -> Unit:
    """A unit the actor holds ``perm`` on (403 without it anywhere, 404 for a unit outside their subtrees)."""
    scoping.require(actor, perm)
    unit = scoping.units_for(actor, perm).filter(pk=pk).first()
    if unit is None:
        raise CommonError.NOT_FOUND.error()
    return unit


def star_candidates(*, unit: Unit, period_end: dt.date) -> list[CandidateRow]:
    """Active volunteers registered under ``unit`` whose hours up to ``period_end`` reach a level above their own."""
    volunteers = VolunteerProfile.objects.filter(subtree_q(unit.path, VOLUNTEER_PATH),
                                                 status=VolunteerStatus.ACTIVE)
    totals = dict(
        records_that_count(end=period_end).filter(volunteer__in=volunteers).values("volunteer_id")
        .annotate(h=Sum("hours")).values_list("volunteer_id", "h")
    )
    if not totals:
        return []
    profiles = {v.pk: v for v in VolunteerProfile.objects.filter(pk__in=totals).select_related("person", "unit")}
    levels = awarded_levels(totals)
    by_unit: dict[int, list[StarThreshold]] = {}
    rows = []
    for vid, hours in totals.items():
        v = profiles[vid]
        if v.unit_id not in by_unit:
            by_unit[v.unit_id] = star_thresholds_for(v.unit)
        eligible = star_level_for(hours, v.unit, thresholds=by_unit[v.unit_id])
        current = levels.get(vid, 0)
        if eligible > current:
            rows.append(CandidateRow(volunteer=v, current_level=current, level=eligible, hours=hours))
    rows.sort(key=lambda r: (-r.level, -r.hours, r.volunteer.number))
    return rows


def candidate_lists(*, actor) -> QuerySet:
    scoping.require(actor, perms.VIEW)
    return scoping.scope(StarCandidateList.objects.all(), actor, perms.VIEW, "unit__path").select_related(
        "unit", "published_by").prefetch_related("entries__volunteer__person")


def candidate_list_get(*, actor, pk: int) -> StarCandidateList:
    return scoping.get_scoped(candidate_lists(actor=actor), actor, perms.VIEW, "unit__path", pk=pk)


def approved_candidate_ids(candidate_list: StarCandidateList) -> set[int]:
    return set(StarAward.objects.filter(candidate__candidate_list=candidate_list).values_list("candidate_id",
                                                                                               flat=True))


# --- volunteers -----------------------------------------------------------------------------------------------


def own_volunteer(actor) -> VolunteerProfile | None:
    if not getattr(actor, "is_authenticated", False):
        return None
    return VolunteerProfile.objects.select_related("person", "unit").filter(person__user_id=actor.pk).first()


def own_volunteer_or_error(actor) -> VolunteerProfile:
    volunteer = own_volunteer(actor)
    if volunteer is None:
        raise RecognitionError.NO_VOLUNTEER.error()
    return volunteer


def volunteer_get(*, actor, pk: int) -> VolunteerProfile:
    """A volunteer whose recognition the actor may see: their own, or one registered in the actor's units."""
    qs = VolunteerProfile.objects.select_related("person", "unit")
    if getattr(actor, "is_authenticated", False):
        own = qs.filter(pk=pk, person__user_id=actor.pk).first()
        if own is not None:
            return own
    return scoping.get_scoped(qs, actor, perms.VIEW, VOLUNTEER_PATH, pk=pk)


# --- incentive score ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date
    label: str


def year_period(year: int) -> Period:
    if not 2000 <= year <= 2100:
        raise RecognitionError.YEAR_INVALID.error(detail={"year": year})
    return Period(dt.date(year, 1, 1), dt.date(year, 12, 31), _("%(year)s年度") % {"year": year})


def formula_in_force(on: dt.date) -> IncentiveFormula:
    formula = IncentiveFormula.objects.filter(valid_from__lte=on).order_by("-version").first()
    if formula is None:
        formula = IncentiveFormula.objects.order_by("version").first()
    if formula is None:
        raise RecognitionError.NO_FORMULA.error()
    return formula


@dataclass
class ScoreItem:
    key: str
    label: str
    value: Decimal
    weight: Decimal
    points: Decimal


@dataclass
class Score:
    total: Decimal
    period: Period
    formula: IncentiveFormula
    items: list[ScoreItem]


def _score_figures(volunteer_ids, period: Period) -> dict[int, dict[str, Decimal]]:
    figures: dict[int, dict[str, Decimal]] = defaultdict(
        lambda: {"hours": ZERO, "activities": ZERO, "honours": ZERO, "satisfaction": ZERO})
    records = records_that_count(start=period.start, end=period.end).filter(volunteer_id__in=volunteer_ids,
                                                                              hours__gt=0)
    for row in records.values("volunteer_id").annotate(h=Sum("hours"), a=Count("activity_id", distinct=True)):
        figures[row["volunteer_id"]]["hours"] = row["h"] or ZERO
        figures[row["volunteer_id"]]["activities"] = Decimal(row["a"])
    honours = Honour.objects.filter(volunteer_id__in=volunteer_ids, honour_list__year__gte=period.start.year,
                                    honour_list__year__lte=period.end.year)
    for row in honours.values("volunteer_id").annotate(n=Count("pk")):
        figures[row["volunteer_id"]]["honours"] = Decimal(row["n"])
    ratings = current_ratings().filter(volunteer_id__in=volunteer_ids, activity__starts_at__date__gte=period.start,
                                       activity__starts_at__date__lte=period.end)
    for row in ratings.values("volunteer_id").annotate(avg=Avg("score")):
        figures[row["volunteer_id"]]["satisfaction"] = Decimal(str(row["avg"])).quantize(Decimal("0.01"))
    return figures


def _score_from(figures: dict[str, Decimal], formula: IncentiveFormula, period: Period) -> Score:
    parts = [
        ("hours", _("服务时长（小时）"), formula.weight_hours),
        ("activities", _("服务成果：参加活动（场）"), formula.weight_activity),
        ("honours", _("服务成果：获得表彰（项）"), formula.weight_honour),
        ("satisfaction", _("服务对象满意度（平均分，满分5分）"), formula.weight_satisfaction),
    ]
    items = [ScoreItem(key, label, figures[key], weight, (figures[key] * weight).quantize(Decimal("0.001")))
             for key, label, weight in parts]
    return Score(total=sum((i.points for i in items), ZERO), period=period, formula=formula, items=items)


def incentive_score(volunteer, period: Period) -> Score:
    """The 奖励制度 score of one volunteer for a period, with the formula and each part (shown to the volunteer)."""
    formula = formula_in_force(period.end)
    return _score_from(_score_figures([volunteer.pk], period)[volunteer.pk], formula, period)


def incentive_ranking(*, unit: Unit, period: Period, top: int) -> list[tuple[VolunteerProfile, Score]]:
    """Active volunteers registered under ``unit`` ranked by score (ties: more hours, then volunteer number)."""
    formula = formula_in_force(period.end)
    ids = list(VolunteerProfile.objects.filter(subtree_q(unit.path, VOLUNTEER_PATH), status=VolunteerStatus.ACTIVE)
               .values_list("pk", flat=True))
    figures = _score_figures(ids, period)
    scored = [(vid, _score_from(f, formula, period)) for vid, f in figures.items()]
    scored = [(vid, s) for vid, s in scored if s.total > 0]
    profiles = {v.pk: v for v in VolunteerProfile.objects.filter(pk__in=[v for v, _ in scored])
                .select_related("person", "unit")}
    scored.sort(key=lambda x: (-x[1].total, -x[1].items[0].value, profiles[x[0]].number))
    return [(profiles[vid], s) for vid, s in scored[:top]]


# --- ratings ------------------------------------------------------------------------------------------------

def activity_get(*, actor, pk: int) -> Activity:
    """An activity whose volunteers the actor may rate (other units' activities are not found)."""
    return scoping.get_scoped(Activity.objects.select_related("unit"), actor, perms.RATE, "unit__path", pk=pk)



def rateable_activities(*, actor, volunteer) -> list[Activity]:
    """Activities the volunteer served on (a record that counts) that the actor may rate."""
    ids = records_that_count(volunteer).values_list("activity_id", flat=True).distinct()
    qs = scoping.scope(Activity.objects.filter(pk__in=ids), actor, perms.RATE, "unit__path")
    return list(qs.order_by("-starts_at")[:50])


def current_ratings() -> QuerySet:
    return Rating.objects.filter(superseded_by__isnull=True)


def rating_list(*, actor, volunteer_id: int | None = None, activity_id: int | None = None) -> QuerySet:
    scoping.require(actor, perms.VIEW)
    qs = scoping.scope(current_ratings(), actor, perms.VIEW, "unit_path")
    if volunteer_id:
        qs = qs.filter(volunteer_id=volunteer_id)
    if activity_id:
        qs = qs.filter(activity_id=activity_id)
    return qs.select_related("activity", "volunteer__person", "rated_by")


# --- certificates ---------------------------------------------------------------------------------------------


def _certificates() -> QuerySet:
    return Certificate.objects.select_related("volunteer__person", "unit", "requested_by")


def certificate_list(*, actor, status: str | None = None) -> QuerySet:
    """Certificates the actor handles (issuer in their units) or their own."""
    own = Q(volunteer__person__user_id=actor.pk) if getattr(actor, "is_authenticated", False) else Q(pk__in=[])
    if not scoping.has_anywhere(actor, perms.VIEW) and not own_volunteer(actor):
        raise CommonError.FORBIDDEN.error(detail={"permission": perms.VIEW})
    qs = _certificates().filter(scoping.scope_q(actor, perms.VIEW, "unit__path") | own)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-requested_at", "-pk")


def certificate_get(*, actor, pk: int) -> Certificate:
    if getattr(actor, "is_authenticated", False):
        own = _certificates().filter(pk=pk, volunteer__person__user_id=actor.pk).first()
        if own is not None:
            return own
    return scoping.get_scoped(_certificates(), actor, perms.VIEW, "unit__path", pk=pk)


def certificate_by_code(code: str) -> Certificate:
    """The public lookup: an issued or revoked certificate by its verification code, or not found."""
    cert = (Certificate.objects.filter(verify_code=(code or "").strip().upper(),
                                       status__in=["issued", "revoked"]).first() if code else None)
    if cert is None:
        raise CommonError.NOT_FOUND.error()
    return cert


# --- honours --------------------------------------------------------------------------------------------------


def honour_lists(*, actor, year: int | None = None) -> QuerySet:
    scoping.require(actor, perms.VIEW)
    qs = scoping.scope(HonourList.objects.all(), actor, perms.VIEW, "unit__path")
    if year:
        qs = qs.filter(year=year)
    return qs.select_related("unit", "published_by", "formula").prefetch_related("honours__volunteer__person")


def volunteer_honours(volunteer) -> QuerySet:
    return Honour.objects.filter(volunteer=volunteer).select_related("honour_list__unit").order_by(
        "-honour_list__year", "pk")
