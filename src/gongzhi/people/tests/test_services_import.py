"""xlsx import: validation per row and column, modes (dry run, strict), idempotent re-import, volunteers."""

from __future__ import annotations

import datetime as dt
import io
import time

import openpyxl
import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile

from gongzhi.core.errors import DomainError
from gongzhi.people import importing, services
from gongzhi.people.identity import make_id_number
from gongzhi.people.models import (
    ConsentPurpose,
    ConsentRecord,
    ImportStatus,
    Person,
    PersonChange,
    VolunteerProfile,
    VolunteerStatus,
)

HEADERS = ["姓名*", "身份证号", "手机号", "住址", "所属单元代码", "户", "人群标签", "监护人"]
VOLUNTEER_HEADERS = [*HEADERS, "技能", "可服务时间"]


def ident(seq: int, birth: dt.date = dt.date(1975, 3, 9)) -> str:
    return make_id_number("370117", birth, seq)


def make_xlsx(rows, headers=HEADERS, *, title_rows: int = 0) -> bytes:
    """An xlsx with a header row and ``rows`` (lists, or a generator for large files); cells written as given."""
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"constant_memory": True, "in_memory": False})
    ws = book.add_worksheet("居民")
    for r in range(title_rows):
        ws.write_string(r, 0, "钢城区居民信息表")
    ws.write_row(title_rows, 0, headers)
    for i, row in enumerate(rows, start=title_rows + 1):
        for c, value in enumerate(row):
            if isinstance(value, str):
                if value:
                    ws.write_string(i, c, value)
            elif value is not None:
                ws.write_number(i, c, value)
    book.close()
    return buf.getvalue()


def upload(data: bytes, name: str = "居民.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def run_import(world, rows, *, user="community", unit=None, headers=HEADERS, kind="people", **flags):
    job = importing.import_job_create(actor=world.user(user), kind=kind, unit=unit or world.community_a,
                                      upload=upload(make_xlsx(rows, headers)), **flags)
    importing.import_job_start(job=job)
    job.refresh_from_db()
    return job


def error_cells(job) -> list[tuple[int, str, str]]:
    """The 错误明细 sheet of the job's error report as (row, column, message)."""
    book = openpyxl.load_workbook(io.BytesIO(job.error_report.open("rb").read()), read_only=True)
    sheet = book["错误明细"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    return [(int(r[0]), r[1], r[2]) for r in rows]


def valid_rows(n: int, start: int = 100) -> list[list]:
    return [[f"测试{i}", ident(i % 1000, dt.date(1960, 1, 1) + dt.timedelta(days=i // 1000)), f"1391111{i % 10000:04d}",
             f"永兴路{i}号", "", f"{i}号楼", "党员" if i % 3 == 0 else "", ""] for i in range(start, start + n)]


def test_valid_file_creates_people_with_tags_household_and_change_log(world):
    """A valid file creates each person (encrypted ID, masked copies), household, tags and an import change row."""
    rows = [
        ["刘一", ident(201), "13800000001", "永兴路1号", "", "1号楼101", "独居老人、党员", ""],
        ["陈二", ident(202), "138-0000-0002", "", world.grid_a.code, "", "veteran", ""],
    ]
    job = run_import(world, rows)
    assert job.status == ImportStatus.DONE, job.message
    assert (job.created_count, job.updated_count, job.error_rows, job.processed_rows) == (2, 0, 0, 2)
    assert not job.error_report
    liu = Person.objects.get(name="刘一")
    assert liu.id_number_clear() == ident(201) and liu.id_number_masked.count("*") == 8
    assert liu.unit == world.community_a and liu.household.label == "1号楼101"
    assert sorted(t.code for t in liu.tags.all()) == ["elderly_alone", "party_member"]
    assert liu.birth_date == dt.date(1975, 3, 9) and liu.name_initials == "ly"
    chen = Person.objects.get(name="陈二")
    assert chen.unit == world.grid_a and chen.phone_clear() == "13800000002"
    change = PersonChange.objects.get(person=liu)
    assert change.source == "import" and change.created and change.actor == world.user("community")


def test_invalid_rows_are_reported_per_row_and_column_and_valid_rows_saved(world):
    """Bad checksum, bad phone, unknown tag, out-of-scope unit, missing name: each named by row and column. # R-I1"""
    bad_checksum = ident(301)[:-1] + ("0" if ident(301)[-1] != "0" else "1")
    rows = [
        ["好人", ident(300), "13800000300", "", "", "", "", ""],                       # row 2: valid
        ["错号", bad_checksum, "13800000301", "", "", "", "", ""],                    # row 3
        ["错电话", ident(302), "12345", "", "", "", "", ""],                            # row 4
        ["错标签", ident(303), "", "", "", "", "党员、火星人", ""],                       # row 5
        ["外区", ident(304), "", "", world.community_b.code, "", "", ""],              # row 6
        ["", ident(305), "13800000305", "", "", "", "", ""],                          # row 7
        ["多错", bad_checksum, "999", "", "", "", "", ""],                             # row 8: two errors
    ]
    job = run_import(world, rows)
    assert job.status == ImportStatus.DONE
    assert (job.created_count, job.error_rows) == (1, 6)
    assert list(Person.objects.filter(name__in=["好人", "错号", "错电话", "错标签", "外区"]).values_list("name", flat=True)) == ["好人"]
    errors = error_cells(job)
    by_row = {}
    for row, column, message in errors:
        by_row.setdefault(row, []).append((column, message))
    assert by_row[3] == [("身份证号", "身份证号码校验位错误")]
    assert by_row[4] == [("手机号", "手机号码格式不正确")]
    assert by_row[5] == [("人群标签", "未知的人群标签：火星人")]
    assert by_row[6][0][0] == "所属单元代码" and world.community_b.code in by_row[6][0][1]
    assert by_row[7][0][0] == "姓名*"
    assert sorted(c for c, _m in by_row[8]) == ["手机号", "身份证号"]
    # sheet 1 keeps the original values and explains the row
    book = openpyxl.load_workbook(io.BytesIO(job.error_report.open("rb").read()), read_only=True)
    first = list(book["错误行"].iter_rows(values_only=True))
    assert first[0] == ("行号", *HEADERS, "错误说明")
    assert first[1][:3] == (3, "错号", bad_checksum)
    assert first[1][-1] == "身份证号：身份证号码校验位错误"


def test_dry_run_saves_nothing_but_counts(world):
    """Dry run validates every row and reports what would happen, without saving anything."""
    before = Person.objects.count()
    job = run_import(world, valid_rows(5) + [["", "", "", "", "", "", "", ""], ["坏", "123", "", "", "", "", "", ""]],
                     dry_run=True)
    assert job.status == ImportStatus.DONE
    assert (job.created_count, job.error_rows) == (5, 1)
    assert Person.objects.count() == before
    assert PersonChange.objects.filter(source="import").count() == 0
    assert "未保存" in job.message


def test_strict_mode_saves_nothing_when_one_row_fails(world):
    """Strict mode: one bad row → no row saved; a clean file → all rows saved."""
    before = Person.objects.count()
    rows = valid_rows(20)
    rows[13][2] = "10086"
    job = run_import(world, rows, strict=True)
    assert job.status == ImportStatus.DONE
    assert job.error_rows == 1 and job.created_count == 0
    assert Person.objects.count() == before
    assert error_cells(job) == [(15, "手机号", "手机号码格式不正确")]
    rows[13][2] = "13800001313"
    job = run_import(world, rows, strict=True)
    assert (job.created_count, job.error_rows) == (20, 0), error_cells(job)
    assert Person.objects.count() == before + 20


def test_reimport_creates_no_duplicates_and_updates_only_changes(world):
    """Importing the same file twice: nothing new, all unchanged; a changed phone → one update with a change row."""
    rows = valid_rows(30)
    first = run_import(world, rows)
    assert first.created_count == 30
    count = Person.objects.count()
    again = run_import(world, rows)
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 30)
    assert Person.objects.count() == count
    rows[4][2] = "13999999999"
    rows[5][6] = "退役军人"
    rows[6][2] = ""  # a blank cell keeps the stored phone
    third = run_import(world, rows)
    assert (third.created_count, third.updated_count, third.unchanged_count) == (0, 2, 28)
    changed = Person.objects.get(name=rows[4][0])
    assert changed.phone_clear() == "13999999999"
    assert PersonChange.objects.filter(person=changed, created=False).get().fields == ["phone"]
    assert [t.code for t in Person.objects.get(name=rows[5][0]).tags.all()] == ["veteran"]
    assert Person.objects.get(name=rows[6][0]).phone_clear() == valid_rows(30)[6][2]


def test_existing_person_matched_by_id_number_is_updated_not_duplicated(world):
    """A row with the ID number of someone already registered (张三丰) updates that person. # R-I1"""
    a = world.people["a"]
    job = run_import(world, [["张三丰", a.id_number_clear(), "13812345678", "", "", "", "党员", ""]])
    assert (job.created_count, job.updated_count) == (0, 1)
    assert Person.objects.filter(id_number_digest=a.id_number_digest).count() == 1
    assert [t.code for t in a.tags.all()] == ["party_member"]


def test_person_registered_in_another_community_is_not_touched(world):
    """A row matching a person of another community is an error, and that person is unchanged (scoping)."""
    b = world.people["b"]
    job = run_import(world, [["王五", b.id_number_clear(), "13900000000", "", "", "", "", ""]])
    assert (job.created_count, job.updated_count, job.error_rows) == (0, 0, 1)
    assert error_cells(job)[0][1] == "身份证号"
    b.refresh_from_db()
    assert b.phone_clear() == "13700001111" and b.unit == world.community_b


def test_duplicate_id_in_same_file_is_an_error_on_the_later_row(world):
    """The second row with the same ID number is rejected and names the first row."""
    rows = [["甲", ident(401), "", "", "", "", "", ""], ["乙", ident(402), "", "", "", "", "", ""],
            ["甲二", ident(401), "", "", "", "", "", ""]]
    job = run_import(world, rows)
    assert (job.created_count, job.error_rows) == (2, 1)
    assert error_cells(job) == [(4, "身份证号", "与第 2 行的身份证号码重复")]


def test_child_under_14_needs_guardian(world):
    """A child under 14 is imported only with a guardian, whose consent is recorded. # R-P2"""
    child = ident(501, dt.date.today().replace(year=dt.date.today().year - 8) - dt.timedelta(days=3))
    job = run_import(world, [["小明", child, "", "", "", "", "", ""]])
    assert job.error_rows == 1
    assert error_cells(job)[0][1:] == ("监护人", "未满十四周岁人员须记录监护人同意")
    job = run_import(world, [["小明", child, "", "", "", "", "", "王大明"]])
    assert job.created_count == 1
    consent = ConsentRecord.objects.get(person__name="小明")
    assert consent.purpose == ConsentPurpose.GUARDIAN and consent.guardian_name == "王大明"


def test_id_number_stored_as_number_gets_a_hint(world):
    """An ID typed into a numeric cell loses digits; the error says to format the column as text. # R-I1"""
    job = run_import(world, [["数字", float(ident(601)[:17] + "0"), "", "", "", "", "", ""]])
    assert job.error_rows == 1
    assert "文本格式" in error_cells(job)[0][2]


def test_header_below_a_title_row_and_aliases(world):
    """The header may sit under a title row and use common aliases (姓名 / 身份证号码 / 联系电话)."""
    data = make_xlsx([["标题下", ident(701), "13800000701"]], ["姓名", "身份证号码", "联系电话"], title_rows=1)
    job = importing.import_job_create(actor=world.user("community"), kind="people", unit=world.community_a,
                                      upload=upload(data))
    importing.import_job_start(job=job)
    job.refresh_from_db()
    assert job.created_count == 1
    assert Person.objects.get(name="标题下").phone_clear() == "13800000701"


def test_missing_required_header_is_refused(world):
    """A sheet without a 姓名 column is refused at upload, naming the missing column."""
    with pytest.raises(DomainError) as exc:
        importing.import_job_create(actor=world.user("community"), kind="people", unit=world.community_a,
                                    upload=upload(make_xlsx([["x"]], ["名称", "身份证号"])))
    assert exc.value.code == "people.import_header_invalid"
    assert exc.value.detail == {"missing": ["姓名"]}


def test_ten_thousand_rows_import_correctly(world):
    """A 10,000-row file is imported completely in a few seconds, then re-imported with no change."""
    rows = valid_rows(10_000, start=10_000)
    started = time.perf_counter()
    job = run_import(world, rows)
    elapsed = time.perf_counter() - started
    assert (job.created_count, job.error_rows, job.processed_rows) == (10_000, 0, 10_000)
    assert Person.objects.filter(name__startswith="测试").count() == 10_000
    assert Person.tags.through.objects.filter(person__name__startswith="测试").count() == 3333
    assert PersonChange.objects.filter(source="import").count() == 10_000
    assert elapsed < 30, elapsed
    again = run_import(world, rows)
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 10_000)


def test_volunteer_import_creates_profiles_with_numbers_and_skills(world):
    """Volunteers get a public number (not the ID, R-V3), skills, availability, status applied and a consent row."""
    rows = [["志愿甲", ident(801), "13800000801", "", "", "", "", "", "急救、法律", "周末白天、工作日晚上"],
            ["志愿乙", ident(802), "13800000802", "", "", "", "", "", "psychology", ""]]
    job = run_import(world, rows, headers=VOLUNTEER_HEADERS, kind="volunteers", consent_confirmed=True)
    assert (job.created_count, job.error_rows) == (2, 0), job.message
    v = VolunteerProfile.objects.get(person__name="志愿甲")
    assert v.number.startswith("ZY370117") and ident(801) not in v.number
    assert v.status == VolunteerStatus.APPLIED
    assert sorted(s.code for s in v.skills.all()) == ["first_aid", "legal"]
    assert v.availability == ["weekday_evening", "weekend_day"]  # people.rules.AVAILABILITY_SLOTS order
    assert ConsentRecord.objects.filter(person=v.person, purpose=ConsentPurpose.REGISTRATION).count() == 1
    assert v.status_changes.get().reason == "批量导入"
    again = run_import(world, rows, headers=VOLUNTEER_HEADERS, kind="volunteers", consent_confirmed=True)
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 2)
    rows[1][8] = "急救"
    third = run_import(world, rows, headers=VOLUNTEER_HEADERS, kind="volunteers", consent_confirmed=True)
    assert (third.created_count, third.updated_count) == (0, 1)
    assert [s.code for s in VolunteerProfile.objects.get(person__name="志愿乙").skills.all()] == ["first_aid"]


def test_volunteer_import_checks_skills_age_and_consent(world):
    """Unknown skill and a too-young child are row errors; without the worker's consent confirmation nothing starts."""
    young = ident(811, dt.date.today().replace(year=dt.date.today().year - 6))
    teen = ident(812, dt.date.today().replace(year=dt.date.today().year - 15))
    rows = [["技能错", ident(810), "", "", "", "", "", "", "飞行", ""],
            ["太小", young, "", "", "", "", "", "家长", "", ""],
            ["少年", teen, "", "", "", "", "", "", "", ""]]
    with pytest.raises(DomainError) as exc:
        run_import(world, rows, headers=VOLUNTEER_HEADERS, kind="volunteers")
    assert exc.value.code == "people.consent_required"  # R-V2
    job = run_import(world, rows, headers=VOLUNTEER_HEADERS, kind="volunteers", consent_confirmed=True)
    assert job.error_rows == 3
    assert error_cells(job) == [
        (2, "技能", "未知的技能：飞行"),
        (3, "身份证号", "未达到志愿者最低年龄（8周岁）"),  # R-V9
        (4, "监护人", "未满十四周岁人员须记录监护人同意"),  # R-V9: 8–17 need a guardian
    ]


def test_existing_child_without_guardian_consent_on_file_needs_one(world):
    """Re-importing a child whose guardian consent was withdrawn needs a guardian again, as person_update. # R-P2"""
    child = ident(521, dt.date.today().replace(year=dt.date.today().year - 9))
    run_import(world, [["小红", child, "", "", "", "", "", "李大红"]])
    person = Person.objects.get(name="小红")
    services.consent_record(person=person, purpose=ConsentPurpose.GUARDIAN, granted=False,
                            actor=world.user("community"))
    job = run_import(world, [["小红", child, "", "", "", "", "", ""]])
    assert job.error_rows == 1 and error_cells(job)[0][1] == "监护人"
    job = run_import(world, [["小红", child, "", "", "", "", "", "李大红"]])
    assert (job.updated_count, job.error_rows) == (1, 0)
    latest = ConsentRecord.objects.filter(person=person, purpose=ConsentPurpose.GUARDIAN).order_by("-pk").first()
    assert latest.granted and latest.guardian_name == "李大红"


def test_volunteer_import_refuses_unknown_availability(world):
    """Availability must be one of the offered slots; free text is a row error on that column."""
    rows = [["志愿丙", ident(803), "13800000803", "", "", "", "", "", "", "随时都行"]]
    job = run_import(world, rows, headers=VOLUNTEER_HEADERS, kind="volunteers", consent_confirmed=True, dry_run=True)
    assert job.error_rows == 1
    assert [(r, c) for r, c, _m in error_cells(job)] == [(2, "可服务时间")]


def test_english_headers_are_recognised(world):
    """A sheet exported in English (Name, ID card number ...) imports with the same columns."""
    headers = ["Name", "ID card number", "Mobile number", "Home address", "Unit code", "Household", "Group tags",
               "Guardian"]
    job = run_import(world, [["英文表头", ident(804), "13800000804", "", "", "", "", ""]], headers=headers)
    assert (job.created_count, job.error_rows) == (1, 0), job.message
