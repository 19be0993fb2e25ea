"""Bulk import of people and volunteers from xlsx: read, validate every row, save in batches, report errors.

- Read with python-calamine (Rust). Its reader parses the sheet into a Rust-side range before iteration (it has no
  lazy reader); on the Python side rows are handled ``BATCH_SIZE`` at a time and no list of objects for the whole
  sheet is ever built.
- Every row goes through the rules of :mod:`gongzhi.people.services` (``derive_person_fields``, ``clean_phone``,
  ``tags_by_code``, ``skills_by_code``, the volunteer age check): the import adds batching and caching, not rules.
- Rows are matched to existing people on ``id_number_digest`` (R-I1), so importing the same file twice creates
  nothing new; an existing person is updated only when something changed, with a :class:`PersonChange` row.
  A blank optional cell keeps what is stored (an import never wipes a phone number because a column is empty).
- Errors are kept per row and column and written, as the rows stream by, to an xlsx report (original values plus
  an 错误说明 column, and one line per error on a second sheet).
- Modes: dry run (validate, save nothing); real run (save every valid row, one transaction per batch); strict
  (validate the whole file first and save nothing if any row fails, else save everything in one transaction).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gc
import hashlib
import hmac
import logging
import multiprocessing
import operator
import os
import queue
import re
import tempfile
import threading
import uuid
import zipfile
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from types import SimpleNamespace

import python_calamine
import xlsxwriter
from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.accounts import scoping
from gongzhi.core import clock, uploads
from gongzhi.core.errors import CommonError, DomainError
from gongzhi.org.divisions import UnitKind
from gongzhi.org.models import Unit
from gongzhi.privacy.services import access_log_record

from . import permissions as perms
from . import services
from .errors import PeopleError
from .identity import ID_REASON_MESSAGES, IdNumberInvalid, parse_id_number
from .models import (
    ConsentPurpose,
    ConsentRecord,
    Household,
    ImportJob,
    ImportKind,
    ImportStatus,
    Person,
    PersonChange,
    Skill,
    Tag,
    VolunteerProfile,
    VolunteerStatus,
    VolunteerStatusChange,
)
from .rules import volunteer_rules

logger = logging.getLogger(__name__)

BATCH_SIZE = 5000  # 2,000 spent twice as long in SQLite commits (each batch dirties index pages all over)
HEADER_SEARCH_ROWS = 10  # the header may sit below a title row or two
SOURCE = "import"


# --- columns ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    volunteers_only: bool = False
    help: str = ""


COLUMNS = (
    Column("name", "姓名", ("名字", "居民姓名", "志愿者姓名"), required=True, help=gettext_lazy("必填，不超过50个字")),
    Column("id_number", "身份证号", ("身份证号码", "公民身份号码", "身份证", "证件号码"),
           help=gettext_lazy("18位居民身份证号码，请将此列设为文本格式；用于识别重复登记")),
    Column("phone", "手机号", ("手机号码", "手机", "联系电话", "电话"), help=gettext_lazy("11位手机号码")),
    Column("address", "住址", ("地址", "家庭住址", "现住址", "居住地址")),
    Column("unit_code", "所属单元代码", ("单元代码", "社区代码", "村代码", "网格代码", "区划代码"),
           help=gettext_lazy("社区、村或网格的区划代码；不填则为导入时选择的单元")),
    Column("household", "户", ("户号", "户名", "门牌", "户名/门牌")),
    Column("tags", "人群标签", ("标签", "人群类别", "人群分类"),
           help=gettext_lazy("标签名称或代码，多个用“、”“，”或“;”分隔")),
    Column("guardian", "监护人", ("监护人姓名",), help=gettext_lazy("未满十四周岁（志愿者未满十八周岁）须填写")),
    Column("skills", "技能", ("服务技能", "专长", "特长"), volunteers_only=True,
           help=gettext_lazy("技能名称或代码，多个用“、”分隔")),
    Column("availability", "可服务时间", ("服务时间", "可服务时段"), volunteers_only=True,
           help=gettext_lazy("可选：工作日白天、工作日晚上、周末白天、周末晚上、节假日，多个用“、”分隔")),
)
# Which column a service error's detail["field"] belongs to.
FIELD_COLUMN = {"name": "name", "id_number": "id_number", "phone": "phone", "unit": "unit_code", "tags": "tags",
                "skills": "skills", "guardian_name": "guardian", "address": "address"}

_HEADER_NOISE = re.compile(r"[\s*＊:：]|（必填）|\(必填\)")
_SPLIT = re.compile(r"[、,，;；\s]+")
_HOME_KINDS = set(services.HOME_UNIT_KINDS)


def columns_for(kind: str) -> list[Column]:
    return [c for c in COLUMNS if kind == ImportKind.VOLUNTEERS or not c.volunteers_only]


def _norm_header(value) -> str:
    return _HEADER_NOISE.sub("", str(value if value is not None else ""))


def header_columns(cells: list, kind: str) -> tuple[dict[str, int], list[str]]:
    """Map column keys to positions in a header row; also return the headers of missing required columns."""
    lookup = {}
    for col in columns_for(kind):
        translated = []
        for code, _name in settings.LANGUAGES:  # an export made in English imports back: headers in every language
            with translation.override(code):
                translated.append(translation.gettext(col.header))
        for name in (col.header, *col.aliases, *translated):
            lookup[_norm_header(name).lower()] = col.key
    found: dict[str, int] = {}
    for i, cell in enumerate(cells):
        key = lookup.get(_norm_header(cell).lower())
        if key and key not in found:
            found[key] = i
    missing = [c.header for c in columns_for(kind) if c.required and c.key not in found]
    return found, missing


def _text(value) -> str:
    """A cell as trimmed text; whole numbers lose the '.0' calamine gives them."""
    if value.__class__ is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value).strip()


# --- reading ---------------------------------------------------------------------------------------------


@dataclass
class SheetReader:
    """The first sheet of a workbook: its header and an iterator over the data rows (Excel row number, cells)."""

    workbook: python_calamine.CalamineWorkbook
    columns: dict[str, int]
    headers: list[str]
    header_row: int
    estimated_rows: int
    rows: Iterator[tuple[int, list]]

    def close(self) -> None:
        self.workbook.close()


def sheet_open(source, kind: str, *, inspected_sha256: str = "") -> SheetReader:
    """Open an xlsx (a path or a binary file object) and find its header. Raises IMPORT_FILE/HEADER_INVALID.

    The upload guard runs first: calamine aborts the process on a sheet reaching absurdly far (see core.uploads).
    A job's stored file was inspected when it was uploaded; ``inspected_sha256`` is that file's digest, and the
    inspection (≈ 1.7 s for 100,000 rows) is skipped only while the bytes read now still have it."""
    try:
        if isinstance(source, str | os.PathLike):
            with open(source, "rb") as fh:
                if not _same_file(fh, inspected_sha256):
                    uploads.xlsx_inspect(fh, invalid=PeopleError.IMPORT_FILE_INVALID)
            workbook = python_calamine.CalamineWorkbook.from_path(source)
        else:
            source.seek(0)
            if not _same_file(source, inspected_sha256):
                uploads.xlsx_inspect(source, invalid=PeopleError.IMPORT_FILE_INVALID)
            workbook = python_calamine.CalamineWorkbook.from_filelike(source)
        sheet = workbook.get_sheet_by_index(0)
        rows = enumerate(sheet.iter_rows(), start=1)  # calamine yields from row 1, so the index is Excel's row
    except (python_calamine.CalamineError, OSError, ValueError, zipfile.BadZipFile):
        raise PeopleError.IMPORT_FILE_INVALID.error() from None
    best_missing = [c.header for c in columns_for(kind) if c.required]
    for number, cells in rows:
        columns, missing = header_columns(cells, kind)
        if "name" in columns:
            if missing:
                best_missing = missing
                break
            end = sheet.end
            estimated = max(0, (end[0] + 1 if end else 0) - number)
            return SheetReader(workbook, columns, [_text(c) for c in cells], number, estimated, rows)
        if number >= HEADER_SEARCH_ROWS:
            break
    workbook.close()
    raise PeopleError.IMPORT_HEADER_INVALID.error(
        detail={"missing": best_missing},
        message=_("表头缺少必填列：%(columns)s") % {"columns": "、".join(best_missing)},
    )


def file_sha256(fileobj) -> str:
    """The SHA-256 of a binary file object's bytes (it is rewound to the start afterwards)."""
    fileobj.seek(0)
    digest = hashlib.sha256()
    while chunk := fileobj.read(1 << 20):
        digest.update(chunk)
    fileobj.seek(0)
    return digest.hexdigest()


def _same_file(fileobj, inspected_sha256: str) -> bool:
    return bool(inspected_sha256) and hmac.compare_digest(file_sha256(fileobj), inspected_sha256)


def _source_of(fieldfile):
    """A path when the file is on local disk (calamine reads it directly), else an open binary file."""
    path = fieldfile.path if isinstance(fieldfile.storage, FileSystemStorage) else None
    if path and os.path.exists(path):
        return path
    fieldfile.open("rb")
    return fieldfile.file


# --- the error report ------------------------------------------------------------------------------------


class ErrorReport:
    """Streams rejected rows into an xlsx (xlsxwriter constant_memory): sheet 1 the original rows with the bad
    cells marked and an 错误说明 column, sheet 2 one line per error (行号, 列, 错误说明)."""

    def __init__(self, headers: list[str], columns: dict[str, int], kind: str):
        self.headers = headers
        self.position = dict(columns)
        self.titles = {c.key: c.header for c in columns_for(kind)}
        self.path: str | None = None
        self._book = None
        self._row = 0
        self._list_row = 0

    def _open(self) -> None:
        fd, self.path = tempfile.mkstemp(prefix="gongzhi-import-errors-", suffix=".xlsx")
        os.close(fd)
        book = xlsxwriter.Workbook(self.path, {"constant_memory": True, "strings_to_numbers": False,
                                               "strings_to_formulas": False, "strings_to_urls": False})
        self._bold = book.add_format({"bold": True, "bg_color": "#F2F4F7"})
        self._bad = book.add_format({"bg_color": "#FDE2E1", "font_color": "#9E0C24"})
        self._rows = book.add_worksheet(_("错误行"))
        self._list = book.add_worksheet(_("错误明细"))
        self._rows.write_row(0, 0, [_("行号"), *self.headers, _("错误说明")], self._bold)
        self._list.write_row(0, 0, [_("行号"), _("列"), _("错误说明")], self._bold)
        self._rows.set_column(1, len(self.headers), 16)
        self._rows.set_column(len(self.headers) + 1, len(self.headers) + 1, 60)
        self._list.set_column(2, 2, 60)
        self._book = book

    def add(self, number: int, cells: list, errors: list[tuple[str, str]]) -> None:
        if self._book is None:
            self._open()
        self._row += 1
        bad = {self.position[key] for key, _msg in errors if key in self.position}
        ws = self._rows
        ws.write_number(self._row, 0, number)
        for i in range(len(self.headers)):
            value = cells[i] if i < len(cells) else ""
            fmt = self._bad if i in bad else None
            if isinstance(value, int | float) and not isinstance(value, bool):
                ws.write_number(self._row, i + 1, value, fmt)
            elif value not in ("", None) or fmt is not None:
                ws.write_string(self._row, i + 1, _text(value), fmt)
        lines = [f"{self._title(key)}：{msg}" for key, msg in errors]
        ws.write_string(self._row, len(self.headers) + 1, "；".join(lines))
        for key, msg in errors:
            self._list_row += 1
            self._list.write_row(self._list_row, 0, [number, self._title(key), str(msg)])

    def _title(self, key: str) -> str:
        i = self.position.get(key)
        return (self.headers[i] or self.titles.get(key, key)) if i is not None else self.titles.get(key, key)

    def close(self) -> str | None:
        if self._book is not None:
            self._book.close()
            self._book = None
        return self.path


# --- one row ---------------------------------------------------------------------------------------------


class _Row:
    __slots__ = ("number", "cells", "raw", "unit", "tags", "skills", "availability", "derived", "errors", "key",
                 "person", "profile", "changes", "household_changed", "guardian", "new_profile", "profile_changes",
                 "guardian_consent")

    def __init__(self, number: int, cells: list, raw: dict[str, str]):
        self.number = number
        self.cells = cells
        self.raw = raw
        self.unit: Unit | None = None
        self.tags: list[Tag] | None = None  # None: column blank, keep what is stored
        self.skills: list[Skill] | None = None
        self.availability: list[str] | None = None
        self.derived: services.PersonFields | None = None
        self.errors: list[tuple[str, str]] = []
        self.key = None
        self.person: Person | None = None
        self.profile: VolunteerProfile | None = None
        self.changes: list[str] = []
        self.household_changed = False
        self.guardian = ""
        self.new_profile = False
        self.profile_changes: list[str] = []
        self.guardian_consent = False  # record a guardian's consent for an existing child (R-P2)

    def fail(self, column: str, message) -> None:
        self.errors.append((column, str(message)))


@dataclass
class Counts:
    processed: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: int = 0

    def as_job_fields(self) -> dict:
        return {"processed_rows": self.processed, "created_count": self.created, "updated_count": self.updated,
                "unchanged_count": self.unchanged, "error_rows": self.errors}


# --- the importer ----------------------------------------------------------------------------------------


@dataclass
class Importer:
    """Validates and (when ``save``) writes rows batch by batch; caches units, tags, skills and scope per job."""

    job: ImportJob
    columns: dict[str, int]
    save: bool
    report: ErrorReport | None = None
    counts: Counts = field(default_factory=Counts)

    def __post_init__(self):
        self.actor = self.job.created_by
        self.kind = self.job.kind
        self.root: Unit = self.job.unit
        self.today = clock.today()
        self.now = clock.now()
        self.rules = volunteer_rules()  # read once per job, not once per row
        self.volunteers = self.kind == ImportKind.VOLUNTEERS
        self._units: dict[str, Unit | str] = {}
        self._tags: dict[str, Tag | None] = {}
        self._skills: dict[str, Skill | None] = {}
        self._edit_paths: dict[str, bool] = {}
        self._seen: dict = {}  # in-file duplicate keys → first row number
        # Stands in for an unusable unit so the other columns of the row are still checked.
        self._placeholder = Unit(kind=UnitKind.COMMUNITY, path=self.root.path, code=self.root.code, name=self.root.name)
        self._keys = list(self.columns.items())
        self._absent = {c.key: "" for c in columns_for(self.kind) if c.key not in self.columns}

    # -- batch -------------------------------------------------------------------------------------------

    def process(self, batch: list[tuple[int, list]], derived: list | None = None) -> None:
        """Check, match and (when saving) write one batch. ``derived`` holds the rows' ``derive_person_fields``
        results computed by a worker process (see :func:`derive_batch`), in row order; else they are computed here."""
        self.process_rows([self._parse(number, cells) for number, cells in batch], derived)

    def parse(self, batch: list[tuple[int, list]]) -> list[_Row]:
        return [self._parse(number, cells) for number, cells in batch]

    def process_rows(self, rows: list[_Row], derived: list | None = None, progress=None) -> None:
        """``progress`` (called with no argument once the batch is counted) runs inside the batch's transaction
        when saving, so the job's progress is committed with the batch (one commit, not two), else after it."""
        self._prefetch_units(rows)
        if derived is None:
            for row in rows:
                self._check(row)
        else:
            for row, pre in zip(rows, derived, strict=True):
                self._check(row, pre)
        self._match(rows)
        for row in rows:
            if not row.errors:
                self._decide(row)
        for row in rows:  # _write adds no errors: the counts are final here
            if row.errors:
                self.counts.errors += 1
                if self.report is not None:
                    self.report.add(row.number, row.cells, row.errors)
        self.counts.processed += len(rows)
        if self.save:
            with transaction.atomic():
                self._write([r for r in rows if not r.errors])
                if progress is not None:
                    progress()
        elif progress is not None:
            progress()

    def _parse(self, number: int, cells: list) -> _Row:
        n = len(cells)
        raw = {key: _text(cells[i]) if i < n else "" for key, i in self._keys}
        raw.update(self._absent)
        return _Row(number, cells, raw)

    # -- per-row checks (same rules as people.services) -------------------------------------------------

    def _check(self, row: _Row, pre: tuple | None = None) -> None:
        """The row's rules; ``pre`` is what :func:`derive_batch` computed for it in a worker (None: compute here,
        which is also how a row the worker found invalid gets its errors, exactly as without workers)."""
        raw = row.raw
        row.unit = self._unit(row, raw["unit_code"])
        if raw["tags"]:
            row.tags = self._lookup(row, "tags", raw["tags"], self._tags, services.tags_by_code)
        if self.volunteers:
            if raw["skills"]:
                row.skills = self._lookup(row, "skills", raw["skills"], self._skills, services.skills_by_code)
            if raw["availability"]:
                try:
                    row.availability = services.clean_availability(_SPLIT.split(raw["availability"]))
                except DomainError as err:
                    row.fail("availability", err.message)
        row.guardian = raw["guardian"][:50]
        if pre is not None:
            values, label, minor = pre
            values["unit"] = row.unit or self._placeholder
            row.derived = services.PersonFields(values=values, tags=[], household_label=label, minor_under_14=minor)
            return
        data = services.PersonInput(
            name=raw["name"], unit=row.unit or self._placeholder, id_number=raw["id_number"], phone=raw["phone"],
            address=raw["address"], household_label=raw["household"], guardian_name=row.guardian,
        )
        try:
            row.derived = services.derive_person_fields(data, today=self.today, rules=self.rules)
        except DomainError as err:
            self._explain(row, data, err)

    def _explain(self, row: _Row, data: services.PersonInput, err: DomainError) -> None:
        """derive_person_fields stops at the first bad field; check each field alone so every error is reported."""
        before = len(row.errors)
        try:
            services.clean_name(data.name)
        except DomainError as e:
            row.fail("name", e.message)
        if data.id_number.strip():
            try:
                parse_id_number(data.id_number, today=self.today)
            except IdNumberInvalid as e:
                message = str(ID_REASON_MESSAGES[e.reason])
                if isinstance(row.cells[self.columns["id_number"]], float):
                    message += _("（该单元格为数字格式，超过15位的数字会丢失，请将身份证号列设为文本格式）")
                row.fail("id_number", message)
        try:
            services.clean_phone(data.phone)
        except DomainError as e:
            row.fail("phone", e.message)
        if len(row.errors) == before and row.unit is not None:
            detail = err.detail if isinstance(err.detail, dict) else {}
            row.fail(FIELD_COLUMN.get(detail.get("field"), "name"), err.message)

    def _unit(self, row: _Row, code: str) -> Unit | None:
        if not code:
            if self.root.kind in _HOME_KINDS:
                return self.root
            row.fail("unit_code", _("请填写所属单元代码（导入单元“%(unit)s”不是社区、村或网格）") % {"unit": self.root.name})
            return None
        hit = self._units.get(code)
        if isinstance(hit, Unit):
            return hit
        row.fail("unit_code", hit)
        return None

    def _prefetch_units(self, rows: list[_Row]) -> None:
        codes = {r.raw["unit_code"] for r in rows} - self._units.keys() - {""}
        if not codes:
            return
        found = {u.code: u for u in Unit.objects.filter(code__in=codes)}
        for code in codes:
            unit = found.get(code)
            if unit is None or not unit.path.startswith(self.root.path) or not (
                scoping.can(self.actor, perms.IMPORT, unit) and scoping.can(self.actor, perms.EDIT, unit)
            ):
                self._units[code] = _("单元代码 %(code)s 不存在，或不在本次导入的范围（%(root)s）内") % {
                    "code": code, "root": self.root.name}
            elif unit.kind not in _HOME_KINDS:
                self._units[code] = _("所属单元须为社区、村或网格，“%(unit)s”是%(kind)s") % {
                    "unit": unit.name, "kind": unit.get_kind_display()}
            else:
                self._units[code] = unit

    def _lookup(self, row: _Row, column: str, text: str, cache: dict, resolve) -> list:
        """Resolve names/codes with the service function, one token at a time, cached for the job."""
        out, unknown = {}, []
        for token in _SPLIT.split(text):
            if not token:
                continue
            if token not in cache:
                try:
                    cache[token] = resolve([token])[0]
                except DomainError:
                    cache[token] = None
            hit = cache[token]
            if hit is None:
                unknown.append(token)
            else:
                out[hit.pk] = hit
        if unknown:
            message = _("未知的人群标签：%(names)s") if column == "tags" else _("未知的技能：%(names)s")
            row.fail(column, message % {"names": "、".join(unknown)})
        return list(out.values())

    # -- matching existing people and in-file duplicates --------------------------------------------------

    def _match(self, rows: list[_Row]) -> None:
        valid = [r for r in rows if not r.errors]
        digests = [r.derived.values["id_number_digest"] for r in valid if r.derived.values["id_number_digest"]]
        by_digest = {}
        if digests:
            # Which digests exist: a plain indexed IN query (the ORM spends ~3 µs compiling each of 2,000
            # parameters); then the ORM loads only the people found, with their unit and household.
            # PostgreSQL gets one array parameter: an IN list of 5,000 literals took it ~40 ms to parse and plan.
            ops = connection.ops
            if connection.vendor == "postgresql":
                where, args = "= ANY(%s)", [digests]
            else:
                where, args = f"IN ({', '.join(['%s'] * len(digests))})", digests
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT {ops.quote_name('id')} FROM {ops.quote_name(Person._meta.db_table)} "
                    f"WHERE {ops.quote_name('id_number_digest')} {where}", args)
                found = [pk for (pk,) in cursor.fetchall()]
            if found:
                qs = Person.objects.filter(pk__in=found).select_related("unit", "household")
                by_digest = {p.id_number_digest: p for p in qs}
        no_id = [r for r in valid if not r.derived.values["id_number_digest"]]
        by_name: dict[tuple, list[Person]] = {}
        if no_id:
            qs = Person.objects.filter(
                id_number_digest__isnull=True, unit_id__in={r.derived.values["unit"].pk for r in no_id},
                name__in={r.derived.values["name"] for r in no_id},
            ).select_related("unit", "household")
            for p in qs:
                by_name.setdefault((p.unit_id, p.name, p.phone_digest), []).append(p)
        for row in valid:
            values = row.derived.values
            digest = values["id_number_digest"]
            if digest:
                row.key = int(digest[:16], 16)
                row.person = by_digest.get(digest)
            else:
                row.key = (values["unit"].pk, values["name"], values["phone_digest"])
                candidates = by_name.get(row.key, [])
                if len(candidates) > 1:
                    row.fail("id_number", _("已有多名同名、同手机号且未登记身份证号的居民，无法识别，请填写身份证号"))
                    continue
                row.person = candidates[0] if candidates else None
            if row.person is not None and not self._may_edit(row.person.unit):
                row.fail("id_number", _("该身份证号码已在其他单元登记，不在您的管辖范围内，无法导入"))
        if self.volunteers:
            ids = [r.person.pk for r in valid if r.person is not None and not r.errors]
            if ids:
                profiles = {
                    p.person_id: p
                    for p in VolunteerProfile.objects.filter(person_id__in=ids).prefetch_related("skills")
                }
                for row in valid:
                    if row.person is not None:
                        row.profile = profiles.get(row.person.pk)
        if any(r.person is not None for r in valid):
            through = Person.tags.through
            tag_ids: dict[int, set[int]] = {}
            person_ids = [r.person.pk for r in valid if r.person is not None]
            for pid, tid in through.objects.filter(person_id__in=person_ids).values_list("person_id", "tag_id"):
                tag_ids.setdefault(pid, set()).add(tid)
            for row in valid:
                if row.person is not None:
                    row.person._import_tag_ids = tag_ids.get(row.person.pk, set())
        children = [r.person.pk for r in valid if r.person is not None and r.derived.minor_under_14]
        if children:  # R-P2: as person_update, a child under 14 needs a guardian's consent on file
            latest: dict[int, bool] = {}
            consents = ConsentRecord.objects.filter(person_id__in=children, purpose=ConsentPurpose.GUARDIAN)
            for pid, granted in consents.order_by("person_id", "-recorded_at", "-pk").values_list("person_id",
                                                                                                  "granted"):
                latest.setdefault(pid, granted)
            for row in valid:
                if row.person is not None and row.derived.minor_under_14:
                    row.person._import_guardian_ok = latest.get(row.person.pk, False)

    def _may_edit(self, unit: Unit) -> bool:
        ok = self._edit_paths.get(unit.path)
        if ok is None:
            ok = self._edit_paths[unit.path] = scoping.can(self.actor, perms.EDIT, unit)
        return ok

    # -- what to do with a valid row ----------------------------------------------------------------------

    def _decide(self, row: _Row) -> None:
        derived = row.derived
        first = self._seen.get(row.key)
        if first is not None:
            column = "id_number" if isinstance(row.key, int) else "name"
            message = (_("与第 %(row)s 行的身份证号码重复") if column == "id_number"
                       else _("与第 %(row)s 行重复（姓名、手机号相同且均未填身份证号）"))
            row.fail(column, message % {"row": first})
            return
        if derived.minor_under_14 and (row.person is None or not row.person._import_guardian_ok):
            if not row.guardian:
                row.fail("guardian", PeopleError.GUARDIAN_CONSENT_REQUIRED.message)  # R-P2
                return
            row.guardian_consent = row.person is not None  # new people get theirs when created
        if self.volunteers and row.profile is None:
            subject = SimpleNamespace(birth_date=derived.values.get("birth_date"))
            try:
                row.guardian = services._check_volunteer_age(subject, row.guardian) or ""  # R-V9
            except DomainError as e:
                column = "guardian" if e.error == PeopleError.GUARDIAN_CONSENT_REQUIRED else "id_number"
                message = e.message
                if e.error == PeopleError.TOO_YOUNG:
                    message = _("未达到志愿者最低年龄（%(age)s周岁）") % {"age": e.detail["min_age"]}
                row.fail(column, message)
                return
        self._seen[row.key] = row.number
        if row.person is not None:
            row.changes = self._merge(row)
        if self.volunteers:
            row.new_profile = row.profile is None
            if row.profile is not None:
                row.profile_changes = self._profile_changes(row)
        created = row.new_profile if self.volunteers else row.person is None
        if created:
            self.counts.created += 1
        elif row.changes or row.profile_changes or row.guardian_consent:
            self.counts.updated += 1
        else:
            self.counts.unchanged += 1

    def _merge(self, row: _Row) -> list[str]:
        """Copy the row onto the stored person where it differs; blank optional cells keep the stored value."""
        person, values, raw = row.person, row.derived.values, row.raw
        changed = []
        for key in ("name", "name_pinyin", "name_initials"):
            if getattr(person, key) != values[key]:
                setattr(person, key, values[key])
                changed.append(key)
        if values["id_number_digest"]:
            for key in ("birth_date", "sex", "id_type"):
                if getattr(person, key) != values[key]:
                    setattr(person, key, values[key])
                    changed.append(key)
        if person.unit_id != values["unit"].pk:
            person.unit = values["unit"]
            changed.append("unit")
        if raw["phone"] and person.phone_digest != values["phone_digest"]:
            person.phone_enc, person.phone_digest = values["phone_enc"], values["phone_digest"]
            person.phone_masked, person.phone_tail = values["phone_masked"], values["phone_tail"]
            changed.append("phone")
        address = raw["address"][:200]
        if address and person.address_clear() != address:
            person.address_enc, person.address_masked = values["address_enc"], values["address_masked"]
            changed.append("address")
        label = row.derived.household_label[:120]
        if label and (person.household is None or person.household.label != label
                      or person.household.unit_id != person.unit_id):
            row.household_changed = True
            changed.append("household")
        if row.tags is not None and {t.pk for t in row.tags} != person._import_tag_ids:
            changed.append("tags")
        return changed

    def _profile_changes(self, row: _Row) -> list[str]:
        profile = row.profile
        changed = []
        if row.skills is not None and {s.pk for s in row.skills} != {s.pk for s in profile.skills.all()}:
            changed.append("skills")
        if row.availability is not None and row.availability != profile.availability:
            profile.availability = row.availability
            changed.append("availability")
        return changed

    # -- writing ------------------------------------------------------------------------------------------

    def _write(self, rows: list[_Row]) -> None:
        """Save one batch (the caller holds the transaction): new people, changed people, tags, change log."""
        if not rows:
            return
        households = self._households(rows)
        new_rows = [r for r in rows if r.person is None]
        updated = [r for r in rows if r.person is not None and r.changes]
        people = []
        for row in new_rows:
            values = dict(row.derived.values)
            unit = values.pop("unit")
            values["unit_id"] = unit.pk
            values["household_id"] = households.get((unit.pk, row.derived.household_label[:120]))
            people.append(values)
        ids = _inserter(Person).run(people, key="id_number_digest", created_at=self.now, updated_at=self.now)
        links, consents, changes = [], [], []
        created_fields = None
        for row, pk in zip(new_rows, ids, strict=True):
            row.person = SimpleNamespace(pk=pk, unit_id=row.derived.values["unit"].pk)
            links.extend({"person_id": pk, "tag_id": t.pk} for t in row.tags or ())
            if row.derived.minor_under_14:  # R-P2
                consents.append({"person_id": pk, "purpose": ConsentPurpose.GUARDIAN, "granted": True,
                                 "guardian_name": row.guardian})
            created_fields = created_fields or sorted(row.derived.values)
            changes.append({"person_id": pk, "fields": created_fields, "created": True})
        if updated:
            fields = {"updated_at"}
            for row in updated:
                person = row.person
                person.updated_at = self.now
                if row.household_changed:
                    person.household_id = households[(person.unit_id, row.derived.household_label[:120])]
                for name in row.changes:
                    fields.update(_MODEL_FIELDS.get(name, (name,)))
            Person.objects.bulk_update([r.person for r in updated], sorted(fields), batch_size=500)
            retag = [r for r in updated if "tags" in r.changes]
            if retag:
                Person.tags.through.objects.filter(person_id__in=[r.person.pk for r in retag]).delete()
                links.extend({"person_id": r.person.pk, "tag_id": t.pk} for r in retag for t in r.tags)
            changes.extend({"person_id": r.person.pk, "fields": sorted(set(r.changes)), "created": False}
                           for r in updated)
        consents.extend({"person_id": r.person.pk, "purpose": ConsentPurpose.GUARDIAN, "granted": True,
                         "guardian_name": r.guardian} for r in rows if r.guardian_consent)
        _inserter(Person.tags.through).run(links)
        if self.volunteers:
            self._write_volunteers(rows, consents)
        _inserter(ConsentRecord).run(consents, recorded_by_id=self.actor.pk, recorded_at=self.now)
        _inserter(PersonChange).run(changes, actor_id=self.actor.pk, source=SOURCE, at=self.now)

    def _households(self, rows: list[_Row]) -> dict[tuple[int, str], int]:
        """Ids of the batch's households, creating the missing ones (insert-or-ignore, then one read)."""
        wanted = set()
        for row in rows:
            label = row.derived.household_label[:120]
            if label and (row.person is None or row.household_changed):
                wanted.add((row.derived.values["unit"].pk, label))
        if not wanted:
            return {}
        _inserter(Household).run([{"unit_id": u, "label": lb} for u, lb in wanted], ignore_conflicts=True,
                                 created_at=self.now)
        # Joining a VALUES list probes the unique (unit, label) index once per household (SQLite scans the table
        # for a row-value IN, and the ORM's unit IN (...) AND label IN (...) probes units × labels).
        ops, pairs, found = connection.ops, sorted(wanted), {}
        table = ops.quote_name(Household._meta.db_table)
        with connection.cursor() as cursor:
            for start in range(0, len(pairs), 1000):
                chunk = pairs[start:start + 1000]
                cursor.execute(
                    f"SELECT h.id, h.unit_id, h.label FROM (VALUES {', '.join(['(%s, %s)'] * len(chunk))}) AS v "
                    f"JOIN {table} AS h ON h.unit_id = v.column1 AND h.label = v.column2",
                    [v for pair in chunk for v in pair])
                found.update(((u, lb), pk) for pk, u, lb in cursor.fetchall())
        return found

    def _write_volunteers(self, rows: list[_Row], consents: list[dict]) -> None:
        new = [r for r in rows if r.new_profile]
        by_district: dict[str, list[_Row]] = {}
        for row in new:
            by_district.setdefault(row.derived.values["unit"].path[:6], []).append(row)
        profiles, owners = [], []
        for group in by_district.values():
            numbers = services.volunteer_number_block(group[0].derived.values["unit"], len(group))  # R-V3
            for row, number in zip(group, numbers, strict=True):
                profiles.append({"person_id": row.person.pk, "unit_id": row.person.unit_id, "number": number,
                                 "availability": row.availability or []})
                owners.append(row)
        ids = _inserter(VolunteerProfile).run(
            profiles, key="number", status=VolunteerStatus.APPLIED, motivation="", applied_at=self.now,
            status_changed_at=self.now)
        skill_through = VolunteerProfile.skills.through
        links, history = [], []
        for row, pk in zip(owners, ids, strict=True):
            links.extend({"volunteerprofile_id": pk, "skill_id": s.pk} for s in row.skills or ())
            history.append({"profile_id": pk})
            consents.append({"person_id": row.person.pk, "purpose": ConsentPurpose.REGISTRATION, "granted": True,
                             "note": "volunteer"})
            if row.guardian:  # R-V9
                consents.append({"person_id": row.person.pk, "purpose": ConsentPurpose.GUARDIAN, "granted": True,
                                 "guardian_name": row.guardian, "note": "volunteer"})
        changed = [r for r in rows if r.profile_changes]
        if any("availability" in r.profile_changes for r in changed):
            VolunteerProfile.objects.bulk_update(
                [r.profile for r in changed if "availability" in r.profile_changes], ["availability"], batch_size=500)
        reskill = [r for r in changed if "skills" in r.profile_changes]
        if reskill:
            skill_through.objects.filter(volunteerprofile_id__in=[r.profile.pk for r in reskill]).delete()
            links.extend({"volunteerprofile_id": r.profile.pk, "skill_id": s.pk} for r in reskill for s in r.skills)
        _inserter(skill_through).run(links)
        _inserter(VolunteerStatusChange).run(history, from_status="", to_status=VolunteerStatus.APPLIED,
                                             actor_id=self.actor.pk, reason=_("批量导入"), at=self.now)


class _Inserter:
    """Batched INSERT of rows given as dicts of field attnames — what ``bulk_create`` does, without the per-field,
    per-object preparation that took most of the import's time in the profile. One ``executemany`` per call (on
    PostgreSQL a COPY, see ``_run_postgresql``).

    Values are adapted by column type (dates, datetimes, JSON) through ``connection.ops``; ``constants`` (actor,
    timestamps ...) are adapted once per call; a missing key takes the field's default. With ``key`` (a unique
    column) the new ids are returned in row order: on SQLite read back by that key (rows whose key is empty are
    inserted one by one with RETURNING), on PostgreSQL drawn from the sequence before the COPY.
    """

    def __init__(self, model):
        ops = connection.ops
        self.model = model
        self.fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        self.adapt = {}
        for f in self.fields:
            kind = f.get_internal_type()
            if kind == "DateTimeField":
                self.adapt[f.attname] = ops.adapt_datetimefield_value
            elif kind == "DateField":
                self.adapt[f.attname] = ops.adapt_datefield_value
            elif kind == "JSONField":
                self.adapt[f.attname] = functools.partial(_adapt_json, ops, f.encoder)
        self.defaults = {f.attname: f.default if f.has_default() and callable(f.default) else f.get_default()
                         for f in self.fields}
        columns = ", ".join(ops.quote_name(f.column) for f in self.fields)
        placeholders = ", ".join(["%s"] * len(self.fields))
        self.sql = f"INSERT INTO {ops.quote_name(model._meta.db_table)} ({columns}) VALUES ({placeholders})"
        self.columns = columns
        self.pk = ops.quote_name(model._meta.pk.column)

    def run(self, rows: list[dict], *, key: str | None = None, ignore_conflicts: bool = False,
            **constants) -> list[int]:
        if not rows:
            return []
        # Per row: the plain defaults, overlaid by the row, overlaid by the constants (adapted once), read in column
        # order by one itemgetter; callable defaults are called for the rows that lack the key, and only the columns
        # with an adapter (dates, JSON) are adapted per row. A JSON value that is the very same object as the
        # previous row's (the created rows' field list) is serialised once.
        names = [f.attname for f in self.fields]
        fixed, plain, called, adapted = {}, {}, [], []
        for i, name in enumerate(names):
            adapt = self.adapt.get(name)
            if name in constants:
                value = constants[name]
                fixed[name] = adapt(value) if adapt and value is not None else value
                continue
            default = self.defaults[name]
            if callable(default):
                called.append((name, default))
            else:
                plain[name] = default
            if adapt is not None:
                adapted.append((i, _same_object_memo(adapt) if adapt.__class__ is functools.partial else adapt))
        pick = operator.itemgetter(*names)

        def params(row: dict) -> list:
            merged = {**plain, **row, **fixed}
            for name, default in called:
                if name not in row:
                    merged[name] = default()
            out = list(pick(merged)) if len(names) > 1 else [pick(merged)]
            for i, adapt in adapted:
                v = out[i]
                if v is not None:
                    out[i] = adapt(v)
            return out

        if connection.vendor == "postgresql":
            return self._run_postgresql(rows, params, key=key, ignore_conflicts=ignore_conflicts)
        sql = self.sql + (" ON CONFLICT DO NOTHING" if ignore_conflicts else "")
        keyed = [r for r in rows if r.get(key)] if key else rows
        with connection.cursor() as cursor:
            cursor.executemany(sql, [params(r) for r in keyed])
            if not key:
                return []
            ids = {}
            values = [r[key] for r in keyed]
            column = self.model._meta.get_field(key).column
            for start in range(0, len(values), 1000):
                chunk = values[start:start + 1000]
                cursor.execute(
                    f"SELECT {self.pk}, {connection.ops.quote_name(column)} FROM "
                    f"{connection.ops.quote_name(self.model._meta.db_table)} WHERE "
                    f"{connection.ops.quote_name(column)} IN ({', '.join(['%s'] * len(chunk))})", chunk)
                ids.update((k, pk) for pk, k in cursor.fetchall())
            out = []
            for row in rows:
                if row.get(key):
                    out.append(ids[row[key]])
                else:
                    cursor.execute(f"{sql} RETURNING {self.pk}", params(row))
                    out.append(cursor.fetchone()[0])
            return out

    def _run_postgresql(self, rows: list[dict], params, *, key: str | None, ignore_conflicts: bool) -> list[int]:
        """PostgreSQL parsed and planned each client-side-bound INSERT of ``executemany`` anew (a 100,000-row import
        ran 2.5× slower than on SQLite): the rows go in by one COPY, with ids drawn from the table's sequence first
        when the caller needs them (no read-back by key); insert-or-ignore, which COPY cannot do, as multi-row
        INSERTs."""
        table = connection.ops.quote_name(self.model._meta.db_table)
        with connection.wrap_database_errors, connection.cursor() as cursor:
            if ignore_conflicts:
                width = len(self.fields)
                for start in range(0, len(rows), 1000):
                    chunk = rows[start:start + 1000]
                    values = ", ".join([f"({', '.join(['%s'] * width)})"] * len(chunk))
                    cursor.execute(f"INSERT INTO {table} ({self.columns}) VALUES {values} ON CONFLICT DO NOTHING",
                                   [v for r in chunk for v in params(r)])
                return []
            if not key:
                with cursor.copy(f"COPY {table} ({self.columns}) FROM STDIN") as copy:
                    for r in rows:
                        copy.write_row(params(r))
                return []
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                           [self.model._meta.db_table, self.model._meta.pk.column, len(rows)])
            ids = [pk for (pk,) in cursor.fetchall()]
            with cursor.copy(f"COPY {table} ({self.pk}, {self.columns}) FROM STDIN") as copy:
                for pk, r in zip(ids, rows, strict=True):
                    copy.write_row([pk, *params(r)])
            return ids


def _adapt_json(ops, encoder, value):
    return ops.adapt_json_value(value, encoder)


def _same_object_memo(adapt):
    """``adapt`` that returns its last result again when given the very same object (for one ``run``, whose rows
    are not changed while their parameters are built)."""
    last = [_MISSING, None]

    def memo(value):
        if value is not last[0]:
            last[0], last[1] = value, adapt(value)
        return last[1]

    return memo


_MISSING = object()


@functools.lru_cache(maxsize=32)
def _inserter_for(model, vendor: str) -> _Inserter:
    return _Inserter(model)


def _inserter(model) -> _Inserter:
    return _inserter_for(model, connection.vendor)


# PersonChange field names → model fields written by bulk_update.
_MODEL_FIELDS = {
    "unit": ("unit",),
    "household": ("household",),
    "phone": ("phone_enc", "phone_digest", "phone_masked", "phone_tail"),
    "address": ("address_enc", "address_masked"),
    "tags": (),
}


# --- jobs ------------------------------------------------------------------------------------------------


def _rows_in_batches(reader: SheetReader) -> Iterator[list[tuple[int, list]]]:
    batch: list[tuple[int, list]] = []
    for number, cells in reader.rows:
        if not any(c not in ("", None) for c in cells):
            continue
        batch.append((number, cells))
        if len(batch) >= BATCH_SIZE:
            yield batch
            batch = []
    if batch:
        yield batch


SQLITE_IMPORT_CACHE_KIB = 32 * 1024


@contextlib.contextmanager
def _bulk_connection():
    """On SQLite, give the importing connection a 32 MB page cache for the job (default 2 MB): with nine indexes
    on people, inserting the 100,000th row took twice as long with the small cache. Restored afterwards."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = -{SQLITE_IMPORT_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


GC_EVERY_BATCHES = 8  # the collector's walk over the two live batches (~90,000 objects) cost ~35 ms each time
_gc_lock = threading.Lock()
_gc_state = {"passes": 0, "was_enabled": True}  # import passes running in this process (threads) hold the collector


@contextlib.contextmanager
def _batch_gc():
    """Collect garbage every ``GC_EVERY_BATCHES`` batches instead of whenever allocations pass the thresholds.

    An import allocates millions of short-lived containers (cells, rows, parameter lists); the automatic collector
    ran 3,000 times in a 100,000-row import, and each run of the oldest generation walked all of Django's objects
    (~10% of the import's time). Here the objects alive at the start are frozen (left out of collections), the
    automatic collector is off and the caller calls the yielded function after each batch, which collects every
    ``GC_EVERY_BATCHES``-th call: rows hold no reference cycles (refcounting frees them; a collection after each
    batch of a clean 100,000-row import found nothing to free, and still walked the rows alive at the time), so
    cyclic garbage, if any, outlives at most that many batches and memory stays flat. The collector is
    process-wide: with several imports in threads the first to start holds it and the last to finish restores it."""
    calls = 0

    def collect() -> None:
        nonlocal calls
        calls += 1
        if calls % GC_EVERY_BATCHES == 0:
            gc.collect()

    with _gc_lock:
        _gc_state["passes"] += 1
        if _gc_state["passes"] == 1:
            _gc_state["was_enabled"] = gc.isenabled()
            gc.freeze()
            gc.disable()
    try:
        yield collect
    finally:
        with _gc_lock:
            _gc_state["passes"] -= 1
            if _gc_state["passes"] == 0:
                gc.unfreeze()
                if _gc_state["was_enabled"]:
                    gc.enable()


# --- worker processes: the rules that need no database, for the next batch while this one is written -------

DEFAULT_WORKERS = 1


def _worker_count(estimated_rows: int) -> int:
    """Worker processes for a pass (settings.IMPORT_WORKERS): none for a file of one batch, nothing to overlap."""
    workers = int(getattr(settings, "IMPORT_WORKERS", DEFAULT_WORKERS))
    if workers <= 0 or estimated_rows <= BATCH_SIZE or "fork" not in multiprocessing.get_all_start_methods():
        return 0
    if threading.current_thread() is not threading.main_thread():
        # Forking a process with other threads running (a web server, the background import thread) can leave the
        # child stuck on a lock it inherited: only a main-thread import (CLI, bench) forks workers.
        return 0
    return workers


def _worker_init() -> None:
    gc.enable()  # the importer's process froze its objects before forking; the worker's own garbage is collected


def derive_batch(inputs: list[tuple[str, ...]], today: dt.date) -> list[tuple | None]:
    """In a worker process: ``services.derive_person_fields`` for each row (name, ID, phone, address, household,
    guardian), which needs no database given a home unit. Per row: (values without "unit", household label,
    minor under 14), or None where a rule failed; the importer re-runs that row itself to report its errors.

    The unit is a stand-in of a home kind: the importer only ever passes units of a home kind (it checks the unit
    column first), so derive_person_fields' unit check cannot fail either way."""
    unit = Unit(kind=UnitKind.COMMUNITY)
    rules = volunteer_rules()  # the settings the worker was forked with: the importer's
    out: list[tuple | None] = []
    for name, id_number, phone, address, household, guardian in inputs:
        data = services.PersonInput(name=name, unit=unit, id_number=id_number, phone=phone, address=address,
                                    household_label=household, guardian_name=guardian)
        try:
            derived = services.derive_person_fields(data, today=today, rules=rules)
        except DomainError:
            out.append(None)
            continue
        values = derived.values
        del values["unit"]
        out.append((values, derived.household_label, derived.minor_under_14))
    return out


def _derive_inputs(rows: list[_Row]) -> list[tuple[str, ...]]:
    return [(r.raw["name"], r.raw["id_number"], r.raw["phone"], r.raw["address"], r.raw["household"],
             r.raw["guardian"][:50]) for r in rows]


_READ_AHEAD = 1  # batches waiting for the importer (besides the one it works on and the one being read)
_END = object()


def _read_ahead(items: Iterator, *, first=None) -> Iterator:
    """Yield ``first`` (unless None), then what ``items`` yields, in order, produced by a reader thread that runs
    up to ``_READ_AHEAD`` items ahead: reading and parsing cells (Python holding the GIL) overlaps with the
    importer's SQLite statements and commits, which release it. At most three batches are alive at once.

    An exception in the reader is raised here, at its place in the order. Closing this generator (the importer
    failed or finished) stops the reader and waits for it, so that nothing reads the workbook once it is closed.
    """
    if first is None:
        return
    handoff: queue.Queue = queue.Queue(maxsize=_READ_AHEAD)
    stop = threading.Event()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                handoff.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def read() -> None:
        try:
            for item in items:
                if not put((item, None)):
                    return
            put((_END, None))
        except BaseException as exc:  # handed to the importer's thread, raised there
            put((_END, exc))
        finally:
            items.close()

    thread = threading.Thread(target=read, name="import-reader", daemon=True)
    thread.start()  # reads the second batch while the importer works on the first
    try:
        yield first
        while True:
            item, exc = handoff.get()
            if exc is not None:
                raise exc
            if item is _END:
                return
            yield item
    finally:
        stop.set()
        thread.join()


@contextlib.contextmanager
def _worker_pool(workers: int):
    """A pool of forked worker processes for :func:`derive_batch`, or None."""
    if not workers:
        yield None
        return
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"),
                               initializer=_worker_init)
    try:
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _run_pass(job: ImportJob, *, save: bool, report: bool, progress: bool) -> tuple[Counts, str | None]:
    """Read the whole file once; returns the counts and the error report's temp path (if any row failed).

    With worker processes, batch N+1's rows are derived in a worker while this process checks and writes batch N,
    and a reader thread reads and parses the batches ahead (see :func:`_read_ahead`). Batches are checked, counted,
    reported and written in file order by this thread either way.
    """
    reader = sheet_open(_source_of(job.file), job.kind, inspected_sha256=job.file_sha256)
    errors = ErrorReport(reader.headers, reader.columns, job.kind) if report else None
    importer = Importer(job=job, columns=reader.columns, save=save, report=errors)

    def update_progress() -> None:
        ImportJob.objects.filter(pk=job.pk).update(
            total_rows=max(job.total_rows, importer.counts.processed), heartbeat_at=clock.now(),
            **importer.counts.as_job_fields())

    def finish(rows: list[_Row], future) -> None:
        derived = None
        if future is not None:
            try:
                derived = future.result()
            except (BrokenProcessPool, OSError) as exc:  # a worker died: this process derives the rows itself
                logger.warning("import job %s: worker failed (%s); deriving in process", job.pk, exc)
        importer.process_rows(rows, derived, update_progress if progress else None)
        collect()

    def prepared(pool) -> Iterator[tuple[list[_Row], object]]:
        """Each batch parsed into rows, with the worker's future for its derived fields (None: none)."""
        for batch in _rows_in_batches(reader):
            rows = importer.parse(batch)
            future = None
            if pool is not None:
                try:
                    future = pool.submit(derive_batch, _derive_inputs(rows), importer.today)
                except (BrokenProcessPool, RuntimeError, OSError) as exc:
                    logger.warning("import job %s: no worker (%s); deriving in process", job.pk, exc)
            yield rows, future

    try:
        with _batch_gc() as collect, _worker_pool(_worker_count(reader.estimated_rows)) as pool:
            batches = prepared(pool)
            if pool is not None:
                # The first submit forks the workers (all of them, at once): before the reader thread exists.
                batches = _read_ahead(batches, first=next(batches, None))
            with contextlib.closing(batches):  # the reader thread has stopped before the workbook is closed
                for rows, future in batches:
                    finish(rows, future)
    except BaseException:
        _discard(errors.close() if errors is not None else None)
        raise
    finally:
        reader.close()
        job.file.close()
    return importer.counts, errors.close() if errors is not None else None


def _discard(path: str | None) -> None:
    """Remove an error report's temp file that will not be handed to the job (the pass or the job failed)."""
    if path:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)


def _summary(job: ImportJob, counts: Counts) -> str:
    values = {"created": counts.created, "updated": counts.updated, "unchanged": counts.unchanged,
              "errors": counts.errors}
    if job.dry_run:
        return _("校验完成，未保存任何数据：可新增 %(created)s，可更新 %(updated)s，无变化 %(unchanged)s，"
                 "错误 %(errors)s 行。") % values
    if job.strict and counts.errors:
        return _("严格模式：发现 %(errors)s 行错误，未保存任何数据。请下载错误报告，修改后重新导入。") % values
    return _("导入完成：新增 %(created)s，更新 %(updated)s，无变化 %(unchanged)s，错误 %(errors)s 行。") % values


def import_job_run(*, job: ImportJob) -> ImportJob:
    """Run an import job to its end. Never raises: a failure is recorded on the job (status failed + message)."""
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING, message="", heartbeat_at=clock.now())
    report_path = None
    try:
        with _bulk_connection():
            counts, report_path = _run_job(job)
        job.refresh_from_db()
        for name, value in counts.as_job_fields().items():
            setattr(job, name, value)
        job.total_rows = counts.processed
        job.status = ImportStatus.DONE
        job.message = _summary(job, counts)
        if report_path:
            with open(report_path, "rb") as fh:
                job.error_report.save(f"import-{job.pk}-errors.xlsx", File(fh), save=False)
    except DomainError as err:
        job.refresh_from_db()
        job.status, job.message = ImportStatus.FAILED, str(err.message)[:300]
    except Exception:
        logger.exception("import job %s failed", job.pk)
        job.refresh_from_db()
        job.status, job.message = ImportStatus.FAILED, _("导入失败：服务器处理出错，未完成的批次已撤销。")
    finally:
        _discard(report_path)
    job.finished_at = clock.now()
    job.save()
    return job


def _run_job(job: ImportJob) -> tuple[Counts, str | None]:
    """The passes a job needs: one, or for strict mode a validating pass and then a saving one (one transaction).

    Returns the counts and the error report's temp path (the caller deletes it)."""
    if not job.strict or job.dry_run:
        return _run_pass(job, save=not job.dry_run, report=True, progress=True)
    counts, report_path = _run_pass(job, save=False, report=True, progress=True)
    if counts.errors:  # nothing is saved: do not show what would have been
        counts.created = counts.updated = counts.unchanged = 0
        return counts, report_path
    try:
        ImportJob.objects.filter(pk=job.pk).update(message=_("校验通过，正在保存……"))
        with transaction.atomic():
            saved, _unused = _run_pass(job, save=True, report=False, progress=False)
            if saved.errors:  # the database changed between the two passes: undo everything
                raise PeopleError.IMPORT_FILE_INVALID.error(message=_("保存时数据发生变化，已全部撤销，请重新导入"))
    except BaseException:
        _discard(report_path)
        raise
    return saved, report_path


@transaction.atomic
def import_job_create(*, actor, kind: str, unit: Unit, upload, dry_run: bool = False, strict: bool = False,
                      consent_confirmed: bool = False) -> ImportJob:
    """Check an uploaded xlsx and record an import job into ``unit`` (the actor holds people.import and .edit there).

    Volunteer imports need the worker's confirmation that everyone listed agreed to register (R-V2).
    """
    if kind not in ImportKind.values:
        raise CommonError.VALIDATION.error(detail={"field": "kind", "allowed": ImportKind.values})
    scoping.require(actor, perms.IMPORT, unit)
    scoping.require(actor, perms.EDIT, unit)
    if kind == ImportKind.VOLUNTEERS:
        scoping.require(actor, perms.VOLUNTEER_REGISTER, unit)
        if not consent_confirmed:
            raise PeopleError.CONSENT_REQUIRED.error(detail={"field": "consent_confirmed"})
    limit = settings.IMPORT_MAX_UPLOAD_BYTES
    uploads.check_size(upload, max_bytes=limit, too_large=CommonError.TOO_LARGE,
                       message=_("上传文件过大（上限 %(mb)s MB）") % {"mb": limit // (1024 * 1024)})
    name = os.path.basename(upload.name or "upload.xlsx")
    if not name.lower().endswith(".xlsx"):
        raise PeopleError.IMPORT_FILE_INVALID.error(detail={"filename": name})
    path = getattr(upload, "temporary_file_path", None)
    reader = sheet_open(path() if path else upload, kind)
    reader.close()
    job = ImportJob(kind=kind, unit=unit, filename=name[:200], dry_run=dry_run, strict=strict, created_by=actor,
                    total_rows=reader.estimated_rows, file_sha256=file_sha256(upload))
    job.file.save(f"{uuid.uuid4().hex}.xlsx", upload, save=False)
    job.save()
    return job


def import_job_start(*, job: ImportJob) -> None:
    """Run the job in a daemon thread after commit (IMPORT_RUN_IN_BACKGROUND), or right now."""
    if not settings.IMPORT_RUN_IN_BACKGROUND:
        import_job_run(job=job)
        job.refresh_from_db()
        return
    pk = job.pk
    transaction.on_commit(lambda: threading.Thread(target=_run_in_background, args=(pk,), daemon=True,
                                                   name=f"import-{pk}").start())


def _run_in_background(pk: int) -> None:
    try:
        job = ImportJob.objects.select_related("unit", "created_by").get(pk=pk)
        import_job_run(job=job)
    except Exception:
        logger.exception("import job %s could not run", pk)
    finally:
        connection.close()


# --- reads -----------------------------------------------------------------------------------------------


def import_job_list(*, actor) -> QuerySet:
    """Import jobs into units where the actor may import."""
    scoping.require(actor, perms.IMPORT)
    qs = ImportJob.objects.select_related("unit", "created_by")
    return scoping.scope(qs, actor, perms.IMPORT, "unit__path")


def import_job_get(*, actor, pk: int) -> ImportJob:
    """One job the actor may see; jobs of other units are not found (404). A job whose process died is shown as
    failed rather than "running" forever (see :func:`import_job_expire_if_stale`)."""
    job = scoping.get_scoped(ImportJob.objects.select_related("unit", "created_by"), actor, perms.IMPORT,
                             "unit__path", pk=pk)
    return import_job_expire_if_stale(job=job)


STALE_AFTER = dt.timedelta(minutes=15)  # a batch reports progress within seconds; this much silence means it died


def import_job_expire_if_stale(*, job: ImportJob) -> ImportJob:
    """Mark a pending/running job failed when its process stopped reporting (a restart or crash mid-import).

    Batches commit as they go (strict mode commits nothing until the end), so the message tells the user what stayed.
    The update is conditional on the status and heartbeat still being the ones read: a live job is never touched."""
    if job.status not in (ImportStatus.PENDING, ImportStatus.RUNNING):
        return job
    last = job.heartbeat_at or job.created_at
    if clock.now() - last < STALE_AFTER:
        return job
    message = _("导入已中断（处理进程已停止），已完成的批次已保存，请核对后重新上传。")
    if job.strict or job.dry_run:
        message = _("导入已中断（处理进程已停止），未保存任何数据，请重新上传。")
    updated = ImportJob.objects.filter(pk=job.pk, status=job.status, heartbeat_at=job.heartbeat_at).update(
        status=ImportStatus.FAILED, message=message[:300], finished_at=clock.now())
    if updated:
        job.refresh_from_db()
    return job


def import_error_report_open(*, actor, job: ImportJob, channel: str, request=None):
    """The job's error report for download. It repeats the uploaded rows as typed (clear ID numbers and phones, so
    the uploader can correct them): every download is written to the access log like an unmasked export (R-P3)."""
    if not job.error_report:
        raise CommonError.NOT_FOUND.error()
    access_log_record(actor=actor, subject_type="people.importjob", subject_id=job.pk, subject_label=job.filename,
                      unit_path=job.unit.path, fields=["id_number", "phone", "address"], channel=channel,
                      purpose=_("下载导入错误报告"), record_count=job.error_rows, request=request)
    return job.error_report.open("rb")


def import_template(*, kind: str, fileobj) -> None:
    """Write an empty import sheet (header, text-formatted ID/phone columns) and a 填写说明 sheet to ``fileobj``."""
    book = xlsxwriter.Workbook(fileobj, {"in_memory": True, "strings_to_formulas": False,  # tag/skill names are
                                         "strings_to_urls": False})  # typed by workers: text, never formulas
    bold = book.add_format({"bold": True, "bg_color": "#F2F4F7"})
    text = book.add_format({"num_format": "@"})
    ws = book.add_worksheet(_("志愿者") if kind == ImportKind.VOLUNTEERS else _("居民"))
    cols = columns_for(kind)
    for i, col in enumerate(cols):
        ws.write_string(0, i, col.header + ("*" if col.required else ""), bold)
        ws.set_column(i, i, 22 if col.key in ("id_number", "address") else 14,
                      text if col.key in ("id_number", "phone", "unit_code") else None)
    ws.freeze_panes(1, 0)
    help_ws = book.add_worksheet(_("填写说明"))
    help_ws.set_column(0, 0, 16)
    help_ws.set_column(1, 1, 60)
    help_ws.write_row(0, 0, [_("列"), _("说明"), _("也可使用的列名")], bold)
    for i, col in enumerate(cols, start=1):
        help_ws.write_row(i, 0, [col.header + ("*" if col.required else ""), str(col.help), "、".join(col.aliases)])
    row = len(cols) + 2
    help_ws.write_string(row, 0, _("空白单元格不会清除已登记的信息；按身份证号识别同一人，重复导入不会重复登记。"))
    row += 2
    help_ws.write_row(row, 0, [_("人群标签"), _("代码")], bold)
    for tag in Tag.objects.all():
        row += 1
        help_ws.write_row(row, 0, [tag.name, tag.code])
    if kind == ImportKind.VOLUNTEERS:
        row += 2
        help_ws.write_row(row, 0, [_("技能"), _("代码")], bold)
        for skill in Skill.objects.all():
            row += 1
            help_ws.write_row(row, 0, [skill.name, skill.code])
    book.close()


def import_unit_get(*, actor, pk: int) -> Unit:
    """A unit the actor may import into (other units are not found)."""
    return scoping.get_scoped(Unit.objects.all(), actor, perms.IMPORT, "path", pk=pk)


def import_unit_choices(*, actor) -> QuerySet:
    """Units the actor may import into, for the upload form's picker."""
    return scoping.scope(Unit.objects.all(), actor, perms.IMPORT, "path").filter(
        scoping.scope_q(actor, perms.EDIT, "path")).order_by("path")
