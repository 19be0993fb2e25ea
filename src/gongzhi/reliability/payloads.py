"""Hostile inputs shared by the reliability tests: text payloads, and files built in memory that lie about what they
are (xlsx zip bombs, sheets reaching to XFD1048576, truncated and pixel-bomb images, HTML/SVG/PDF in disguise).

Nothing here writes gigabytes anywhere: a zip bomb is a deflate block repeated, so it is a few MB however far it
inflates.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

# --- text -------------------------------------------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
ATTR = '"><img src=x onerror=alert(1)>'
SQL = "'; DROP TABLE people_person; --"
TEMPLATE = "{{ 7*7 }}{% debug %}"
JS_URL = "javascript:alert(1)"
FORMULA = '=cmd|" /C calc"!A0'
RTL = "\u202egnp.exe"
EMOJI = "👩‍👩‍👧‍👦🚒"
NUL = "名\x00字"
LONG = "长" * 10_000

#: rendered values that must never reach a page as markup
MARKUP = [SCRIPT, ATTR, JS_URL]
#: inert values that must be stored and shown as they are
INERT = [SQL, TEMPLATE, RTL, EMOJI, FORMULA]
#: values that must be refused with a 4xx and saved nowhere
REFUSED = [NUL, LONG]

LIVE_MARKUP = re.compile(r"<script>alert|<img src=x|href=[\"']?javascript:", re.IGNORECASE)


def live_markup(html: str) -> list[str]:
    """The payload fragments that appear unescaped (as live markup) in ``html``."""
    return LIVE_MARKUP.findall(html)


def has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


# --- stored media -----------------------------------------------------------------------------------------------

def media_files(path: str = "") -> set[str]:
    """Every file name in the default storage (the in-memory storage under the test settings)."""
    dirs, files = default_storage.listdir(path)
    found = {f"{path}/{f}".lstrip("/") for f in files}
    for d in dirs:
        found |= media_files(f"{path}/{d}".lstrip("/"))
    return found


# --- xlsx -------------------------------------------------------------------------------------------------------

_CT = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
       'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+'
       'xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
       'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override '
       'PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
       'spreadsheetml.worksheet+xml"/></Types>')
_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
         'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
         'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
_WB = ('<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
       'main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" '
       'sheetId="1" r:id="rId1"/></sheets></workbook>')
_WB_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
_SHEET_HEAD = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
               'spreadsheetml/2006/main"><sheetData>')
_SHEET_TAIL = "</sheetData></worksheet>"
HEADER_ROW = ('<row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c><c r="B1" t="inlineStr"><is><t>身份证号码'
              '</t></is></c></row>')
_PARTS = {"[Content_Types].xml": _CT, "_rels/.rels": _RELS, "xl/workbook.xml": _WB,
          "xl/_rels/workbook.xml.rels": _WB_RELS}


def xlsx(sheet_rows: str = HEADER_ROW) -> bytes:
    """A minimal, valid workbook whose first sheet holds ``sheet_rows`` (SpreadsheetML ``<row>`` elements)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in _PARTS.items():
            zf.writestr(name, text)
        zf.writestr("xl/worksheets/sheet1.xml", _SHEET_HEAD + sheet_rows + _SHEET_TAIL)
    return buf.getvalue()


def far_cells_xlsx() -> bytes:
    """Two cells, at A1 and XFD1048576: 1 KB that makes calamine allocate a 17-billion-cell range."""
    return xlsx(HEADER_ROW + '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>')


def rows_beyond_excel_xlsx() -> bytes:
    """A row numbered past Excel's 1,048,576."""
    return xlsx(HEADER_ROW + '<row r="99999999"><c r="A99999999"><v>1</v></c></row>')


def _deflate_repeated(head: bytes, block: bytes, times: int, tail: bytes) -> bytes:
    """A raw deflate stream of head + block × times + tail, built by repeating one compressed block (a full flush
    resets the compressor's history, so every copy of the block compresses to the same bytes)."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = c.compress(head) + c.flush(zlib.Z_FULL_FLUSH)
    once = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    again = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    assert once == again, "a flushed deflate block is expected to repeat byte for byte"
    return first + once * (times - 1) + again + c.compress(tail) + c.flush()


def _raw_zip(members: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip from (name, raw deflate data, crc32, declared unpacked size) — sizes taken as given, not computed."""
    out = io.BytesIO()
    central = []
    for name, data, crc, size in members:
        offset = out.tell()
        encoded = name.encode()
        out.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(data), size, len(encoded), 0))
        out.write(encoded)
        out.write(data)
        central.append(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 8, 0, 0, crc, len(data), size,
                                   len(encoded), 0, 0, 0, 0, 0, offset) + encoded)
    start = out.tell()
    for entry in central:
        out.write(entry)
    out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(central), len(central), out.tell() - start, start, 0))
    return out.getvalue()


def _small_members() -> list[tuple[str, bytes, int, int]]:
    rows = []
    for name, text in _PARTS.items():
        raw = text.encode()
        c = zlib.compressobj(9, zlib.DEFLATED, -15)
        rows.append((name, c.compress(raw) + c.flush(), zlib.crc32(raw), len(raw)))
    return rows


_ROW_BLOCK = b" " * (1024 * 1024)  # whitespace between rows: valid XML, and it deflates ~1000×


def zip_bomb(*, unpacked_gib: float = 3.5, declared: int | None = None) -> bytes:
    """An xlsx whose sheet XML really inflates to ``unpacked_gib`` GiB (a few MB on the wire).

    ``declared`` (bytes) makes the zip lie: the directory claims that size while the data still inflates to GiBs, so
    only a reader that stops at the declared size is safe.
    """
    times = max(2, int(unpacked_gib * 1024 ** 3 // len(_ROW_BLOCK)))
    head = (_SHEET_HEAD + HEADER_ROW + '<row r="2"><c r="A2" t="inlineStr"><is><t>张三</t></is></c></row>').encode()
    tail = _SHEET_TAIL.encode()
    data = _deflate_repeated(head, _ROW_BLOCK, times, tail)
    size = len(head) + len(_ROW_BLOCK) * times + len(tail)
    size = min(size, 0xFFFFFFFF) if declared is None else declared
    return _raw_zip([*_small_members(), ("xl/worksheets/sheet1.xml", data, 0, size)])


# --- images -----------------------------------------------------------------------------------------------------

def image_bytes(fmt: str = "JPEG", size=(40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(out, format=fmt)
    return out.getvalue()


def truncated(fmt: str) -> bytes:
    data = image_bytes(fmt, size=(64, 64)) if fmt != "JPEG" else _noisy_jpeg()
    return data[: len(data) // 2]


def _noisy_jpeg() -> bytes:
    image = Image.effect_noise((128, 128), 80).convert("RGB")
    out = io.BytesIO()
    image.save(out, format="JPEG")
    return out.getvalue()


def png_declaring(width: int, height: int) -> bytes:
    """A 1×1 PNG whose header claims ``width`` × ``height`` (a decompression bomb to any reader that trusts it)."""
    data = bytearray(image_bytes("PNG", size=(1, 1)))
    ihdr = 8  # after the signature: length (4), b"IHDR" (4), width, height, ...
    assert data[ihdr + 4:ihdr + 8] == b"IHDR"
    data[ihdr + 8:ihdr + 16] = struct.pack(">II", width, height)
    data[ihdr + 21:ihdr + 25] = struct.pack(">I", zlib.crc32(bytes(data[ihdr + 4:ihdr + 21])))
    return bytes(data)


HTML_AS_JPG = b"<html><body><script>alert(document.cookie)</script></body></html>"
SVG_AS_JPG = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
              b"<script>alert(1)</script></svg>")
PDF_AS_PNG = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def upload(name: str, data: bytes, content_type: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def hostile_images() -> dict[str, SimpleUploadedFile]:
    """Each file a photo upload must refuse, by the case's name."""
    return {
        "truncated_jpeg": upload("p.jpg", truncated("JPEG"), "image/jpeg"),
        "truncated_png": upload("p.png", truncated("PNG"), "image/png"),
        "pixel_bomb_10g": upload("p.png", png_declaring(100_000, 100_000), "image/png"),
        "pixel_bomb_81m": upload("p.png", png_declaring(9_000, 9_000), "image/png"),
        "html_as_jpg": upload("p.jpg", HTML_AS_JPG, "image/jpeg"),
        "svg_as_jpg": upload("p.jpg", SVG_AS_JPG, "image/jpeg"),
        "pdf_as_png": upload("p.png", PDF_AS_PNG, "image/png"),
        "empty": upload("p.jpg", b"", "image/jpeg"),
    }


def hostile_sheets() -> dict[str, SimpleUploadedFile]:
    """Each file the xlsx import must refuse, by the case's name."""
    ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return {
        "zip_bomb": upload("名单.xlsx", zip_bomb(), ctype),
        "zip_bomb_lying_size": upload("名单.xlsx", zip_bomb(unpacked_gib=0.25, declared=512 * 1024), ctype),
        "far_cells": upload("名单.xlsx", far_cells_xlsx(), ctype),
        "rows_beyond_excel": upload("名单.xlsx", rows_beyond_excel_xlsx(), ctype),
        "not_a_zip": upload("名单.xlsx", b"name,id\n" * 50, ctype),
        "html_as_xlsx": upload("名单.xlsx", HTML_AS_JPG, ctype),
        "truncated_zip": upload("名单.xlsx", xlsx()[:300], ctype),
        "empty": upload("名单.xlsx", b"", ctype),
    }
