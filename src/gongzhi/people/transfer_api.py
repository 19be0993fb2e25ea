"""API for xlsx import and export of people and volunteers (mounted at /api/v1/)."""

from __future__ import annotations

import datetime as dt

from django.http import FileResponse, HttpResponse
from django.urls import reverse
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from gongzhi.accounts import scoping
from gongzhi.core.errors import CommonError

from . import exporting, importing
from . import permissions as perms
from .models import ImportJob, ImportKind

router = Router(tags=["transfer"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# the 200 is a file, not JSON: declared so the document (and clients generated from it) say so
XLSX_DOC = {"responses": {200: {"description": "xlsx", "content": {XLSX: {"schema": {"type": "string",
                                                                                     "format": "binary"}}}}}}


class ImportJobOut(Schema):
    id: int
    kind: str
    unit_id: int
    unit_name: str
    filename: str
    dry_run: bool
    strict: bool
    status: str
    status_name: str
    total_rows: int
    processed_rows: int
    percent: int
    created_count: int
    updated_count: int
    unchanged_count: int
    error_rows: int
    message: str
    error_report_url: str | None
    created_at: dt.datetime
    finished_at: dt.datetime | None


def import_job_out(job: ImportJob) -> dict:
    total = max(job.total_rows, job.processed_rows)
    percent = 100 if job.status == "done" else (int(job.processed_rows * 100 / total) if total else 0)
    return {
        "id": job.pk, "kind": job.kind, "unit_id": job.unit_id, "unit_name": job.unit.name, "filename": job.filename,
        "dry_run": job.dry_run, "strict": job.strict, "status": job.status,
        "status_name": str(job.get_status_display()), "total_rows": total, "processed_rows": job.processed_rows,
        "percent": min(percent, 100), "created_count": job.created_count, "updated_count": job.updated_count,
        "unchanged_count": job.unchanged_count, "error_rows": job.error_rows, "message": job.message,
        "error_report_url": reverse("api:import_errors", kwargs={"job_id": job.pk}) if job.error_report else None,
        "created_at": job.created_at, "finished_at": job.finished_at,
    }


class ExportFilter(Schema):
    kind: str = ImportKind.PEOPLE
    q: str = ""
    unit: str | None = None
    tag: str | None = None
    volunteer: bool | None = None
    status: str | None = None
    skill: str | None = None
    unmasked: bool = False
    purpose: str = ""


def xlsx_response(fileobj, filename: str) -> FileResponse:
    return FileResponse(fileobj, as_attachment=True, filename=filename, content_type=XLSX)


def export_response(actor, f: ExportFilter, request) -> FileResponse:
    """Shared by the API and the page: run the export the filters ask for and stream the file."""
    if f.kind == ImportKind.VOLUNTEERS:
        out = exporting.volunteer_export(actor=actor, q=f.q, status=f.status, skill=f.skill, unit_path=f.unit,
                                         unmasked=f.unmasked, purpose=f.purpose, request=request)
    elif f.kind == ImportKind.PEOPLE:
        out = exporting.person_export(actor=actor, q=f.q, unit_path=f.unit, tag=f.tag, volunteer=f.volunteer,
                                      unmasked=f.unmasked, purpose=f.purpose, request=request)
    else:
        raise CommonError.VALIDATION.error(detail=[{"loc": ["kind"], "msg": "people | volunteers"}])
    return xlsx_response(out.file, out.filename)


def template_response(kind: str) -> HttpResponse:
    import io

    if kind not in ImportKind.values:
        raise CommonError.VALIDATION.error(detail=[{"loc": ["kind"], "msg": "people | volunteers"}])
    buf = io.BytesIO()
    importing.import_template(kind=kind, fileobj=buf)
    buf.seek(0)
    name = "志愿者导入模板.xlsx" if kind == ImportKind.VOLUNTEERS else "居民导入模板.xlsx"
    return xlsx_response(buf, name)


@router.post("/people/imports", response={201: ImportJobOut}, summary="上传 xlsx 导入居民或志愿者（可仅校验、严格模式）")
def import_create(
    request,
    file: File[UploadedFile],
    unit_id: Form[int],
    kind: Form[str] = ImportKind.PEOPLE,
    dry_run: Form[bool] = False,
    strict: Form[bool] = False,
    consent_confirmed: Form[bool] = False,
):
    unit = importing.import_unit_get(actor=request.auth, pk=unit_id)
    job = importing.import_job_create(actor=request.auth, kind=kind, unit=unit, upload=file, dry_run=dry_run,
                                      strict=strict, consent_confirmed=consent_confirmed)
    importing.import_job_start(job=job)
    return Status(201, import_job_out(importing.import_job_get(actor=request.auth, pk=job.pk)))


@router.get("/people/imports/{int:job_id}", response=ImportJobOut, summary="导入任务进度、计数和错误报告", url_name="import_job")
def import_job(request, job_id: int):
    return import_job_out(importing.import_job_get(actor=request.auth, pk=job_id))


@router.get("/people/imports/{int:job_id}/errors.xlsx", summary="下载错误报告（xlsx）", url_name="import_errors",
            openapi_extra=XLSX_DOC)
def import_errors(request, job_id: int):
    job = importing.import_job_get(actor=request.auth, pk=job_id)
    report = importing.import_error_report_open(actor=request.auth, job=job, channel="api", request=request)
    return xlsx_response(report, f"导入错误报告-{job.pk}.xlsx")


@router.get("/people/import-template.xlsx", summary="下载导入模板", url_name="import_template",
            openapi_extra=XLSX_DOC)
def import_template(request, kind: str = ImportKind.PEOPLE):
    scoping.require(request.auth, perms.IMPORT)
    return template_response(kind)


@router.get("/people/export.xlsx", summary="导出居民或志愿者（默认脱敏；unmasked=true 需权限并记录访问日志）",
            url_name="people_export", openapi_extra=XLSX_DOC)
def people_export(request, filters: Query[ExportFilter]):
    return export_response(request.auth, filters, request)
