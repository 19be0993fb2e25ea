"""Public figures per tier (district → streets → communities) for a month, quarter or year.

The figures of one unit come from ``selectors.appeal_figures``; this module only picks the period and the tier and
keeps the public subset (counts and rates, nothing about any person)."""

from __future__ import annotations

import datetime as dt

from gongzhi.core import clock
from gongzhi.org.models import Unit

from . import selectors

PERIODS = ("month", "quarter", "year")


def period_bounds(period: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """The calendar month, quarter or year holding ``day``, as (first day, last day)."""
    if period == "year":
        return dt.date(day.year, 1, 1), dt.date(day.year, 12, 31)
    first_month = day.month if period == "month" else 3 * ((day.month - 1) // 3) + 1
    months = 1 if period == "month" else 3
    start = dt.date(day.year, first_month, 1)
    nxt = dt.date(start.year + (first_month + months - 1) // 12, (first_month + months - 1) % 12 + 1, 1)
    return start, nxt - dt.timedelta(days=1)


def _unit_out(unit: Unit) -> dict:
    return {"code": unit.code, "name": unit.name, "kind": unit.kind, "latitude": unit.latitude,
            "longitude": unit.longitude}


def _row(unit: Unit, start: dt.date, end: dt.date) -> dict:
    f = selectors.appeal_figures(unit=unit, start=start, end=end)
    seconds = f["median_resolve_seconds"]
    return {"unit": _unit_out(unit), "count": f["count"], "closed": f["closed"],
            "resolution_rate": f["resolution_rate"], "rated": f["rated"], "satisfaction_rate": f["satisfaction_rate"],
            "median_resolve_hours": round(seconds / 3600, 1) if seconds is not None else None,
            "overdue": f["overdue"]}


def tier_figures(*, unit: Unit | None = None, period: str = "month", day: dt.date | None = None) -> dict:
    """The unit's own figures (default: the top of the tree) and one row per unit of the tier below it."""
    unit = unit or Unit.objects.filter(parent__isnull=True).order_by("path").first()
    start, end = period_bounds(period, day or clock.today())
    if unit is None:
        empty = {"count": 0, "closed": 0, "resolution_rate": None, "rated": 0, "satisfaction_rate": None,
                 "median_resolve_hours": None, "overdue": 0}
        return {"period": period, "start": start, "end": end,
                "total": {"unit": {"code": "", "name": "", "kind": "", "latitude": None, "longitude": None},
                          **empty}, "tiers": []}
    children = Unit.objects.filter(parent=unit).order_by("path")
    return {"period": period, "start": start, "end": end, "total": _row(unit, start, end),
            "tiers": [_row(child, start, end) for child in children]}
