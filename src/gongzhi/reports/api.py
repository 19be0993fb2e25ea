"""Figures over the API: a unit's dashboard (JSON and xlsx) and a team's page. Thin: parse, call selectors.

Read from the read replica when there is a healthy one (``ops.dbrouter``); the token was checked on the primary."""

from __future__ import annotations

from urllib.parse import quote

from django.http import HttpResponse
from ninja import Query, Router

from gongzhi.ops.dbrouter import reading_from_replica

from . import selectors
from .exporting import dashboard_xlsx
from .schemas import DashboardOut, DashboardQuery, PeriodQuery, TeamListRow, TeamReportOut

router = Router(tags=["reports"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# the 200 is a file, not JSON: declared so the document (and clients generated from it) say so
XLSX_DOC = {"responses": {200: {"description": "xlsx", "content": {XLSX: {"schema": {"type": "string",
                                                                                     "format": "binary"}}}}}}


def _dashboard(request, q: DashboardQuery) -> dict:
    period = selectors.period_parse(q.period, start=q.start, end=q.end)
    return selectors.dashboard(actor=request.auth, unit=q.unit_id, period=period)


@router.get("/reports/dashboard", response=DashboardOut,
            summary="统计看板：单元的场次、人次、志愿者、时长、惠及人次，下级单元、类别、月份分布")
@reading_from_replica()
def dashboard(request, q: Query[DashboardQuery]):
    return _dashboard(request, q)


@router.get("/reports/dashboard.xlsx", summary="统计看板导出 xlsx（分单元、分类别、分月份）",
            openapi_extra=XLSX_DOC)
@reading_from_replica()
def dashboard_export(request, q: Query[DashboardQuery]):
    body, name = dashboard_xlsx(_dashboard(request, q))
    response = HttpResponse(body, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@router.get("/reports/teams", response=list[TeamListRow], summary="可查看的志愿服务队")
@reading_from_replica()
def team_list(request, unit_id: int | None = None):
    unit = selectors.report_team_unit(actor=request.auth, unit_id=unit_id) if unit_id else None
    return [{"id": t.pk, "name": t.name, "unit_id": t.unit_id, "unit_name": t.unit.name, "members": t.members}
            for t in selectors.team_list(actor=request.auth, unit=unit)]


@router.get("/reports/teams/{int:team_id}", response=TeamReportOut,
            summary="志愿服务队统计：队员（手机号脱敏）及其服务时长、人次，队伍合计")
@reading_from_replica()
def team_report(request, team_id: int, q: Query[PeriodQuery]):
    period = selectors.period_parse(q.period, start=q.start, end=q.end)
    return selectors.team_report(actor=request.auth, team_id=team_id, period=period)
