"""xlsx import with worker processes: the same errors, counts and saved rows as without them."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from gongzhi.core import crypto
from gongzhi.people import importing, services
from gongzhi.people.models import IdType, ImportStatus, Person
from gongzhi.people.pinyin import pinyin_keys

from .test_services_import import error_cells, ident, run_import


class CountingPool(importing.ProcessPoolExecutor):
    submitted = 0

    def submit(self, *args, **kwargs):
        CountingPool.submitted += 1
        return super().submit(*args, **kwargs)


@pytest.fixture
def small_batches(monkeypatch):
    """Batches of 3 rows, so a 12-row file has 4 batches and uses the workers."""
    monkeypatch.setattr(importing, "BATCH_SIZE", 3)
    monkeypatch.setattr(importing, "ProcessPoolExecutor", CountingPool)
    CountingPool.submitted = 0


def mixed_rows(world) -> list[list]:
    bad_checksum = ident(401)[:-1] + ("0" if ident(401)[-1] != "0" else "1")
    child = importing_child_id()
    return [
        ["曾好人", ident(400), "13800000400", "钢城区永兴路1号", "", "1号楼", "党员", ""],   # row 2: valid
        ["错号", bad_checksum, "13800000401", "", "", "", "", ""],                        # row 3: checksum (R-I1)
        ["错电话", ident(402), "12345", "", "", "", "", ""],                                # row 4: phone
        ["错标签", ident(403), "", "", "", "", "党员、火星人", ""],                           # row 5: tag
        ["外区", ident(404), "", "", world.community_b.code, "", "", ""],                  # row 6: unit out of scope
        ["", ident(405), "13800000405", "", "", "", "", ""],                              # row 7: no name
        ["多错", bad_checksum, "999", "", "", "", "", ""],                                 # row 8: two errors
        ["单小明", ident(406), "13800000406", "", "", "", "", ""],                          # row 9: valid
        ["重复", ident(406), "13800000407", "", "", "", "", ""],                            # row 10: same ID as row 9
        ["小孩", child, "", "", "", "", "", ""],                                            # row 11: child, no guardian
        ["小孩二", importing_child_id(7), "", "", "", "", "", "张监护"],                      # row 12: child + guardian
        ["John Smith", "", "13800000409", "", "", "", "", ""],                              # row 13: valid, no ID
    ]


def importing_child_id(seq: int = 5) -> str:
    return ident(seq, dt.date.today().replace(year=dt.date.today().year - 6, day=1))


def outcome(job) -> tuple:
    return (job.status, job.created_count, job.updated_count, job.unchanged_count, job.error_rows,
            job.processed_rows, sorted(error_cells(job)))


def test_dry_run_with_workers_reports_exactly_what_the_in_process_path_reports(world, settings, small_batches):
    """Per-row, per-column errors and counts are identical with 1 worker and with 0 (R-I1, R-P2)."""
    settings.IMPORT_WORKERS = 1
    with_workers = run_import(world, mixed_rows(world), dry_run=True)
    assert CountingPool.submitted == 4
    settings.IMPORT_WORKERS = 0
    in_process = run_import(world, mixed_rows(world), dry_run=True)
    assert CountingPool.submitted == 4  # no pool the second time
    assert outcome(with_workers) == outcome(in_process)
    assert with_workers.error_rows == 8
    by_row = {}
    for row, column, message in error_cells(with_workers):
        by_row.setdefault(row, []).append((column, message))
    assert by_row[3] == [("身份证号", "身份证号码校验位错误")]
    assert by_row[4] == [("手机号", "手机号码格式不正确")]
    assert sorted(c for c, _m in by_row[8]) == ["手机号", "身份证号"]
    assert by_row[10] == [("身份证号", "与第 9 行的身份证号码重复")]
    assert by_row[11][0][0] == "监护人"


def test_rows_saved_through_workers_hold_the_derived_fields(world, settings, small_batches):
    """Saved through a worker: encrypted ID and phone, digests, masks, pinyin with the surname reading, birth date."""
    settings.IMPORT_WORKERS = 1
    job = run_import(world, mixed_rows(world))
    assert CountingPool.submitted == 4
    assert (job.status, job.created_count, job.error_rows) == (ImportStatus.DONE, 4, 8)
    zeng = Person.objects.get(name="曾好人")
    assert crypto.decrypt(zeng.id_number_enc) == ident(400)
    assert zeng.id_number_digest == services.id_digest(IdType.RESIDENT_ID, ident(400))
    assert (zeng.name_pinyin, zeng.name_initials) == ("zenghaoren", "zhr") == pinyin_keys("曾好人")
    assert zeng.phone_masked == "138****0400" and crypto.decrypt(zeng.phone_enc) == "13800000400"
    assert zeng.unit == world.community_a and zeng.household.label == "1号楼"
    assert zeng.birth_date == dt.date(1975, 3, 9) and zeng.sex in ("M", "F")
    assert [t.name for t in zeng.tags.all()] == ["党员"]
    assert Person.objects.get(name="单小明").name_pinyin == "shanxiaoming"
    assert Person.objects.get(name="John Smith").id_number_digest is None
    assert Person.objects.get(name="小孩二").consents.get().guardian_name == "张监护"  # R-P2
    again = run_import(world, mixed_rows(world))
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 4)


def _dying_worker(inputs, today):
    os._exit(1)


def test_a_worker_that_dies_leaves_the_rows_to_the_importer(world, settings, small_batches, monkeypatch):
    """If the worker process dies, the importer derives the rows itself: same result, the job still finishes."""
    settings.IMPORT_WORKERS = 1
    monkeypatch.setattr(importing, "derive_batch", _dying_worker)
    job = run_import(world, mixed_rows(world), dry_run=True)
    settings.IMPORT_WORKERS = 0
    in_process = run_import(world, mixed_rows(world), dry_run=True)
    assert outcome(job) == outcome(in_process)


def test_one_batch_files_and_zero_workers_use_no_pool(world, settings, small_batches):
    """No worker is forked for a file of one batch, nor with IMPORT_WORKERS = 0."""
    settings.IMPORT_WORKERS = 2
    assert importing._worker_count(3) == 0
    assert importing._worker_count(4) == 2
    settings.IMPORT_WORKERS = 0
    assert importing._worker_count(10_000) == 0
    job = run_import(world, mixed_rows(world)[:1])
    assert (job.created_count, CountingPool.submitted) == (1, 0)


def test_imports_off_the_main_thread_fork_no_worker(world, settings, small_batches):
    """A web process's background import thread derives in process: forking beside other threads is unsafe."""
    import threading

    settings.IMPORT_WORKERS = 1
    seen = []
    t = threading.Thread(target=lambda: seen.append(importing._worker_count(10_000)))
    t.start()
    t.join()
    assert seen == [0]
    assert importing._worker_count(10_000) == 1
