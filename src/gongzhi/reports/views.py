"""Pages of figures: the dashboard of a unit (cards, children table, charts), its xlsx, the team pages.

Thin: parse the query string, call ``reports.selectors``, render. Figures may be seconds stale, so each page reads
from the read replica when there is a healthy one (``ops.dbrouter``; the login was checked on the primary first). Domain errors (a bad period, another unit's id)
propagate to ``web.middleware`` (400 / 403 / 404 pages).
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote, urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _g
from django.views.decorators.http import require_GET

from gongzhi.ops.dbrouter import reading_from_replica
from gongzhi.web.params import int_param

from . import selectors
from .errors import ReportsError
from .exporting import dashboard_xlsx
from .selectors import FIGURE_LABELS, REGISTERED_LABELS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _date(request, name: str) -> dt.date | None:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    try:
        value = parse_date(raw)
    except ValueError:
        value = None
    if value is None:
        raise ReportsError.RANGE_INVALID.error(detail={name: raw[:20]})
    return value


def _period(request) -> selectors.Period:
    return selectors.period_parse(request.GET.get("period", "").strip()[:20] or None,
                                  start=_date(request, "start"), end=_date(request, "end"))


def _period_choices(period: selectors.Period) -> list[tuple[str, str]]:
    """All time, the last four years, and the quarters and months of the year on show."""
    this_year = selectors.this_year()
    year = period.start.year if period.start else this_year
    choices = [("all", _g("累计"))]
    for y in range(this_year, this_year - 4, -1):
        choices.append((str(y), _g("%(year)s年") % {"year": y}))
    for q in range(1, 5):
        choices.append((f"{year}-Q{q}", _g("%(year)s年第%(quarter)s季度") % {"year": year, "quarter": q}))
    for m in range(1, 13):
        choices.append((f"{year}-{m:02d}", _g("%(year)s年%(month)s月") % {"year": year, "month": m}))
    if period.key not in {k for k, _l in choices} and period.grain != selectors.RANGE:
        choices.insert(1, (period.key, period.label))
    return choices


def _query(data: dict, unit_id: int | None = None) -> str:
    period = data["period"]
    q = {"unit": unit_id or data["unit"]["id"]}
    if period["grain"] == selectors.RANGE:
        q.update(start=period["start"].isoformat(), end=period["end"].isoformat())
    else:
        q["period"] = period["key"]
    return urlencode(q)


def _charts(data: dict) -> dict:
    return {
        "labels": {"hours": _g("服务时长（小时）"), "participations": _g("志愿者参与（人次）"),
                   "activities": _g("开展活动（场次）"), "volunteers": _g("参与志愿者（人）"),
                   "beneficiaries": _g("惠及群众（人次）")},
        "by_category": {"names": [c["name"] for c in data["by_category"]],
                        "hours": [float(c["hours"]) for c in data["by_category"]],
                        "participations": [c["participations"] for c in data["by_category"]],
                        "activities": [c["activities"] for c in data["by_category"]]},
        "by_month": {"months": [m["month"] for m in data["by_month"]],
                     "hours": [float(m["hours"]) for m in data["by_month"]],
                     "participations": [m["participations"] for m in data["by_month"]],
                     "volunteers": [m["volunteers"] for m in data["by_month"]]},
    }


@login_required
@require_GET
@reading_from_replica()
def dashboard(request):
    period = _period(request)
    data = selectors.dashboard(actor=request.user, unit=int_param(request.GET.get("unit"), None), period=period)
    cards = [(FIGURE_LABELS[k], data["figures"][k]) for k in FIGURE_LABELS]
    registered = [(REGISTERED_LABELS[k], data["registered"][k]) for k in REGISTERED_LABELS]
    children = [{**c, "url": f"{reverse('reports:dashboard')}?{_query(data, c['unit']['id'])}"}
                for c in data["children"]]
    parent_url = (f"{reverse('reports:dashboard')}?{_query(data, data['parent']['id'])}" if data["parent"] else "")
    return render(request, "reports/dashboard.html", {
        "data": data, "cards": cards, "registered": registered, "children": children, "parent_url": parent_url,
        "charts": _charts(data), "periods": _period_choices(period), "period": period,
        "export_url": f"{reverse('reports:export')}?{_query(data)}",
        "teams_url": f"{reverse('reports:teams')}?unit={data['unit']['id']}",
    })


@login_required
@require_GET
@reading_from_replica()
def export(request):
    period = _period(request)
    body, name = dashboard_xlsx(selectors.dashboard(actor=request.user, unit=int_param(request.GET.get("unit"), None),
                                                    period=period))
    response = HttpResponse(body, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@login_required
@require_GET
@reading_from_replica()
def team_list(request):
    unit_id = int_param(request.GET.get("unit"), None)
    unit = selectors.report_team_unit(actor=request.user, unit_id=unit_id) if unit_id else None
    teams = list(selectors.team_list(actor=request.user, unit=unit))
    return render(request, "reports/teams.html", {"teams": teams, "unit": unit,
                                                  "period": request.GET.get("period", "")[:20]})


@login_required
@require_GET
@reading_from_replica()
def team_detail(request, pk: int):
    period = _period(request)
    data = selectors.team_report(actor=request.user, team_id=pk, period=period)
    return render(request, "reports/team.html", {"data": data, "periods": _period_choices(period),
                                                 "period": period})
