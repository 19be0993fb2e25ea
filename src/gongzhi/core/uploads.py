"""The one guard every upload passes: size and emptiness, then what the bytes really are, before anything inflates.

Each upload path (the people xlsx import, appeal photos and 随手拍, points evidence photos) calls
:func:`check_size` and then :func:`xlsx_inspect` or :func:`image_open`, passing its own app's error codes for the
answers its users already know ("not a valid file", "too large"); the refusals only this guard can give (an empty
file, a workbook that unpacks to far more than it weighs, a sheet reaching absurdly far, an image with absurd
dimensions) carry the ``upload.*`` codes below.

Why the xlsx checks read the zip themselves: python-calamine (the import's reader) builds each sheet as one dense
Rust range from the lowest to the highest cell it finds, so a 1 KB file with cells at A1 and XFD1048576 makes it ask
for half a terabyte and abort the whole process (not an exception a view could catch); and a zip member may declare
one size and inflate to another. So the archive's directory is checked first (declared sizes, ratios, member count:
no inflating), then each member is inflated in bounded chunks, never past its declared size, while the worksheets'
cell references are scanned for how far they reach.
"""

from __future__ import annotations

import re
import struct
import uuid
import warnings
import zipfile
import zlib
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from PIL import Image

from .errors import ErrorCode

MIB = 1024 * 1024

# xlsx: a 20 MB import sheet of ~350,000 rows unpacks to well under 200 MB; real sheets compress 5–20×, a zip bomb
# ~1000×. A dense calamine range costs ~32 bytes a cell, so 10 M cells is ~320 MB (1 M rows × 10 columns).
XLSX_MAX_UNPACKED_BYTES = 256 * MIB
XLSX_MAX_RATIO = 200  # per member, for members above XLSX_RATIO_FLOOR (tiny XML parts compress oddly)
XLSX_RATIO_FLOOR = MIB
XLSX_MAX_MEMBERS = 1000
XLSX_MAX_ROWS = 1_048_576  # Excel's own limits
XLSX_MAX_COLUMNS = 16_384
XLSX_MAX_CELLS = 10_000_000
# Images: a 48-megapixel phone photo is 8000 × 6000; beyond that a photo is an attack on memory (Pillow's own
# warning threshold is 89 M pixels, its error only at twice that).
IMAGE_MAX_PIXELS = 50_000_000
IMAGE_EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}

_CHUNK = 64 * 1024
_OUT_CHUNK = MIB
_LOCAL_HEADER = struct.Struct("<4s5H3L2H")
# How writers spell a cell or row reference, once tabs and newlines are spaces and quotes are double (fast: a
# literal prefix); and how anything may (spaces around "=", in the value, a namespace prefix), used only on a chunk
# where one of the _UNUSUAL spellings occurs.
_NORMALISE = bytes.maketrans(b"\t\n\r'", b'   "')
_REF = re.compile(rb' r="([A-Za-z]*)([0-9]+)"')
_ANY_REF = re.compile(rb'\s(?:[A-Za-z_][\w.-]*:)?r\s*=\s*"\s*([A-Za-z]*)([0-9]+)\s*"')
_ANY_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s/>]")
_UNUSUAL = (b" r =", b" r= ", b'r=" ', b":r=", b":c ", b":c>", b":c/")


class UploadError(ErrorCode):
    EMPTY = ("upload.empty", _("上传的文件是空的，请重新选择文件"), 400)
    UNPACKED_TOO_LARGE = ("upload.unpacked_too_large",
                          _("表格解压后的内容过大或压缩比异常，疑似恶意文件，已拒绝"), 400)
    SHEET_TOO_LARGE = ("upload.sheet_too_large", _("表格的行数、列数或单元格数超出上限，请拆分后再上传"), 400)
    IMAGE_TOO_MANY_PIXELS = ("upload.image_too_many_pixels", _("图片尺寸过大（像素过多），请缩小后再上传"), 400)


def check_size(upload, *, max_bytes: int, too_large: ErrorCode, message=None) -> None:
    """An empty upload is refused (``upload.empty``), one above ``max_bytes`` with the app's ``too_large`` code."""
    size = upload.size
    if not size:
        raise UploadError.EMPTY.error()
    if size > max_bytes:
        raise too_large.error(detail={"max_bytes": max_bytes, "size": size}, message=message)


def safe_name(fmt: str) -> str:
    """A stored file name the uploader does not choose: a random stem and the extension of the detected format."""
    return f"{uuid.uuid4().hex}.{IMAGE_EXTENSIONS[fmt]}"


# --- images -----------------------------------------------------------------------------------------------------

def image_open(upload, *, formats: set[str], invalid: ErrorCode, max_pixels: int = IMAGE_MAX_PIXELS) -> Image.Image:
    """Open and decode an uploaded image, only with the decoders of ``formats``, after checking its dimensions.

    A file that is not one of ``formats`` (HTML or SVG named .jpg, a PDF named .png), or is truncated or corrupt,
    answers the app's ``invalid`` code; more than ``max_pixels`` answers ``upload.image_too_many_pixels`` before a
    single pixel is decoded. Returns the loaded image (its ``format`` set); the upload is rewound.
    """
    allowed = sorted(formats)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            upload.seek(0)
            with Image.open(upload, formats=allowed) as probe:  # the header only
                width, height = probe.size
                if width * height > max_pixels:
                    raise _too_many_pixels(width, height, max_pixels)
                probe.verify()
            upload.seek(0)
            image = Image.open(upload, formats=allowed)
            image.load()
    except _PixelsRefused as refused:
        raise UploadError.IMAGE_TOO_MANY_PIXELS.error(detail=refused.detail) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UploadError.IMAGE_TOO_MANY_PIXELS.error(detail={"max_pixels": max_pixels}) from None
    except Exception:  # noqa: BLE001 - Pillow raises many kinds for a broken or foreign file
        raise invalid.error(detail={"allowed": allowed}) from None
    finally:
        upload.seek(0)
    if image.format not in formats:
        raise invalid.error(detail={"format": image.format, "allowed": allowed})
    return image


class _PixelsRefused(Exception):
    def __init__(self, detail: dict):
        self.detail = detail


def _too_many_pixels(width: int, height: int, max_pixels: int) -> _PixelsRefused:
    return _PixelsRefused({"width": width, "height": height, "max_pixels": max_pixels})


# --- xlsx -------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SheetReach:
    """How far a worksheet's cells reach (1-based), and how many cells it holds."""

    rows: int
    columns: int
    cells: int


def xlsx_inspect(fileobj, *, invalid: ErrorCode) -> dict[str, SheetReach]:
    """Check an uploaded xlsx without trusting it: a zip with ``xl/workbook.xml`` (else ``invalid``), no member
    declaring or inflating past ``XLSX_MAX_UNPACKED_BYTES`` in all or past ``XLSX_MAX_RATIO`` alone, and no worksheet
    reaching past ``XLSX_MAX_ROWS`` / ``XLSX_MAX_COLUMNS`` / ``XLSX_MAX_CELLS``. Returns each worksheet's reach.
    Memory stays bounded by the chunk sizes whatever the file says; ``fileobj`` is rewound."""
    pos = fileobj.tell()
    try:
        return _inspect(fileobj, invalid)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, struct.error, OSError, ValueError, EOFError):
        raise invalid.error() from None
    finally:
        fileobj.seek(pos)


def _inspect(fileobj, invalid: ErrorCode) -> dict[str, SheetReach]:
    fileobj.seek(0)
    if not zipfile.is_zipfile(fileobj):
        raise invalid.error(detail={"reason": "not_zip"})
    fileobj.seek(0)
    with zipfile.ZipFile(fileobj) as zf:
        members = zf.infolist()
    if len(members) > XLSX_MAX_MEMBERS:
        raise UploadError.UNPACKED_TOO_LARGE.error(detail={"members": len(members), "max_members": XLSX_MAX_MEMBERS})
    if "xl/workbook.xml" not in {m.filename for m in members}:
        raise invalid.error(detail={"reason": "no_workbook"})
    declared = sum(m.file_size for m in members)
    if declared > XLSX_MAX_UNPACKED_BYTES:
        raise UploadError.UNPACKED_TOO_LARGE.error(detail={"unpacked_bytes": declared,
                                                           "max_unpacked_bytes": XLSX_MAX_UNPACKED_BYTES})
    for m in members:
        if m.file_size > XLSX_RATIO_FLOOR and m.file_size > XLSX_MAX_RATIO * max(m.compress_size, 1):
            raise UploadError.UNPACKED_TOO_LARGE.error(detail={"member": m.filename, "max_ratio": XLSX_MAX_RATIO})
        if m.flag_bits & 0x1 or m.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise invalid.error(detail={"member": m.filename, "reason": "encrypted_or_unknown_compression"})
    reach = {}
    for m in members:
        scan = _SheetScan() if m.filename.startswith("xl/worksheets/") and m.filename.endswith(".xml") else None
        _inflate(fileobj, m, scan)
        if scan is not None:
            scan.finish()
            reach[m.filename] = scan.result()
    return reach


def _inflate(fileobj, member: zipfile.ZipInfo, scan: _SheetScan | None) -> None:
    """Inflate one member from its raw bytes, refusing the moment it yields more than it declared."""
    fileobj.seek(member.header_offset)
    header = _LOCAL_HEADER.unpack(fileobj.read(_LOCAL_HEADER.size))
    if header[0] != b"PK\x03\x04":
        raise zipfile.BadZipFile("bad local header")
    fileobj.seek(header[9] + header[10], 1)  # file name and extra field
    left = member.compress_size
    budget = member.file_size
    inflater = zlib.decompressobj(-15) if member.compress_type == zipfile.ZIP_DEFLATED else None
    while left > 0:
        raw = fileobj.read(min(_CHUNK, left))
        if not raw:
            raise zipfile.BadZipFile("truncated member")
        left -= len(raw)
        while raw:
            if inflater is None:
                out, raw = raw, b""
            else:
                out = inflater.decompress(raw, _OUT_CHUNK)
                raw = inflater.unconsumed_tail
            budget -= len(out)
            if budget < 0:
                raise _unpacked_too_large(member)
            if scan is not None:
                scan.feed(out)
            if inflater is not None and inflater.eof:
                raw = b""
    if budget != 0:
        raise zipfile.BadZipFile("member size differs from its declaration")


def _unpacked_too_large(member: zipfile.ZipInfo):
    return UploadError.UNPACKED_TOO_LARGE.error(detail={"member": member.filename, "reason": "inflates_past_declared"})


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n


class _SheetScan:
    """Tracks the farthest row and column a worksheet reaches and counts its cells, over XML arriving in chunks.

    In a worksheet only ``<row r="7">`` and ``<c r="B7">`` carry an ``r`` attribute (a row's without letters), so
    the attribute alone tells where something sits. Only whole tags are scanned: what follows a chunk's last ``>``
    is carried into the next, and a stretch without any ``>`` longer than ``MAX_TAG`` (a cell holds at most 32,767
    characters) is refused.
    """

    MAX_TAG = MIB

    def __init__(self):
        self.rows = 0
        self.columns = 0
        self.cells = 0
        self.carry = b""

    def feed(self, data: bytes) -> None:
        data = self.carry + data
        cut = data.rfind(b">") + 1
        part, self.carry = data[:cut], data[cut:]
        if len(self.carry) > self.MAX_TAG:
            raise UploadError.SHEET_TOO_LARGE.error(detail={"reason": "tag_too_long"})
        part = part.translate(_NORMALISE)
        if any(spelling in part for spelling in _UNUSUAL):
            cells, refs = len(_ANY_CELL.findall(part)), _ANY_REF.findall(part)
        else:
            cells, refs = part.count(b"<c ") + part.count(b"<c>") + part.count(b"<c/"), _REF.findall(part)
        self.cells += cells
        if refs:
            letters, digits = zip(*refs, strict=True)
            longest = max(map(len, digits))
            self.rows = max(self.rows, max(map(int, digits)) if longest <= 9 else XLSX_MAX_ROWS + 1)
            for column in set(letters) - {b""}:  # a handful of distinct column names
                n = _column_number(column.upper()) if len(column) <= 4 else XLSX_MAX_COLUMNS + 1
                self.columns = max(self.columns, n)
        self._check()

    def finish(self) -> None:
        self.feed(b">")

    def _check(self) -> None:
        area = self.rows * max(self.columns, 1)
        if (self.rows > XLSX_MAX_ROWS or self.columns > XLSX_MAX_COLUMNS or area > XLSX_MAX_CELLS
                or self.cells > XLSX_MAX_CELLS):
            raise UploadError.SHEET_TOO_LARGE.error(detail={
                "rows": self.rows, "columns": self.columns, "max_rows": XLSX_MAX_ROWS,
                "max_columns": XLSX_MAX_COLUMNS, "max_cells": XLSX_MAX_CELLS})

    def result(self) -> SheetReach:
        return SheetReach(rows=self.rows, columns=self.columns, cells=self.cells)
