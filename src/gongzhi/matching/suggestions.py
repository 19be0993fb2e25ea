"""Who can meet a need: resources offering its kind and running projects covering it, within the need's reach,
nearest first, each with the reason it was suggested.

Reach: "小事不出网格，大事不出街道" — a need is met inside its street (every unit under it) or by district-level
resources and projects above it. Resources and projects are institutions, not personal data, so a worker sees the
whole reach even when part of it lies outside their own unit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext as _

from gongzhi.org.divisions import UnitKind
from gongzhi.org.models import Unit, subtree_q

from . import rules
from .models import Need, Project, Resource

EARTH_RADIUS_M = 6_371_000


def distance_m(lat1, lng1, lat2, lng2) -> int | None:
    """Great-circle distance in whole metres (haversine); None when a point is missing."""
    if None in (lat1, lng1, lat2, lng2):
        return None
    p1, p2 = math.radians(float(lat1)), math.radians(float(lat2))
    dp, dl = p2 - p1, math.radians(float(lng2) - float(lng1))
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return round(2 * EARTH_RADIUS_M * math.asin(math.sqrt(a)))


def _point(obj, unit: Unit) -> tuple[Decimal | None, Decimal | None]:
    """The object's own coordinates, else its unit's centre."""
    if obj.latitude is not None and obj.longitude is not None:
        return obj.latitude, obj.longitude
    return unit.latitude, unit.longitude


def reach_root(unit: Unit) -> tuple[Unit, list[str]]:
    """(the street a need belongs to — or the unit itself above street level, the ancestor paths above it)."""
    chain = list(Unit.objects.filter(path__in=[*unit.ancestors_paths(), unit.path]).order_by("path"))
    street = next((u for u in chain if u.kind == UnitKind.STREET), None) or unit
    above = [u.path for u in chain if len(u.path) < len(street.path)]
    return street, above


def reach_q(unit: Unit, field: str = "unit__path") -> Q:
    street, above = reach_root(unit)
    return subtree_q(street.path, field) | Q(**{f"{field}__in": above})


def in_reach(need: Need, unit: Unit) -> bool:
    street, above = reach_root(need.unit)
    return unit.path.startswith(street.path) or unit.path in above


def _locality(need_unit: Unit, unit: Unit) -> str:
    if unit.pk == need_unit.pk:
        return _("同一单元")
    if need_unit.path.startswith(unit.path):
        return _("上级单元%(unit)s") % {"unit": unit.name}
    if unit.path.startswith(need_unit.path):
        return _("下辖%(unit)s") % {"unit": unit.name}
    return _("同街道的%(unit)s") % {"unit": unit.name}


def _distance_text(d: int | None) -> str:
    if d is None:
        return _("距离未知")
    if d < 1000:
        return _("距离约%(m)s米") % {"m": d}
    return _("距离约%(km)s公里") % {"km": f"{d / 1000:.1f}"}


@dataclass
class Suggestion:
    obj: Resource | Project
    distance_m: int | None
    reason: str

    @property
    def distance_label(self) -> str:
        return _distance_text(self.distance_m)


def _rank(items: list[Suggestion]) -> list[Suggestion]:
    return sorted(items, key=lambda s: (s.distance_m is None, s.distance_m or 0, s.obj.name, s.obj.pk))


def resource_suggestion(need: Need, resource: Resource) -> Suggestion:
    lat, lng = _point(need, need.unit)
    d = distance_m(lat, lng, *_point(resource, resource.unit))
    reason = _("提供%(kind)s；%(distance)s；%(locality)s") % {
        "kind": need.kind.name, "distance": _distance_text(d), "locality": _locality(need.unit, resource.unit)}
    return Suggestion(resource, d, reason)


def project_suggestion(need: Need, project: Project) -> Suggestion:
    lat, lng = _point(need, need.unit)
    d = distance_m(lat, lng, project.unit.latitude, project.unit.longitude)
    reason = _("项目覆盖%(kind)s；%(funding)s，预算%(budget)s元；%(locality)s") % {
        "kind": need.kind.name, "funding": project.get_funding_display(), "budget": f"{project.budget:,.0f}",
        "locality": _locality(need.unit, project.unit)}
    return Suggestion(project, d, reason)


def suggest_resources(need: Need, *, limit: int = 20) -> list[Suggestion]:
    qs = Resource.objects.filter(reach_q(need.unit), active=True, offers=need.kind).select_related("unit").distinct()
    return _rank([resource_suggestion(need, r) for r in qs])[:limit]


def suggest_projects(need: Need, *, limit: int = 20) -> list[Suggestion]:
    qs = Project.objects.filter(reach_q(need.unit), status__in=rules.PROJECT_MATCHABLE, kinds=need.kind) \
        .select_related("unit", "organisation", "social_worker").distinct()
    return _rank([project_suggestion(need, p) for p in qs])[:limit]
