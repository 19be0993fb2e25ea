"""The import API: upload → job, progress and counts, error report, template; scoping and refusals."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.test import override_settings

from gongzhi.people.models import ImportJob, Person

from .test_services_import import HEADERS, VOLUNTEER_HEADERS, ident, make_xlsx


def post_import(api_client, data: bytes, *, name="居民.xlsx", **fields):
    """Multipart POST /people/imports with the client's bearer token."""
    body = {"file": io.BytesIO(data), **{k: str(v).lower() if isinstance(v, bool) else v for k, v in fields.items()}}
    body["file"].name = name
    return api_client.client.post("/api/v1/people/imports", body, **api_client.headers)


def test_upload_creates_job_and_reports_counts(api, world):
    """POST /people/imports → 201 with the job; it ran inline (tests) and shows counts and 100 %."""
    data = make_xlsx([["刘一", ident(901), "13800000901", "", "", "", "党员", ""],
                      ["坏号", "110105194912310021", "", "", "", "", "", ""]])
    r = post_import(api("community"), data, unit_id=world.community_a.pk)
    assert r.status_code == 201, r.content
    job = r.json()
    assert job["status"] == "done" and job["percent"] == 100
    assert (job["created_count"], job["error_rows"], job["total_rows"]) == (1, 1, 2)
    assert job["error_report_url"] == f"/api/v1/people/imports/{job['id']}/errors.xlsx"
    again = api("community").get(f"people/imports/{job['id']}")
    assert again.status_code == 200 and again.json()["created_count"] == 1
    report = api("community").get(job["error_report_url"])
    assert report.status_code == 200
    assert report["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(report.streaming_content)), read_only=True)
    assert list(book["错误明细"].iter_rows(min_row=2, values_only=True)) == [(3, "身份证号", "身份证号码校验位错误")]


def test_error_report_download_is_access_logged(api, world):
    """The error report repeats the uploaded clear values, so each download writes an access-log row (R-P3)."""
    from gongzhi.privacy.models import AccessLog

    data = make_xlsx([["坏号", "110105194912310021", "13800000902", "", "", "", "", ""]])
    job = post_import(api("community"), data, unit_id=world.community_a.pk).json()
    assert not AccessLog.objects.exists()
    assert api("street").get(job["error_report_url"]).status_code == 200
    log = AccessLog.objects.get()
    assert (log.actor, log.subject_type, log.subject_id, log.channel) == (
        world.user("street"), "people.importjob", job["id"], "api")


def test_dry_run_and_strict_flags_are_honoured(api, world):
    """dry_run=true saves nothing; strict=true with a bad row saves nothing."""
    rows = [["甲", ident(911), "", "", "", "", "", ""], ["乙", ident(912), "123", "", "", "", "", ""]]
    before = Person.objects.count()
    r = post_import(api("community"), make_xlsx(rows), unit_id=world.community_a.pk, dry_run=True)
    assert r.status_code == 201 and r.json()["dry_run"] and r.json()["created_count"] == 1
    r = post_import(api("community"), make_xlsx(rows), unit_id=world.community_a.pk, strict=True)
    assert r.status_code == 201 and r.json()["created_count"] == 0 and r.json()["error_rows"] == 1
    assert Person.objects.count() == before


def test_other_communitys_worker_cannot_read_the_job(api, world):
    """A job is scoped by its unit: another community's worker gets 404 for it and its error report."""
    data = make_xlsx([["错", "123", "", "", "", "", "", ""]])
    job = post_import(api("community"), data, unit_id=world.community_a.pk).json()
    for path in (f"people/imports/{job['id']}", f"people/imports/{job['id']}/errors.xlsx"):
        r = api("community_b").get(path)
        assert r.status_code == 404, path
        assert r.json()["code"] == "not_found"
    assert api("street").get(f"people/imports/{job['id']}").status_code == 200  # the street above may
    assert api("grid").get(f"people/imports/{job['id']}").status_code == 403  # no people.import at all


@pytest.mark.parametrize("data,name", [
    (b"name,id\n\xe5\xbc\xa0,1\n", "居民.xlsx"),            # a CSV renamed
    (b"PK\x03\x04 not really a zip", "居民.xlsx"),          # corrupt
    (make_xlsx([["x", ident(1)]]), "居民.csv"),             # wrong extension
])
def test_non_xlsx_upload_is_400(api, world, data, name):
    """Anything that is not a readable .xlsx is refused with 400 and a Chinese message; no job is recorded."""
    r = post_import(api("community"), data, name=name, unit_id=world.community_a.pk)
    assert r.status_code == 400, r.content
    assert r.json()["code"] == "people.import_file_invalid"
    assert "xlsx" in r.json()["message"]
    assert not ImportJob.objects.exists()


def test_missing_header_is_400_listing_columns(api, world):
    """A sheet without the 姓名 column → 400 people.import_header_invalid naming it."""
    r = post_import(api("community"), make_xlsx([["x"]], ["身份证号", "电话"]), unit_id=world.community_a.pk)
    assert r.status_code == 400
    assert r.json()["code"] == "people.import_header_invalid"
    assert r.json()["detail"] == {"missing": ["姓名"]}
    assert "姓名" in r.json()["message"]


@override_settings(IMPORT_MAX_UPLOAD_BYTES=1024)
def test_oversized_upload_is_413(api, world):
    """An upload over IMPORT_MAX_UPLOAD_BYTES is refused with 413."""
    data = make_xlsx([[f"人{i}", ident(i)] for i in range(200)], ["姓名", "身份证号"])
    r = post_import(api("community"), data, unit_id=world.community_a.pk)
    assert r.status_code == 413
    assert r.json()["code"] == "too_large"


def test_unit_out_of_scope_is_404_and_no_import_permission_is_403(api, world):
    """Importing into another community's unit → 404; a grid worker (no people.import) → 403."""
    data = make_xlsx([["甲", ident(921)]], ["姓名", "身份证号"])
    assert post_import(api("community"), data, unit_id=world.community_b.pk).status_code == 404
    assert post_import(api("grid"), data, unit_id=world.grid_a.pk).status_code == 403
    assert post_import(api(None), data, unit_id=world.community_a.pk).status_code == 401


def test_volunteer_import_needs_consent_confirmation(api, world):
    """kind=volunteers without consent_confirmed → 400 people.consent_required (R-V2); with it → 201."""
    data = make_xlsx([["志愿丙", ident(931), "", "", "", "", "", "", "急救", ""]], VOLUNTEER_HEADERS)
    r = post_import(api("community"), data, unit_id=world.community_a.pk, kind="volunteers")
    assert r.status_code == 400 and r.json()["code"] == "people.consent_required"
    r = post_import(api("community"), data, unit_id=world.community_a.pk, kind="volunteers", consent_confirmed=True)
    assert r.status_code == 201 and r.json()["kind"] == "volunteers" and r.json()["created_count"] == 1


def test_template_download_has_headers_and_help(api):
    """GET /people/import-template.xlsx gives the columns of each kind and a 填写说明 sheet with tag names."""
    r = api("community").get("people/import-template.xlsx", kind="volunteers")
    assert r.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(r.streaming_content)))
    header = [c.value for c in book.worksheets[0][1]]
    assert header == [*HEADERS, "技能", "可服务时间"]
    help_values = {c.value for row in book["填写说明"].iter_rows() for c in row}
    assert {"独居老人", "急救"} <= help_values
    assert api("community").get("people/import-template.xlsx", kind="pets").status_code == 422
    assert api("grid").get("people/import-template.xlsx").status_code == 403


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # keeps migration-seeded rows for later tests
def test_upload_runs_in_a_background_thread_when_configured(api, world, monkeypatch):
    """With IMPORT_RUN_IN_BACKGROUND the upload answers 201 at once and a daemon thread finishes the job.

    The thread is held until the response is out: the test database is one in-memory SQLite shared by both
    threads, where a write meeting the response's read fails at once ("table is locked") instead of waiting as
    it does on a database file (busy timeout) or on PostgreSQL."""
    import threading
    from types import SimpleNamespace

    from gongzhi.people import importing

    held = []

    class Held(threading.Thread):
        def start(self):
            held.append(self)

    monkeypatch.setattr(importing, "threading", SimpleNamespace(Thread=Held))
    data = make_xlsx([["后台甲", ident(941)], ["后台乙", ident(942)]], ["姓名", "身份证号"])
    with override_settings(IMPORT_RUN_IN_BACKGROUND=True):
        r = post_import(api("community"), data, unit_id=world.community_a.pk)
    assert r.status_code == 201
    job_id = r.json()["id"]
    assert r.json()["status"] == "pending"
    assert [(t.name, t.daemon) for t in held] == [(f"import-{job_id}", True)]
    threading.Thread.start(held[0])
    held[0].join(timeout=30)
    job = api("community").get(f"people/imports/{job_id}").json()
    assert job["status"] == "done" and job["created_count"] == 2, job


def test_job_whose_process_died_is_shown_failed_not_running_forever(api, world):
    """A running job silent for longer than STALE_AFTER is marked failed on read; a live one is left alone."""
    import datetime as dt

    from django.utils import timezone

    from gongzhi.people import importing
    from gongzhi.people.models import ImportStatus

    data = make_xlsx([["刘二", ident(951), "", "", "", "", "", ""]])
    job_id = post_import(api("community"), data, unit_id=world.community_a.pk).json()["id"]
    now = timezone.now()
    ImportJob.objects.filter(pk=job_id).update(status=ImportStatus.RUNNING, heartbeat_at=now - dt.timedelta(minutes=1))
    assert api("community").get(f"people/imports/{job_id}").json()["status"] == "running"
    ImportJob.objects.filter(pk=job_id).update(heartbeat_at=now - importing.STALE_AFTER - dt.timedelta(minutes=1))
    body = api("community").get(f"people/imports/{job_id}").json()
    assert body["status"] == "failed" and "导入已中断" in body["message"]
    assert ImportJob.objects.get(pk=job_id).finished_at is not None
