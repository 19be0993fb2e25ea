"""xlsx export: scoped, masked by default (R-P3), unmasked only with the right and then logged once."""

from __future__ import annotations

import io

import openpyxl

from gongzhi.people import services
from gongzhi.privacy.models import AccessLog


def sheet(response) -> list[tuple]:
    assert response.status_code == 200, getattr(response, "content", b"")[:300]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return list(book.worksheets[0].iter_rows(values_only=True))


def all_text(rows) -> str:
    return "\n".join("\t".join("" if c is None else str(c) for c in row) for row in rows)


def test_masked_export_has_no_clear_id_numbers_and_stays_in_scope(api, world):
    """A community worker's export: own community only, ID/phone masked, no access-log row. # R-P3"""
    rows = sheet(api("community").get("people/export.xlsx"))
    header, body = rows[0], rows[1:]
    assert header[:4] == ("姓名", "性别", "出生年份", "身份证号")
    names = {r[0] for r in body}
    assert names == {"张三丰", "李四", "赵六"}  # 王五 lives in another street
    text = all_text(rows)
    for person in world.people.values():
        assert person.id_number_clear() not in text
        assert person.phone_clear() not in text
    a = next(r for r in body if r[0] == "张三丰")
    assert a[3] == world.people["a"].id_number_masked and a[3].count("*") == 8
    assert a[2] == "1980"  # the birth date stays hidden with the ID number
    assert not AccessLog.objects.exists()


def test_masked_export_hides_sensitive_tags(api, world):
    """Sensitive tags (残疾人) are left out of a masked export, as on the list pages. # R-P2"""
    rows = sheet(api("district").get("people/export.xlsx"))
    wang = next(r for r in rows[1:] if r[0] == "王五")
    assert "残疾人" not in (wang[9] or "")


def test_unmasked_export_writes_one_access_log_row(api, world):
    """The district admin's unmasked export has clear values and exactly one access-log row counting the rows. # R-P3"""
    rows = sheet(api("district").get("people/export.xlsx", unmasked="true", purpose="年度核查"))
    body = rows[1:]
    text = all_text(rows)
    assert world.people["a"].id_number_clear() in text and "13812345678" in text
    assert rows[0][2] == "出生日期"
    wang = next(r for r in body if r[0] == "王五")
    assert "残疾人" in wang[9]
    log = AccessLog.objects.get()
    assert log.channel == "export" and log.record_count == len(body) == 4
    assert log.actor == world.user("district") and log.purpose == "年度核查"
    assert set(log.fields) == {"id_number", "phone", "address", "sensitive_tags"}


def test_unmasked_export_needs_the_permission(api, world):
    """A community worker may export masked data only: unmasked=true → 403 and nothing logged."""
    r = api("community").get("people/export.xlsx", unmasked="true")
    assert r.status_code == 403
    assert r.json()["code"] == "forbidden"
    assert not AccessLog.objects.exists()


def test_export_needs_people_export(api):
    """Roles without people.export (grid worker, social worker, volunteer) get 403."""
    for role in ("grid", "socialworker", "volunteer"):
        assert api(role).get("people/export.xlsx").status_code == 403, role


def test_volunteer_export_lists_numbers_masked(api, world):
    """kind=volunteers exports volunteers in scope with their public number and a masked ID. # R-V3"""
    profile = services.volunteer_apply(person=world.people["a"], actor=world.user("community"), skills=["first_aid"],
                                       availability=["周末白天"], consent_confirmed=True)
    rows = sheet(api("community").get("people/export.xlsx", kind="volunteers"))
    assert rows[0][0] == "志愿者编号" and len(rows) == 2
    row = rows[1]
    assert row[0] == profile.number and row[1] == "张三丰"
    assert row[4] == world.people["a"].id_number_masked
    assert row[-3:-1] == ("急救", "周末白天")
    assert world.people["a"].id_number_clear() not in all_text(rows)


def test_export_unit_filter_limits_rows(api, world):
    """The unit filter (a unit path) narrows the export to that subtree."""
    rows = sheet(api("community").get("people/export.xlsx", unit=world.grid_a.path))
    assert [r[0] for r in rows[1:]] == ["李四"]


def test_unmasked_export_imports_back_unchanged(api, world):
    """An unmasked export is an import sheet: importing it back changes nothing (same columns, same people)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from gongzhi.people import importing

    response = api("district").get("people/export.xlsx", unmasked="true")
    data = b"".join(response.streaming_content)
    job = importing.import_job_create(actor=world.user("district"), kind="people", unit=world.district,
                                      upload=SimpleUploadedFile("导出.xlsx", data))
    importing.import_job_start(job=job)
    job.refresh_from_db()
    assert (job.created_count, job.updated_count, job.unchanged_count, job.error_rows) == (0, 0, 4, 0), job.message
