"""Reads for the order board, scoped: workers see their subtree's orders (``dispatch.view``); a volunteer sees the
open orders of their street (or their teams) they qualify for, nearest first; suggested assignees; response figures.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass

from django.db.models import Max, Q
from django.utils.translation import gettext as _t

from gongzhi.accounts import scoping
from gongzhi.core import clock
from gongzhi.core.errors import CommonError
from gongzhi.org.models import Unit, subtree_q
from gongzhi.people.models import TeamMembership, VolunteerProfile, VolunteerStatus
from gongzhi.people.rules import AVAILABILITY_SLOTS

from . import permissions as perms
from . import ranking, rules, services
from .models import Candidate, Order, OrderState

RELATED = ("unit", "skill", "team", "taker", "created_by", "appeal", "project")


def order_list(*, actor, state: str | None = None, unit: Unit | None = None):
    qs = scoping.scope(Order.objects.select_related(*RELATED), actor, perms.VIEW, "unit__path")
    if state:
        qs = qs.filter(state=state)
    if unit is not None:
        qs = qs.filter(subtree_q(unit.path, "unit__path"))
    return qs.order_by("-created_at", "-pk")


def order_get_for(actor, pk: int) -> Order:
    """A worker of the order's subtree, its taker, or a volunteer whose board shows it; anyone else: 404."""
    order = Order.objects.select_related(*RELATED).filter(pk=pk).first()
    if order is None:
        raise CommonError.NOT_FOUND.error()
    if order.taker_id == getattr(actor, "pk", None) or scoping.can(actor, perms.VIEW, order.unit):
        return order
    profile = own_volunteer(actor)
    if profile is not None and profile.status == VolunteerStatus.ACTIVE and services.on_board_of(order, profile):
        return order
    if profile is None and not scoping.has_anywhere(actor, perms.VIEW):
        raise CommonError.FORBIDDEN.error(detail={"permission": perms.VIEW})
    raise CommonError.NOT_FOUND.error()


def own_volunteer(actor) -> VolunteerProfile | None:
    if not getattr(actor, "is_authenticated", False):
        return None
    return VolunteerProfile.objects.select_related("unit", "person").filter(person__user_id=actor.pk).first()


# --- points and distances -------------------------------------------------------------------------------------


def unit_point(unit: Unit) -> tuple[float, float] | None:
    """The unit's centre, or its nearest ancestor's."""
    paths = [*unit.ancestors_paths(), unit.path]
    row = (Unit.objects.filter(path__in=paths, latitude__isnull=False, longitude__isnull=False)
           .order_by("-depth").values_list("latitude", "longitude").first())
    return (float(row[0]), float(row[1])) if row else None


def order_point(order: Order) -> tuple[float, float] | None:
    if order.latitude is not None and order.longitude is not None:
        return float(order.latitude), float(order.longitude)
    return unit_point(order.unit)


def volunteer_point(profile: VolunteerProfile) -> tuple[float, float] | None:
    """A declared service location, else the home unit's centre."""
    location = getattr(profile, "service_location", None) if hasattr(profile, "service_location") else None
    if location is not None:
        return float(location.latitude), float(location.longitude)
    return unit_point(profile.unit)


# --- the volunteer's board -------------------------------------------------------------------------------------


@dataclass
class BoardItem:
    order: Order
    distance_km: float | None


def board(*, actor) -> tuple[VolunteerProfile, list[BoardItem]]:
    """Open orders this active volunteer may take (street or team, skill, team membership), nearest first."""
    profile = services.active_volunteer(actor)
    teams = services.team_ids(profile)
    skills = set(profile.skills.values_list("pk", flat=True))
    root = services.board_root(profile)
    qs = (Order.objects.select_related(*RELATED).filter(state=OrderState.OPEN)
          .filter(Q(team__isnull=True, **{"unit__path__startswith": root}) | Q(team_id__in=teams))
          .filter(Q(skill__isnull=True) | Q(skill_id__in=skills)))
    here = volunteer_point(profile)
    items = []
    for order in qs:
        point = order_point(order)
        d = ranking.distance_km(here[0], here[1], point[0], point[1]) if here and point else None
        items.append(BoardItem(order, d))
    items.sort(key=lambda i: (i.distance_km is None, i.distance_km or 0, i.order.created_at, i.order.pk))
    return profile, items


def my_orders(*, actor):
    return (Order.objects.select_related(*RELATED).filter(taker_id=actor.pk)
            .order_by("state", "-taken_at", "-pk"))


# --- suggested assignees ---------------------------------------------------------------------------------------


@dataclass
class Suggestion:
    volunteer_id: int
    name: str
    number: str
    score: float
    distance_km: float
    free: bool
    recent_load: int
    reason: str


def _holidays() -> frozenset[dt.date]:
    from gongzhi.appeals.models import Holiday

    today = clock.today()
    return frozenset(Holiday.objects.filter(workday=False, date__gte=today - dt.timedelta(days=400),
                                            date__lte=today + dt.timedelta(days=400)).values_list("date", flat=True))


def order_target(order: Order) -> ranking.Target | None:
    point = order_point(order)
    if point is None:
        return None
    slot = ranking.slot_of(order.due_at or clock.now(), _holidays())
    persons = None
    if order.team_id is not None:
        persons = frozenset(TeamMembership.objects.filter(team_id=order.team_id, left_on__isnull=True)
                            .values_list("person_id", flat=True))
    return ranking.Target(point[0], point[1], order.skill_id, rules.SLOT_BITS[slot], persons)


def _missing_on_the_fly() -> None:
    """Volunteers registered since the last rebuild have no row yet (higher ids: one short index range)."""
    last = Candidate.objects.aggregate(m=Max("volunteer_id"))["m"] or 0
    fresh = list(VolunteerProfile.objects.filter(pk__gt=last).select_related("person")[:5000])
    if fresh:
        services._save(services.candidate_rows(fresh))


VALUES = ("volunteer_id", "score", "distance", "free", "recent_load")


def ranked(t: ranking.Target, limit: int) -> list[dict]:
    """The fast path: the order's cell and its neighbours, widening until the top ``limit`` is provably final."""
    if t.persons is not None and len(t.persons) <= 2000:
        return ranked_scan(t, limit)  # a team: its members are few, score them all (index on person_id)
    r = rules.FIRST_RING
    while r <= rules.MAX_RING:
        qs = ranking.annotate_score(Candidate.objects.filter(ranking.ring_q(t.latitude, t.longitude, r)),
                                    t).filter(ranking.qualified_q(t))
        rows = list(qs.order_by("-score", "volunteer_id").values(*VALUES)[:limit])
        if len(rows) == limit and rows[-1]["score"] > rules.AVAILABILITY_BONUS - ranking.ring_reach_km(t.latitude, r):
            return rows
        r *= 2
    return ranked_scan(t, limit)


def ranked_scan(t: ranking.Target, limit: int) -> list[dict]:
    """Every candidate scored by the database (the brute-force reference in SQL)."""
    qs = ranking.annotate_score(Candidate.objects.all(), t).filter(ranking.qualified_q(t))
    return list(qs.order_by("-score", "volunteer_id").values(*VALUES)[:limit])


def ranked_python(t: ranking.Target, limit: int) -> list[tuple[float, int]]:
    """Every candidate scored in Python with ``ranking.score`` (the brute-force reference outside the database)."""
    out = []
    bit = ranking.skill_bit(t.skill_id) if t.skill_id else 0
    rows = Candidate.objects.filter(active=True, latitude__isnull=False).values_list(
        "volunteer_id", "person_id", "latitude", "longitude", "skills_mask", "skills_extra", "availability_mask",
        "recent_load").iterator(chunk_size=20000)
    for vid, pid, lat, lng, mask, extra, avail, load in rows:
        if t.skill_id is not None and not (mask & bit if bit else f",{t.skill_id}," in extra):
            continue
        if t.persons is not None and pid not in t.persons:
            continue
        out.append((-ranking.score(t, latitude=lat, longitude=lng, availability_mask=avail, recent_load=load), vid))
    out.sort()
    return [(-s, vid) for s, vid in out[:limit]]


def _reason(order: Order, row: dict, slot: str) -> str:
    parts = [_t("技能匹配：%(skill)s") % {"skill": order.skill.name} if order.skill_id else _t("无技能要求"),
             _t("距离 %(km).1f 公里") % {"km": row["distance"]}]
    parts.append(_t("%(slot)s有空") % {"slot": AVAILABILITY_SLOTS[slot]} if row["free"]
                 else _t("%(slot)s未登记可服务") % {"slot": AVAILABILITY_SLOTS[slot]})
    parts.append(_t("近30天接单 %(n)d 次") % {"n": row["recent_load"]})
    return "；".join(parts)


def _stale(order: Order, rows: list[dict], t: ranking.Target, profiles: dict) -> list[VolunteerProfile]:
    """Rows whose volunteer changed since the row was built (status, skills, teams): people has no events."""
    profiles.update({p.pk: p for p in VolunteerProfile.objects.filter(pk__in=[r["volunteer_id"] for r in rows])
                     .select_related("person").prefetch_related("skills")})
    stale = []
    for r in rows:
        p = profiles.get(r["volunteer_id"])
        if p is None:
            continue
        ok = p.status == VolunteerStatus.ACTIVE and (
            order.skill_id is None or any(s.pk == order.skill_id for s in p.skills.all())) and (
            t.persons is None or p.person_id in t.persons)
        if not ok:
            stale.append(p)
    return stale


def suggestions(*, order: Order, limit: int = rules.SUGGESTIONS) -> list[Suggestion]:
    """Suggested assignees for an order, best first, each with the reason in Chinese."""
    t = order_target(order)
    if t is None:
        return []
    _missing_on_the_fly()
    profiles: dict[int, VolunteerProfile] = {}
    for _attempt in range(3):
        rows = ranked(t, limit)
        stale = _stale(order, rows, t, profiles)
        if not stale:
            break
        services._save(services.candidate_rows(stale))
    slot = next(code for code, bit in rules.SLOT_BITS.items() if bit == t.slot_bit)
    out = []
    for r in rows:
        p = profiles[r["volunteer_id"]]
        out.append(Suggestion(p.pk, p.person.name, p.number, round(r["score"], 3), round(r["distance"], 2),
                              bool(r["free"]), r["recent_load"], _reason(order, r, slot)))
    return out


# --- response figures ------------------------------------------------------------------------------------------


@dataclass
class Figures:
    unit: Unit | None
    label: str
    orders: int = 0
    taken: int = 0
    accept_minutes: float | None = None  # median, taken_at − created_at
    action_minutes: float | None = None  # median, first_action_at − created_at
    within: float | None = None  # share of orders taken within RESPONSE_MINUTES
    done: int = 0


def _minutes(a, b) -> float:
    return (a - b).total_seconds() / 60


def _figures(label: str, unit, rows: list[tuple]) -> Figures:
    f = Figures(unit, label, orders=len(rows))
    accept = [_minutes(taken, created) for created, taken, _first, _state in rows if taken]
    action = [_minutes(first, created) for created, _taken, first, _state in rows if first]
    f.taken, f.done = len(accept), sum(1 for *_x, state in rows if state == OrderState.DONE)
    f.accept_minutes = round(statistics.median(accept), 1) if accept else None
    f.action_minutes = round(statistics.median(action), 1) if action else None
    counted = [r for r in rows if not (r[3] == OrderState.CANCELLED and r[1] is None)]  # cancelled unseen: no count
    if counted:
        f.within = round(sum(1 for created, taken, *_x in counted
                             if taken and _minutes(taken, created) <= rules.RESPONSE_MINUTES) / len(counted), 4)
    return f


def response_figures(*, actor, unit: Unit, start: dt.datetime, end: dt.datetime) -> list[Figures]:
    """Per child unit of ``unit`` and in total: orders created in [start, end), time to accept, to first action,
    share taken within 30 minutes (the "马上" figure)."""
    scoping.require(actor, perms.VIEW, unit)
    rows = (Order.objects.filter(subtree_q(unit.path, "unit__path"), created_at__gte=start, created_at__lt=end)
            .values_list("unit__path", "created_at", "taken_at", "first_action_at", "state"))
    children = list(unit.children.order_by("path"))
    groups: dict[str, list[tuple]] = {c.path: [] for c in children}
    everything = []
    for path, *rest in rows:
        everything.append(tuple(rest))
        for c in children:
            if path.startswith(c.path):
                groups[c.path].append(tuple(rest))
                break
    out = [_figures(c.name, c, groups[c.path]) for c in children]
    return [*out, _figures(_t("合计：%(unit)s") % {"unit": unit.name}, unit, everything)]
