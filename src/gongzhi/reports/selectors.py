"""Scoped reads of the figures: the dashboard of a unit and the page of a team.

Periods are a month (``2025-03``), a quarter (``2025-Q1``), a year (``2025``) or all time (``all``); these read the
rollups (a handful of indexed rows whatever the data size). An arbitrary date range (``start``/``end``) falls back to
the base tables (service records, activities, beneficiary counts): correct but a scan of the unit's rows in the range.
In a range, 人次 are the distinct (volunteer, activity) pairs among the current records whose day lies in the range,
场次 and 惠及人次 the activities that started in it (the rollups attribute 人次 to the activity's start month).

Access: ``reports.view`` on the unit (a role covers its subtree). Another unit's dashboard answers 404, as every
scoped fetch does; no ``reports.view`` anywhere answers 403.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from dataclasses import dataclass
from decimal import Decimal

from django.db import router
from django.db.models import CharField, Count, F, Q, Sum, Value
from django.db.models.functions import Cast, Concat, Substr, TruncMonth
from django.utils import translation
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts import scoping
from gongzhi.activities.models import Activity, ActivityStatus, BeneficiaryCount, Category
from gongzhi.core import clock, hotreads, ids
from gongzhi.core.errors import CommonError
from gongzhi.hours.models import ServiceRecord
from gongzhi.org.divisions import UnitKind
from gongzhi.org.models import Organisation, OrgKind, Unit, subtree_q
from gongzhi.people.models import Person, TeamMembership, VolunteerProfile

from . import permissions as perms
from . import registry
from .errors import ReportsError
from .models import ALL_PERIOD, Grain, Rollup, hours_from_e4
from .rollups import local_day

FIGURES = ("activities", "participations", "volunteers", "hours", "beneficiaries")
FIGURE_LABELS = {
    "activities": _("开展活动（场次）"),
    "participations": _("志愿者参与（人次）"),
    "volunteers": _("参与志愿者（人）"),
    "hours": _("服务时长（小时）"),
    "beneficiaries": _("惠及群众（人次）"),
}
REGISTERED_LABELS = {
    "volunteers": _("注册志愿者（名）"),
    "organisations": _("志愿服务组织（个）"),
    "teams": _("志愿服务队伍（支）"),
}
MAX_RANGE_DAYS = 3660
RANGE = "r"


@dataclass(frozen=True)
class Period:
    grain: str  # Grain value, or RANGE for an arbitrary date range
    key: str  # "2025-03", "2025-Q1", "2025", "all" or "2025-01-01..2025-02-10"
    start: dt.date | None  # None for all time
    end: dt.date | None

    @property
    def label(self) -> str:
        if self.grain == Grain.ALL:
            return _g("累计")
        if self.grain == Grain.YEAR:
            return _g("%(year)s年") % {"year": self.key}
        if self.grain == Grain.QUARTER:
            return _g("%(year)s年第%(quarter)s季度") % {"year": self.key[:4], "quarter": self.key[-1]}
        if self.grain == Grain.MONTH:
            return _g("%(year)s年%(month)s月") % {"year": self.key[:4], "month": int(self.key[5:])}
        return _g("%(start)s 至 %(end)s") % {"start": self.start.isoformat(), "end": self.end.isoformat()}

    def months(self) -> list[str] | None:
        """The month keys the period covers (None for all time: every month with data)."""
        if self.start is None:
            return None
        out, y, m = [], self.start.year, self.start.month
        while (y, m) <= (self.end.year, self.end.month):
            out.append(f"{y:04d}-{m:02d}")
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out


def this_year() -> int:
    """The current local year (from ``clock.now`` so that tests can move time)."""
    from django.utils import timezone

    return timezone.localtime(clock.now()).year


def period_parse(value: str | None = None, *, start: dt.date | None = None, end: dt.date | None = None) -> Period:
    """A period from ``2025`` / ``2025-Q1`` / ``2025-03`` / ``all``, or a date range; default: the current year."""
    if start is not None or end is not None:
        if start is None or end is None or start > end:
            raise ReportsError.RANGE_INVALID.error(detail={"start": str(start), "end": str(end)})
        if (end - start).days > MAX_RANGE_DAYS:
            raise ReportsError.RANGE_TOO_LONG.error(detail={"max_days": MAX_RANGE_DAYS})
        return Period(RANGE, f"{start.isoformat()}..{end.isoformat()}", start, end)
    value = (value or str(this_year())).strip()
    if value == ALL_PERIOD:
        return Period(Grain.ALL, ALL_PERIOD, None, None)
    if m := re.fullmatch(r"(\d{4})", value):
        y = int(m[1])
        if 1900 <= y <= 9999:
            return Period(Grain.YEAR, value, dt.date(y, 1, 1), dt.date(y, 12, 31))
    elif m := re.fullmatch(r"(\d{4})-Q([1-4])", value):
        y, q = int(m[1]), int(m[2])
        if 1900 <= y:
            last = q * 3
            return Period(Grain.QUARTER, value, dt.date(y, last - 2, 1),
                          dt.date(y, last, calendar.monthrange(y, last)[1]))
    elif m := re.fullmatch(r"(\d{4})-(\d{2})", value):
        y, mo = int(m[1]), int(m[2])
        if 1900 <= y and 1 <= mo <= 12:
            return Period(Grain.MONTH, value, dt.date(y, mo, 1), dt.date(y, mo, calendar.monthrange(y, mo)[1]))
    raise ReportsError.PERIOD_INVALID.error(detail={"period": value[:20]})


def _zero() -> dict:
    return {"activities": 0, "participations": 0, "volunteers": 0, "hours": Decimal("0.0000"), "beneficiaries": 0,
            "records": 0}


def _from_rollup(r: dict) -> dict:
    return {"activities": r["activities"], "participations": r["participations"], "volunteers": r["volunteers"],
            "hours": hours_from_e4(r["hours_e4"]), "beneficiaries": r["beneficiaries"], "records": r["records"]}


_ROLLUP_COLUMNS = "r.grain, r.unit_path, r.period, r.category, r.activities, r.participations, r.volunteers, " \
    "r.records, r.hours_e4, r.beneficiaries"
# three index ranges of the rollup key, one round trip: the unit's rows in the period (the total and one per category,
# with the category's name and order), its children's totals, its months. A UNION ALL plans in half the time of the
# same ranges OR-ed together (PostgreSQL: a BitmapOr of three index scans).
_ROLLUP_UNIT_SQL = (
    f"SELECT {_ROLLUP_COLUMNS}, c.name AS category_name, c.sort AS category_sort FROM {Rollup._meta.db_table} r "
    f"LEFT JOIN {Category._meta.db_table} c ON c.code = r.category AND r.category <> '' "
    "WHERE r.unit_path = %s AND r.grain = %s AND r.period = %s")
_ROLLUP_CHILDREN_SQL = (
    f" UNION ALL SELECT {_ROLLUP_COLUMNS}, NULL, NULL FROM {Rollup._meta.db_table} r "
    "WHERE r.unit_path IN ({paths}) AND r.grain = %s AND r.period = %s AND r.category = ''")
_ROLLUP_MONTHS_SQL = (
    f" UNION ALL SELECT {_ROLLUP_COLUMNS}, NULL, NULL FROM {Rollup._meta.db_table} r "
    "WHERE r.unit_path = %s AND r.grain = %s AND r.category = ''{months}")


def _rollup_figures(unit: Unit, children: list[Unit], period: Period):
    """The unit's figures, its children's, its categories' (named, in the categories' order) and its months', in one
    read of the rollups. Hand-written: compiling it as a queryset took longer than the rest of the dashboard's
    reads."""
    wanted = period.months()
    sql, params = _ROLLUP_UNIT_SQL, [unit.path, period.grain, period.key]
    if children:
        sql += _ROLLUP_CHILDREN_SQL.format(paths=hotreads.marks(children))
        params += [*(c.path for c in children), period.grain, period.key]
    sql += _ROLLUP_MONTHS_SQL.format(months=f" AND r.period IN ({hotreads.marks(wanted)})" if wanted is not None else "")
    params += [unit.path, Grain.MONTH, *(wanted or ())]
    rows = hotreads.rows(Rollup, sql, params)
    units, categories, by_month = {}, [], {}
    for r in rows:
        if r["grain"] == Grain.MONTH and r["unit_path"] == unit.path and r["category"] == "":
            by_month[r["period"]] = _from_rollup(r)
        if r["grain"] != period.grain or r["period"] != period.key:
            continue  # a month's row, not the period's
        if r["category"] == "":
            units[r["unit_path"]] = _from_rollup(r)
        elif r["unit_path"] == unit.path and r["category_name"] is not None:
            categories.append(r)
    categories.sort(key=lambda r: (r["category_sort"], r["category"]))
    cat_rows = [{"code": r["category"], "name": r["category_name"], **_from_rollup(r)} for r in categories]
    return units.get(unit.path, _zero()), {c.path: units.get(c.path, _zero()) for c in children}, cat_rows, \
        by_month


def _base_figures(unit: Unit, children: list[Unit], period: Period):
    """The same figures from the base tables, for an arbitrary date range (see the module docstring)."""
    child_len = len(children[0].path) if children else len(unit.path)
    records = ServiceRecord.objects.current().filter(subtree_q(unit.path, "unit_path"),
                                                     day__gte=period.start, day__lte=period.end)
    starts = [dt.datetime.combine(period.start, dt.time.min), dt.datetime.combine(period.end, dt.time.max)]
    from django.utils import timezone

    starts = [timezone.make_aware(s) for s in starts]
    held = Activity.objects.filter(subtree_q(unit.path, "unit__path"), status=ActivityStatus.FINISHED,
                                   starts_at__gte=starts[0], starts_at__lte=starts[1])
    ben = BeneficiaryCount.objects.filter(subtree_q(unit.path, "activity__unit__path"), superseded_by__isnull=True,
                                          activity__starts_at__gte=starts[0], activity__starts_at__lte=starts[1])
    pair = Concat(Cast("activity_id", CharField()), Value(":"), Cast("volunteer_id", CharField()))

    def collect(group_records, group_held, group_ben, key):
        out: dict = {}
        for r in records.order_by().values(g=group_records).annotate(
                n=Count("id"), h=Sum("hours"), v=Count("volunteer_id", distinct=True), p=Count(pair, distinct=True)):
            f = out.setdefault(key(r["g"]), _zero())
            f.update(records=r["n"], hours=(r["h"] or Decimal(0)).quantize(Decimal("0.0001")), volunteers=r["v"],
                     participations=r["p"])
        for r in held.order_by().values(g=group_held).annotate(n=Count("id")):
            out.setdefault(key(r["g"]), _zero())["activities"] = r["n"]
        for r in ben.order_by().values(g=group_ben).annotate(n=Sum("count")):
            out.setdefault(key(r["g"]), _zero())["beneficiaries"] = r["n"] or 0
        return out

    total = collect(Value("t"), Value("t"), Value("t"), lambda g: g).get("t", _zero())
    kids = collect(Substr("unit_path", 1, child_len), Substr("unit__path", 1, child_len),
                   Substr("activity__unit__path", 1, child_len), lambda g: g)
    by_code = collect(F("activity__category__code"), F("category__code"), F("activity__category__code"), lambda g: g)
    cat_rows = [{"code": c.code, "name": c.name, **by_code[c.code]}
                for c in Category.objects.order_by("sort", "code") if c.code in by_code]

    def month_key(g):
        return f"{g.year:04d}-{g.month:02d}" if g else ""

    by_month = collect(TruncMonth("day"), TruncMonth("starts_at"), TruncMonth("activity__starts_at"), month_key)
    return total, {c.path: kids.get(c.path, _zero()) for c in children}, cat_rows, by_month


def _registered(unit: Unit, children: list[Unit]) -> tuple[dict, dict[str, dict]]:
    """Registered (active) volunteers, organisations and teams now, in the unit's subtree and per child."""
    found = registry.counts([unit.path, *(c.path for c in children)])
    return found[unit.path], {c.path: found[c.path] for c in children}


@functools.lru_cache(maxsize=16)
def _kind_labels(language: str | None) -> dict[str, str]:
    """The unit kinds' labels in ``language``, translated once (not once per child row of every dashboard)."""
    with translation.override(language):
        return {k: str(v) for k, v in UnitKind.choices}


def _unit_out(u: Unit, labels: dict[str, str] | None = None) -> dict:
    labels = labels if labels is not None else _kind_labels(translation.get_language())
    return {"id": u.pk, "name": u.name, "kind": u.kind, "kind_label": labels.get(u.kind, u.kind), "code": u.code}


# a unit, its children and its parent, by the unit's id or path (index look-ups; hand-written, see core.hotreads)
_FAMILY_BY_ID = hotreads.HotRead(
    Unit, order_by="t.path",
    where="t.id = %s OR t.parent_id = %s OR t.id = (SELECT u.parent_id FROM org_unit u WHERE u.id = %s)")
_FAMILY_BY_PATH = hotreads.HotRead(
    Unit, order_by="t.path",
    where="t.path = %s OR t.parent_id = (SELECT u.id FROM org_unit u WHERE u.path = %s) "
          "OR t.id = (SELECT u.parent_id FROM org_unit u WHERE u.path = %s)")


def _family(actor, unit: Unit | int | None) -> tuple[Unit, list[Unit], Unit | None]:
    """The unit asked for (by id, or the actor's top unit when None) — 403 without ``reports.view`` anywhere, 404
    for a missing unit or one outside the actor's units — its children in path order and its parent, in one query."""
    scoping.require(actor, perms.VIEW)
    if isinstance(unit, Unit):
        unit = unit.pk
    if unit is None:  # the actor's top unit (a superuser without roles: the first root of the tree)
        roots = scoping.paths_with(actor, perms.VIEW)
        if not roots:
            unit = Unit.objects.filter(parent__isnull=True).order_by("path").values_list("pk", flat=True).first()
            if unit is None:
                raise CommonError.NOT_FOUND.error()
    if unit is not None:
        if not ids.in_range(unit):
            raise CommonError.NOT_FOUND.error()
        rows = _FAMILY_BY_ID.all([unit] * 3, using=router.db_for_read(Unit))
        found = next((r for r in rows if r.pk == unit), None)
    else:
        rows = _FAMILY_BY_PATH.all([roots[0]] * 3, using=router.db_for_read(Unit))
        found = next((r for r in rows if r.path == roots[0]), None)
    if found is None or not scoping.can(actor, perms.VIEW, found):
        raise CommonError.NOT_FOUND.error()
    children = [r for r in rows if r.parent_id == found.pk]
    parent = next((r for r in rows if r.pk == found.parent_id), None)
    return found, children, parent


def dashboard(*, actor, unit: Unit | int | None, period: Period) -> dict:
    """Figures of ``unit`` in ``period``, a row per direct child, by category and by month; registered counts."""
    unit, children, parent = _family(actor, unit)
    if period.grain == RANGE:
        total, kids, cat_rows, by_month = _base_figures(unit, children, period)
    else:
        total, kids, cat_rows, by_month = _rollup_figures(unit, children, period)
    registered, registered_kids = _registered(unit, children)
    labels = _kind_labels(translation.get_language())
    months = period.months() or sorted(by_month)
    month_rows = [{"month": m, **by_month.get(m, _zero())} for m in months]
    return {
        "unit": _unit_out(unit, labels),
        "parent": _unit_out(parent, labels) if parent is not None and scoping.can(actor, perms.VIEW, parent) else None,
        "period": {"key": period.key, "grain": period.grain, "label": period.label,
                   "start": period.start, "end": period.end},
        "source": "base" if period.grain == RANGE else "rollup",
        "figures": total,
        "registered": registered,
        "children": [{"unit": _unit_out(c, labels), "figures": kids[c.path], "registered": registered_kids[c.path]}
                     for c in children],
        "by_category": cat_rows,
        "by_month": month_rows,
    }


# --- teams ------------------------------------------------------------------------------------------------------


def report_team_unit(*, actor, unit_id: int) -> Unit:
    """A unit to filter the team list by, within the actor's scope for team pages (404 outside)."""
    return scoping.get_scoped(Unit.objects.all(), actor, perms.VIEW_TEAMS, "path", pk=unit_id)


def team_list(*, actor, unit: Unit | None = None):
    """The active teams (志愿服务队) the actor may see, optionally within one unit's subtree."""
    scoping.require(actor, perms.VIEW_TEAMS)
    qs = scoping.scope(Organisation.objects.filter(kind=OrgKind.TEAM, active=True).select_related("unit"),
                       actor, perms.VIEW_TEAMS, "unit__path")
    if unit is not None:
        qs = qs.filter(subtree_q(unit.path, "unit__path"))
    return qs.annotate(members=Count("memberships", filter=Q(memberships__left_on__isnull=True))).order_by(
        "unit__path", "name")


def team_report(*, actor, team_id: int, period: Period) -> dict:
    """A team's current members (masked phones) with each one's service in the period, and the team's totals.

    A member's figures are all their current service records in the period (whoever organised the activity):
    hours, 人次 (distinct activities served) and records (service days);
    the team's totals add them up, with 参与志愿者 the members who served, and 场次 / 惠及人次 of the activities the
    team itself organised (finished, starting in the period)."""
    team = scoping.get_scoped(Organisation.objects.select_related("unit"), actor, perms.VIEW_TEAMS, "unit__path",
                              pk=team_id)
    if team.kind != OrgKind.TEAM:
        raise ReportsError.NOT_A_TEAM.error()
    memberships = list(TeamMembership.objects.filter(team=team, left_on__isnull=True)
                       .select_related("person", "person__volunteer").order_by("-role", "joined_on", "pk"))
    profile_ids = [m.person.volunteer.pk for m in memberships if _profile(m.person)]
    records = ServiceRecord.objects.current().filter(volunteer_id__in=profile_ids)
    held = Activity.objects.filter(organiser=team, status=ActivityStatus.FINISHED)
    ben = BeneficiaryCount.objects.filter(activity__organiser=team, superseded_by__isnull=True)
    if period.start is not None:
        records = records.filter(day__gte=period.start, day__lte=period.end)
        held = [a for a in held if period.start <= local_day(a.starts_at) <= period.end]
        ben = [b for b in ben.select_related("activity") if period.start <= local_day(b.activity.starts_at)
               <= period.end]
    per = {r["volunteer_id"]: r for r in records.order_by().values("volunteer_id").annotate(
        hours=Sum("hours"), records=Count("id"), activities=Count("activity_id", distinct=True))}
    members = []
    for m in memberships:
        profile = _profile(m.person)
        r = per.get(profile.pk if profile else None, {})
        members.append({
            "person_id": m.person_id, "name": m.person.name, "phone": m.person.phone_masked,
            "role": m.role, "role_label": str(m.get_role_display()), "joined_on": m.joined_on,
            "volunteer_number": profile.number if profile else "",
            "hours": (r.get("hours") or Decimal(0)).quantize(Decimal("0.0001")),
            "participations": r.get("activities", 0), "records": r.get("records", 0),
        })
    totals = {
        "members": len(members),
        "volunteers": sum(1 for x in members if x["records"]),
        "hours": sum((x["hours"] for x in members), Decimal("0.0000")),
        "participations": sum(x["participations"] for x in members),
        "activities": len(held) if isinstance(held, list) else held.count(),
        "beneficiaries": sum(b.count for b in ben),
    }
    return {"team": {"id": team.pk, "name": team.name, "unit": _unit_out(team.unit)},
            "period": {"key": period.key, "grain": period.grain, "label": period.label,
                       "start": period.start, "end": period.end},
            "members": members, "totals": totals}


def _profile(person: Person):
    try:
        return person.volunteer
    except VolunteerProfile.DoesNotExist:
        return None
