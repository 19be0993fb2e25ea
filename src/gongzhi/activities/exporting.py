"""The insurance roster as xlsx (R-V10): who is covered for which activity dates, ID numbers masked (R-P3)."""

from __future__ import annotations

import io

import xlsxwriter
from django.utils.translation import gettext_lazy as _

COLUMNS = [
    ("name", _("姓名"), 12), ("number", _("志愿者编号"), 20), ("id_number", _("证件号码（脱敏）"), 22),
    ("activity", _("活动"), 30), ("starts_on", _("开始日期"), 12), ("ends_on", _("结束日期"), 12),
    ("insurer", _("保险公司"), 20), ("policy_number", _("保单号"), 22),
]


def roster_xlsx(rows: list[dict]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet(str(_("参保名单")))
    head = book.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1})
    for col, (_key, label, width) in enumerate(COLUMNS):
        sheet.write(0, col, str(label), head)
        sheet.set_column(col, col, width)
    for r, row in enumerate(rows, start=1):
        for col, (key, _label, _width) in enumerate(COLUMNS):
            value = row[key]
            sheet.write_string(r, col, value.isoformat() if hasattr(value, "isoformat") else str(value))
    sheet.freeze_panes(1, 0)
    book.close()
    return buffer.getvalue()
