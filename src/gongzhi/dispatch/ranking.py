"""The assignee ranking: one score formula, computed by the database over the cells near an order (fast path) and
by Python over every candidate (the reference the bench and tests compare with).

score = AVAILABILITY_BONUS × free at the order's time − distance (km) − LOAD_PENALTY × orders taken in 30 days;
ties go to the lower volunteer id. Distance is equirectangular at the order's latitude (exact enough within a
district, and the same in both paths). A ring of cells of half-width r around the order's cell holds every volunteer
closer than r cell widths, so once the N-th best score inside beats the best any volunteer outside could reach
(AVAILABILITY_BONUS − r × cell width) the top N is final; otherwise the ring widens.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.db.models import ExpressionWrapper, F, FloatField, Q, Value
from django.db.models.functions import Power, Sqrt
from django.utils import timezone

from . import rules

_ROW = 80_000  # cells per latitude row: lng index 0..72000


def cell_xy(lat: float, lng: float) -> tuple[int, int]:
    return math.floor((lat + 90) / rules.CELL_DEGREES), math.floor((lng + 180) / rules.CELL_DEGREES)


def cell_of(lat: float | None, lng: float | None) -> int | None:
    if lat is None or lng is None:
        return None
    y, x = cell_xy(float(lat), float(lng))
    return y * _ROW + x


def ring_q(lat: float, lng: float, r: int) -> Q:
    """The cells of half-width r around the point's cell: one key range per row of cells (index range scans)."""
    y0, x0 = cell_xy(lat, lng)
    q = Q()
    for y in range(y0 - r, y0 + r + 1):
        q |= Q(cell__gte=y * _ROW + x0 - r, cell__lte=y * _ROW + x0 + r)
    return q


def ring_reach_km(lat: float, r: int) -> float:
    """Every candidate outside the ring of half-width r is at least this far from a point of the centre cell."""
    return r * rules.CELL_DEGREES * rules.KM_PER_DEGREE * min(1.0, math.cos(math.radians(lat)))


def skill_bit(skill_id: int) -> int:
    return 1 << (skill_id - 1) if 1 <= skill_id <= 62 else 0


def slot_of(moment: dt.datetime, holidays: frozenset[dt.date] = frozenset()) -> str:
    local = timezone.localtime(moment)
    if local.date() in holidays:
        return "holiday"
    evening = not (rules.DAY_STARTS <= local.time() < rules.EVENING_STARTS)
    if local.weekday() >= 5:
        return "weekend_evening" if evening else "weekend_day"
    return "weekday_evening" if evening else "weekday_day"


def availability_mask(slots: list[str]) -> int:
    return sum(rules.SLOT_BITS.get(s, 0) for s in set(slots or []))


def distance_km(lat0: float, lng0: float, lat: float, lng: float) -> float:
    k = math.cos(math.radians(lat0))
    return math.hypot((lng - lng0) * k, lat - lat0) * rules.KM_PER_DEGREE


@dataclass(frozen=True)
class Target:
    """What is ranked against: the order's point, required skill, time slot bit and (optional) team members."""

    latitude: float
    longitude: float
    skill_id: int | None
    slot_bit: int
    persons: frozenset[int] | None = None  # team-restricted: only these people


def score(t: Target, *, latitude: float, longitude: float, availability_mask: int, recent_load: int) -> float:
    d = distance_km(t.latitude, t.longitude, latitude, longitude)
    free = 1 if availability_mask & t.slot_bit else 0
    return rules.AVAILABILITY_BONUS * free - d - rules.LOAD_PENALTY * recent_load


def qualified_q(t: Target) -> Q:
    """Active, located, with the skill (bit, or the list for ids above 62) and in the team when restricted.
    Needs ``annotate_score`` first (it adds ``skills_bit``)."""
    q = Q(active=True, latitude__isnull=False, longitude__isnull=False)
    if t.skill_id is not None:
        q &= Q(skills_bit__gt=0) if skill_bit(t.skill_id) else Q(skills_extra__contains=f",{t.skill_id},")
    if t.persons is not None:
        q &= Q(person_id__in=sorted(t.persons))
    return q


def annotate_score(qs, t: Target):
    """The score as a database expression (PostgreSQL and SQLite: Django provides SQRT/POWER on SQLite)."""
    k = math.cos(math.radians(t.latitude))
    dx = (F("longitude") - Value(t.longitude)) * Value(k)
    dy = F("latitude") - Value(t.latitude)
    distance = Sqrt(Power(dx, 2) + Power(dy, 2)) * Value(rules.KM_PER_DEGREE)
    qs = qs.annotate(free=F("availability_mask").bitand(t.slot_bit))
    if t.skill_id is not None and skill_bit(t.skill_id):
        qs = qs.annotate(skills_bit=F("skills_mask").bitand(skill_bit(t.skill_id)))
    expr = ExpressionWrapper(
        Value(rules.AVAILABILITY_BONUS) * F("free") / Value(float(t.slot_bit or 1)) - distance
        - Value(rules.LOAD_PENALTY) * F("recent_load"), output_field=FloatField())
    return qs.annotate(score=expr, distance=ExpressionWrapper(distance, output_field=FloatField()))
