"""xlsx export of a dashboard: the same tables as the page (the unit and its children, by category, by month).

Figures only: no personal data, so nothing to mask or log (R-P3 concerns the team page's member list).
"""

from __future__ import annotations

import io

import xlsxwriter
from django.utils.translation import gettext as _

from .selectors import FIGURES


def _figure_headers() -> list[str]:
    return [_("开展活动（场次）"), _("志愿者参与（人次）"), _("参与志愿者（人）"), _("服务时长（小时）"),
            _("惠及群众（人次）")]


def _figures(f: dict) -> list:
    return [f["activities"], f["participations"], f["volunteers"], float(f["hours"]), f["beneficiaries"]]


def dashboard_xlsx(data: dict) -> tuple[bytes, str]:
    """(file content, file name) of the dashboard ``data`` from ``selectors.dashboard``."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    bold = book.add_format({"bold": True})
    hours = book.add_format({"num_format": "0.00"})

    def sheet(name: str, headers: list[str], rows: list[list]):
        ws = book.add_worksheet(name)
        ws.write_row(0, 0, headers, bold)
        for i, r in enumerate(rows, start=1):
            ws.write_row(i, 0, r)
        ws.set_column(0, 0, 24)
        ws.set_column(1, len(headers), 14)
        hours_col = headers.index(_("服务时长（小时）"))
        ws.set_column(hours_col, hours_col, 14, hours)
        ws.freeze_panes(1, 1)

    registered = [_("注册志愿者（名）"), _("志愿服务组织（个）"), _("志愿服务队伍（支）")]
    unit, period = data["unit"], data["period"]
    rows = [[_("%(unit)s（合计）") % {"unit": unit["name"]}, unit["code"], *_figures(data["figures"]),
             *(data["registered"][k] for k in ("volunteers", "organisations", "teams"))]]
    for c in data["children"]:
        rows.append([c["unit"]["name"], c["unit"]["code"], *_figures(c["figures"]),
                     *(c["registered"][k] for k in ("volunteers", "organisations", "teams"))])
    sheet(_("分单元"), [_("单元"), _("区划代码"), *_figure_headers(), *registered], rows)
    cat_headers = [h for h, n in zip(_figure_headers(), FIGURES, strict=True) if n != "volunteers"]
    sheet(_("分类别"), [_("类别"), *cat_headers],
          [[c["name"], c["activities"], c["participations"], float(c["hours"]), c["beneficiaries"]]
           for c in data["by_category"]])
    sheet(_("分月份"), [_("月份"), *_figure_headers()], [[m["month"], *_figures(m)] for m in data["by_month"]])
    book.close()
    name = _("志愿服务统计-%(unit)s-%(period)s.xlsx") % {"unit": unit["name"], "period": period["key"]}
    return buffer.getvalue(), name
