"""The merchant settlement statement as xlsx: one sheet of shops and amounts owed, one sheet of receipts."""

from __future__ import annotations

import io

import xlsxwriter
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.privacy.masking import mask_name

from .selectors import Settlement


def settlement_xlsx(s: Settlement) -> tuple[bytes, str]:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    bold = book.add_format({"bold": True})
    money = book.add_format({"num_format": "0.00"})
    sheet = book.add_worksheet(_("商户结算"))
    headers = [_("商户"), _("所属单元"), _("小票数"), _("兑换积分"), _("每积分结算金额（分）"), _("应结算金额（元）")]
    sheet.write_row(0, 0, headers, bold)
    for i, row in enumerate(s.rows, start=1):
        sheet.write_row(i, 0, [row.merchant.name, row.merchant.unit.name, row.receipts, row.points,
                               row.merchant.fen_per_point])
        sheet.write_number(i, 5, float(row.amount), money)
    total = len(s.rows) + 1
    sheet.write(total, 0, _("合计"), bold)
    sheet.write(total, 3, s.points, bold)
    sheet.write_number(total, 5, float(s.amount), money)
    sheet.write(total + 2, 0, _("结算期间：%(start)s 至 %(end)s") % {"start": s.start, "end": s.end})
    sheet.set_column(0, 1, 22)
    sheet.set_column(2, 5, 14)
    receipts = book.add_worksheet(_("兑换小票"))
    receipts.write_row(0, 0, [_("小票号"), _("商户"), _("居民"), _("商品/优惠"), _("数量"), _("积分"), _("方式"),
                              _("兑换时间")], bold)
    for i, r in enumerate(s.receipts, start=1):
        receipts.write_row(i, 0, [r.receipt_number, r.merchant.name, mask_name(r.person.name), r.item.name,
                                  r.quantity, r.points, r.get_channel_display(),
                                  timezone.localtime(r.completed_at).strftime("%Y-%m-%d %H:%M")])
    receipts.set_column(0, 0, 24)
    receipts.set_column(1, 3, 18)
    receipts.set_column(7, 7, 18)
    book.close()
    return out.getvalue(), f"{_('积分超市结算')}-{s.start:%Y%m%d}-{s.end:%Y%m%d}.xlsx"
