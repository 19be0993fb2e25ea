"""The 志愿服务证明 as a PDF (reportlab), drawn from a certificate's frozen snapshot (R-V7).

Chinese needs an embedded TrueType CJK font: ``settings.CJK_FONT_PATH``, else ``$GONGZHI_CJK_FONT``, else the Debian
``fonts-wqy-microhei`` file. Without one the caller gets ``RecognitionError.FONT_MISSING`` (a 409, not a 500). The seal
is drawn (a red ring with the issuer's name and a star), plainly a rendering and not an image of a real seal.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import os
import re

import qrcode
from django.conf import settings
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from .errors import RecognitionError

DEFAULT_FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
FONT_NAME = "GongzhiCJK"
SEAL_RED = colors.Color(0.80, 0.08, 0.08)


def font_path() -> str:
    return getattr(settings, "CJK_FONT_PATH", None) or os.environ.get("GONGZHI_CJK_FONT") or DEFAULT_FONT


def _register_font() -> str:
    path = font_path()
    if FONT_NAME in pdfmetrics.getRegisteredFontNames() and getattr(_register_font, "path", None) == path:
        return FONT_NAME
    if not os.path.isfile(path):
        raise RecognitionError.FONT_MISSING.error(detail={"path": path})
    try:
        pdfmetrics.registerFont(TTFont(FONT_NAME, path, subfontIndex=0))
    except Exception as exc:  # a file that is not a usable TrueType font
        raise RecognitionError.FONT_MISSING.error(detail={"path": path}) from exc
    _register_font.path = path
    return FONT_NAME


def _date_cn(iso: str | None) -> str:
    if not iso:
        return "—"
    d = dt.date.fromisoformat(iso)
    return f"{d.year}年{d.month}月{d.day}日"


_TOKEN = re.compile(r"[A-Za-z0-9*.:/\-]+|.")


def _wrap(c: canvas.Canvas, text: str, font: str, size: float, width: float) -> list[str]:
    """Break Chinese text anywhere, but keep numbers and codes (ID, volunteer number) whole on one line."""
    lines, line = [], ""
    for ch in _TOKEN.findall(text):
        if c.stringWidth(line + ch, font, size) > width:
            lines.append(line)
            line = ch
        else:
            line += ch
    if line:
        lines.append(line)
    return lines


def _qr(url: str) -> ImageReader:
    img = qrcode.make(url, box_size=6, border=1)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    buf.seek(0)
    return ImageReader(buf)


def draw_seal(c: canvas.Canvas, cx: float, cy: float, radius: float, name: str, font: str) -> None:
    """A red round seal: double ring, the issuer's name along the upper arc, a five-pointed star, a bottom label."""
    c.saveState()
    c.setStrokeColor(SEAL_RED)
    c.setFillColor(SEAL_RED)
    c.setLineWidth(2.2)
    c.circle(cx, cy, radius, stroke=1, fill=0)
    c.setLineWidth(0.6)
    c.circle(cx, cy, radius - 3, stroke=1, fill=0)
    # star
    points = []
    for i in range(10):
        r = radius * (0.26 if i % 2 == 0 else 0.105)
        a = math.pi / 2 + i * math.pi / 5
        points.append((cx + r * math.cos(a), cy + r * math.sin(a)))
    path = c.beginPath()
    path.moveTo(*points[0])
    for p in points[1:]:
        path.lineTo(*p)
    path.close()
    c.drawPath(path, stroke=0, fill=1)
    # name along the arc, from lower left over the top to lower right
    size = min(radius * 0.30, 13)
    text_r = radius - 4 - size
    chars = list(name)
    span = min(math.radians(250), math.radians(24) * max(len(chars) - 1, 1))
    start = math.pi / 2 + span / 2
    step = span / max(len(chars) - 1, 1)
    for i, ch in enumerate(chars):
        a = start - i * step
        c.saveState()
        c.translate(cx + text_r * math.cos(a), cy + text_r * math.sin(a))
        c.rotate(math.degrees(a) - 90)
        c.setFont(font, size)
        c.drawCentredString(0, 0, ch)
        c.restoreState()
    c.setFont(font, size * 0.72)
    c.drawCentredString(cx, cy - radius * 0.52, "志愿服务证明专用")
    c.restoreState()


def render_certificate(snapshot: dict, *, verify_url: str, revoked: bool = False) -> bytes:
    """One A4 page with everything R-V7 asks for, the QR code to ``verify_url`` and the verification code."""
    font = _register_font()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, pageCompression=1)
    c.setTitle(f"志愿服务证明 {snapshot['number']}")
    c.setAuthor(snapshot["issuer_name"])
    w, h = A4
    left, right = 25 * mm, w - 25 * mm

    # border
    c.setStrokeColor(colors.Color(0.55, 0.10, 0.10))
    c.setLineWidth(1.6)
    c.rect(12 * mm, 12 * mm, w - 24 * mm, h - 24 * mm)
    c.setLineWidth(0.5)
    c.rect(14 * mm, 14 * mm, w - 28 * mm, h - 28 * mm)

    c.setFillColor(colors.black)
    c.setFont(font, 10)
    c.drawRightString(right, h - 26 * mm, f"证明编号：{snapshot['number']}")
    c.setFont(font, 26)
    c.drawCentredString(w / 2, h - 45 * mm, "志 愿 服 务 证 明")

    c.setFont(font, 12.5)
    body = (
        f"兹证明 {snapshot['volunteer_name']}（{snapshot['id_type']}：{snapshot['id_number_masked']}，"
        f"志愿者编号：{snapshot['volunteer_number']}）于 {_date_cn(snapshot['period_start'])} 至 "
        f"{_date_cn(snapshot['period_end'])} 期间参加由{snapshot['issuer_name']}组织的志愿服务活动"
        f"{snapshot['activity_count']}项，经核实，累计志愿服务时长 {snapshot['hours']} 小时。"
    )
    y = h - 62 * mm
    for i, line in enumerate(_wrap(c, "　　" + body, font, 12.5, right - left)):
        c.drawString(left, y - i * 8 * mm, line)
    y -= len(_wrap(c, "　　" + body, font, 12.5, right - left)) * 8 * mm + 4 * mm

    # service content table
    c.setFont(font, 11)
    c.drawString(left, y, "服务内容：")
    y -= 7 * mm
    col_hours, col_days = right - 22 * mm, right - 48 * mm
    c.setFont(font, 9.5)
    c.setFillColor(colors.Color(0.35, 0.35, 0.35))
    c.drawString(left + 2 * mm, y, "活动名称")
    c.drawRightString(col_days, y, "服务天数")
    c.drawRightString(col_hours + 18 * mm, y, "时长（小时）")
    c.setFillColor(colors.black)
    c.setLineWidth(0.4)
    c.setStrokeColor(colors.Color(0.6, 0.6, 0.6))
    c.line(left, y - 2 * mm, right, y - 2 * mm)
    y -= 7 * mm
    c.setFont(font, 10.5)
    for row in snapshot["content"]:
        title = row["title"]
        while c.stringWidth(title, font, 10.5) > col_days - left - 25 * mm and len(title) > 2:
            title = title[:-2] + "…"
        c.drawString(left + 2 * mm, y, title)
        c.drawRightString(col_days, y, str(row["days"]))
        c.drawRightString(col_hours + 18 * mm, y, row["hours"])
        y -= 6.5 * mm
    more = snapshot.get("content_more") or {}
    if more.get("activities"):
        c.drawString(left + 2 * mm, y, f"其他活动{more['activities']}项")
        c.drawRightString(col_hours + 18 * mm, y, more["hours"])
        y -= 6.5 * mm
    c.line(left, y + 4 * mm, right, y + 4 * mm)
    y -= 4 * mm

    c.setFont(font, 10.5)
    extra = []
    if snapshot.get("minor"):
        g = snapshot.get("guardian") or {}
        extra.append(f"该志愿者为未成年人，参加志愿服务已取得监护人{g.get('name') or ''}同意"
                     f"（记录于{_date_cn(g.get('recorded_on'))}）。")
    if snapshot.get("excluded_under_age_hours") not in (None, "0.00"):
        extra.append(f"未满六周岁期间的服务时长{snapshot['excluded_under_age_hours']}小时不予认定。")
    if snapshot.get("purpose"):
        extra.append(f"用途：{snapshot['purpose']}")
    extra.append(f"备注：{snapshot.get('notes') or '无'}")
    for para in extra:
        for line in _wrap(c, para, font, 10.5, right - left):
            c.drawString(left, y, line)
            y -= 6 * mm

    # issuer block (bottom right) with the seal over the unit name and date
    base = 78 * mm
    lines = [
        f"出具单位：{snapshot['issuer_name']}",
        f"负责人：{snapshot['person_in_charge']}",
        f"经办人：{snapshot['handler']}",
        f"联系电话：{snapshot['contact']}",
        f"开具日期：{_date_cn(snapshot['issue_date'])}",
    ]
    c.setFont(font, 11)
    bx = w / 2 + 2 * mm
    for i, line in enumerate(lines):
        c.drawString(bx, base + (len(lines) - 1 - i) * 7 * mm, line)
    draw_seal(c, right - 19 * mm, base + 12 * mm, 19 * mm, snapshot["issuer_name"], font)

    # QR code and verification (bottom left)
    qr_size = 30 * mm
    c.drawImage(_qr(verify_url), left, base - 2 * mm, qr_size, qr_size)
    c.setFont(font, 9)
    c.drawString(left, base - 7 * mm, "扫码或访问验证页面核验真伪")
    c.setFont(font, 10)
    c.drawString(left, base - 13 * mm, f"验证码：{snapshot['verify_code']}")

    c.setFont(font, 8.5)
    c.setFillColor(colors.Color(0.35, 0.35, 0.35))
    c.drawCentredString(w / 2, 30 * mm, "本证明依据《志愿服务条例》和《志愿服务记录与证明出具办法（试行）》出具，免费出具，不收取任何费用。")
    c.drawCentredString(w / 2, 25 * mm, f"验证地址：{verify_url}")
    c.drawCentredString(w / 2, 20 * mm, "印章为系统生成的电子样式，证明真伪以验证页面显示为准。")

    if revoked:
        c.saveState()
        c.setFillColor(colors.Color(0.8, 0.1, 0.1, alpha=0.35))
        c.setFont(font, 72)
        c.translate(w / 2, h / 2)
        c.rotate(30)
        c.drawCentredString(0, 0, "已作废")
        c.restoreState()

    c.showPage()
    c.save()
    return buf.getvalue()
