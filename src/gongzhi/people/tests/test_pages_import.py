"""Import and export pages: upload form with scoped unit picker, job page polling with htmx, downloads."""

from __future__ import annotations

import io

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gongzhi.people import importing
from gongzhi.people.models import ImportJob, Person

from .test_services_import import ident, make_xlsx


def xlsx_file(rows, name="居民.xlsx"):
    return SimpleUploadedFile(name, make_xlsx(rows), content_type="application/octet-stream")


def test_import_page_offers_only_units_in_scope(browser_login, world):
    """The unit picker lists the worker's community and grid, not another street's community."""
    client = browser_login("community")
    r = client.get(reverse("people:import"))
    assert r.status_code == 200
    html = r.content.decode()
    assert "永兴社区（370117001001）" in html and "永兴社区第一网格" in html
    assert "洪沟社区" not in html
    assert 'name="dry_run"' in html and 'name="strict"' in html
    assert reverse("people:import_template") in html


def test_upload_redirects_to_job_page_with_counts_and_report(browser_login, world):
    """Uploading a file runs the import and shows the job page with counts and the error report link."""
    client = browser_login("community")
    rows = [["页面甲", ident(951), "13800000951", "", "", "", "", ""], ["页面乙", "bad", "", "", "", "", "", ""]]
    r = client.post(reverse("people:import"), {"file": xlsx_file(rows), "kind": "people",
                                               "unit": world.community_a.pk})
    job = ImportJob.objects.get()
    assert r.status_code == 302 and r.url == reverse("people:import_job", args=[job.pk])
    page = client.get(r.url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "已完成" in html and "hx-trigger" not in html  # finished: no more polling
    assert reverse("people:import_errors", args=[job.pk]) in html
    assert Person.objects.filter(name="页面甲").exists()
    report = client.get(reverse("people:import_errors", args=[job.pk]))
    book = openpyxl.load_workbook(io.BytesIO(b"".join(report.streaming_content)), read_only=True)
    assert list(book["错误明细"].iter_rows(min_row=2, values_only=True))[0][:2] == (3, "身份证号")


def test_running_job_polls_every_second(browser_login, world):
    """While a job is pending or running the status fragment asks htmx to poll it every second."""
    job = importing.import_job_create(actor=world.user("community"), kind="people", unit=world.community_a,
                                      upload=xlsx_file([["待办", ident(961)]]))
    client = browser_login("community")
    r = client.get(reverse("people:import_job", args=[job.pk]), HTTP_HX_REQUEST="true")
    html = r.content.decode()
    assert r.status_code == 200 and "<html" not in html
    assert 'hx-trigger="every 1s"' in html and "排队中" in html


def test_bad_upload_is_shown_on_the_form(browser_login, world):
    """A non-xlsx file re-renders the form with the reason (400) and records no job."""
    client = browser_login("community")
    bad = SimpleUploadedFile("居民.xlsx", b"not a spreadsheet")
    r = client.post(reverse("people:import"), {"file": bad, "kind": "people", "unit": world.community_a.pk})
    assert r.status_code == 400
    assert "请上传 .xlsx 格式的表格" in r.content.decode()
    assert not ImportJob.objects.exists()


def test_job_page_of_other_community_is_404(browser_login, world, client):
    """Another community's worker cannot open the job page or its report."""
    job = importing.import_job_create(actor=world.user("community"), kind="people", unit=world.community_a,
                                      upload=xlsx_file([["甲", ident(971)]]))
    browser_login("community_b")
    assert client.get(reverse("people:import_job", args=[job.pk])).status_code == 404
    assert client.get(reverse("people:import_errors", args=[job.pk])).status_code == 404


def test_import_page_needs_permission(browser_login):
    """A grid worker (no people.import) gets 403 on the import page."""
    assert browser_login("grid").get(reverse("people:import")).status_code == 403


def test_export_page_download_is_masked_and_scoped(browser_login, world):
    """The export button gives a masked xlsx; a unit of another street is 404."""
    client = browser_login("community")
    r = client.get(reverse("people:export"), {"kind": "people", "unit": world.grid_a.pk})
    assert r.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(b"".join(r.streaming_content)), read_only=True)
                .worksheets[0].iter_rows(values_only=True))
    assert [row[0] for row in rows[1:]] == ["李四"]
    assert world.people["a_grid"].id_number_clear() not in str(rows)
    assert client.get(reverse("people:export"), {"unit": world.community_b.pk}).status_code == 404
