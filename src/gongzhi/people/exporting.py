"""xlsx export of people and volunteers in the actor's scope, streamed row by row into a temporary file.

Masked (R-P3) unless the actor holds ``people.export_unmasked`` and asks for it; an unmasked export writes one
access-log row with the number of records. The columns match the import sheet, so an unmasked export can be
edited and imported again.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from typing import IO

import xlsxwriter
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts import scoping
from gongzhi.core import clock
from gongzhi.privacy.models import AccessChannel
from gongzhi.privacy.services import access_log_record

from . import permissions as perms
from . import selectors
from .models import Person
from .rules import AVAILABILITY_SLOTS

CHUNK = 2000
UNMASKED_FIELDS = ("id_number", "phone", "address", "sensitive_tags")


@dataclass
class Export:
    """A finished export: an open temporary file at position 0 (deleted when closed), its name, its row count."""

    file: IO[bytes]
    filename: str
    rows: int


def _person_cells(p: Person, unmasked: bool) -> list:
    tags = list(p.tags.all())
    if unmasked:
        ident, phone, address = p.id_number_clear(), p.phone_clear(), p.address_clear()
        born = p.birth_date.isoformat() if p.birth_date else ""
    else:
        ident, phone, address = p.id_number_masked, p.phone_masked, p.address_masked
        born = str(p.birth_date.year) if p.birth_date else ""
        tags = [t for t in tags if not t.sensitive]  # R-P2/R-P3: health and hardship tags stay hidden
    return [
        p.name, p.get_sex_display() if p.sex else "", born, ident, phone, address, p.unit.code, p.unit.name,
        p.household.label if p.household_id else "", "、".join(t.name for t in tags),
    ]


def _person_headers(unmasked: bool) -> list[str]:
    return [_("姓名"), _("性别"), _("出生日期") if unmasked else _("出生年份"), _("身份证号"), _("手机号"), _("住址"),
            _("所属单元代码"), _("所属单元"), _("户"), _("人群标签")]


def _scoped(qs: QuerySet, actor, path_field: str, unmasked: bool) -> QuerySet:
    scoping.require(actor, perms.EXPORT)
    qs = qs.filter(scoping.scope_q(actor, perms.EXPORT, path_field))
    if unmasked:
        scoping.require(actor, perms.EXPORT_UNMASKED)
        qs = qs.filter(scoping.scope_q(actor, perms.EXPORT_UNMASKED, path_field))
    return qs


def _log_path(actor, unit_path: str | None) -> str:
    if unit_path:
        return unit_path
    roots = scoping.paths_with(actor, perms.EXPORT_UNMASKED)
    return roots[0] if len(roots) == 1 else (roots[0][:6] if roots else "")


def _write(rows, headers: list[str], sheet: str) -> tuple[IO[bytes], int]:
    out = tempfile.TemporaryFile(prefix="gongzhi-export-", suffix=".xlsx")
    book = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    bold = book.add_format({"bold": True, "bg_color": "#F2F4F7"})
    ws = book.add_worksheet(sheet)
    ws.write_row(0, 0, headers, bold)
    ws.freeze_panes(1, 0)
    ws.set_column(0, len(headers) - 1, 16)
    count = 0
    for count, cells in enumerate(rows, start=1):
        for col, value in enumerate(cells):
            if value != "":
                ws.write_string(count, col, value)  # text, so ID numbers and phones are never turned into numbers
    book.close()
    out.seek(0)
    return out, count


def person_export(*, actor, q: str = "", unit_path: str | None = None, tag: str | None = None,
                  volunteer: bool | None = None, unmasked: bool = False, purpose: str = "", request=None) -> Export:
    """People in the actor's export scope with the list filters; unmasked only with the right, and then logged."""
    qs = selectors.person_list(actor=actor, q=q, unit_path=unit_path, tag=tag, volunteer=volunteer)
    qs = _scoped(qs, actor, selectors.PERSON_PATH, unmasked).select_related("household")
    rows = (_person_cells(p, unmasked) for p in qs.iterator(chunk_size=CHUNK))
    out, count = _write(rows, _person_headers(unmasked), _("居民"))
    if unmasked:
        access_log_record(actor=actor, subject_type="people.person", unit_path=_log_path(actor, unit_path),
                          fields=UNMASKED_FIELDS, channel=AccessChannel.EXPORT, record_count=count, purpose=purpose,
                          request=request, subject_label=_("居民导出"))
    return Export(out, f"{_('居民')}-{clock.today():%Y%m%d}.xlsx", count)


def volunteer_export(*, actor, q: str = "", status: str | None = None, skill: str | None = None,
                     unit_path: str | None = None, unmasked: bool = False, purpose: str = "", request=None) -> Export:
    """Volunteers in the actor's export scope, with their person's data masked unless asked and allowed."""
    qs = selectors.volunteer_list(actor=actor, q=q, status=status, skill=skill, unit_path=unit_path)
    qs = _scoped(qs, actor, selectors.VOLUNTEER_PATH, unmasked)
    qs = qs.select_related("person__unit", "person__household").prefetch_related("person__tags")

    def rows():
        for v in qs.iterator(chunk_size=CHUNK):
            yield [v.number, *_person_cells(v.person, unmasked), str(v.get_status_display()),
                   "、".join(s.name for s in v.skills.all()),
                   "、".join(str(AVAILABILITY_SLOTS.get(a, a)) for a in v.availability or []),
                   f"{timezone.localtime(v.applied_at):%Y-%m-%d}" if v.applied_at else ""]

    headers = [_("志愿者编号"), *_person_headers(unmasked), _("状态"), _("技能"), _("可服务时间"), _("申请时间")]
    out, count = _write(rows(), headers, _("志愿者"))
    if unmasked:
        access_log_record(actor=actor, subject_type="people.volunteer", unit_path=_log_path(actor, unit_path),
                          fields=UNMASKED_FIELDS, channel=AccessChannel.EXPORT, record_count=count, purpose=purpose,
                          request=request, subject_label=_("志愿者导出"))
    return Export(out, f"{_('志愿者')}-{clock.today():%Y%m%d}.xlsx", count)

