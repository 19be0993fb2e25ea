"""The import's speed-ups change nothing it stores or reports: worker + reader thread vs in process, the insert
parameters, the batched garbage collection, and the cheaper crypto calls (same format, same keys)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import os
import threading
import zipfile

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings as django_settings
from django.core.files.base import ContentFile

from gongzhi.core import crypto
from gongzhi.people import importing, services
from gongzhi.people.models import ImportStatus, Person, PersonChange

from .test_services_import import error_cells, make_xlsx, run_import, upload, valid_rows
from .test_services_import_workers import mixed_rows, outcome

STORED = ("name", "name_pinyin", "name_initials", "id_type", "id_number_digest", "id_number_masked", "birth_date",
          "sex", "phone_digest", "phone_masked", "phone_tail", "address_masked", "unit_id")


@pytest.fixture
def small_batches(monkeypatch):
    """Batches of 3 rows (a 12-row file has 4 batches and uses a worker and the reader thread); the reader runs
    ahead whenever it can, so the order of the importer's batches is really put to the test."""
    monkeypatch.setattr(importing, "BATCH_SIZE", 3)
    monkeypatch.setattr(importing, "_READ_AHEAD", 2)


def saved(names) -> list[tuple]:
    """Every stored column of the imported people, clear values decrypted (ciphertexts differ: random nonces)."""
    out = []
    for p in Person.objects.filter(name__in=names).select_related("household").order_by("name"):
        out.append((*(getattr(p, f) for f in STORED), p.id_number_clear(), p.phone_clear(), p.address_clear(),
                    p.household.label if p.household else None, sorted(t.code for t in p.tags.all()),
                    [(c.purpose, c.guardian_name) for c in p.consents.all()],
                    [(c.source, c.created, sorted(c.fields)) for c in p.changes.all()]))
    return out


def test_saving_through_worker_and_reader_thread_stores_what_the_serial_path_stores(world, settings, small_batches):
    """Real run, 12 rows with 8 deliberate errors: same counts, same per-row errors with their row numbers, and
    the same stored rows as with no worker (R-I1, R-P2, R-P3)."""
    names = [r[0] for r in mixed_rows(world) if r[0]]
    settings.IMPORT_WORKERS = 1
    parallel = run_import(world, mixed_rows(world))
    parallel_rows = saved(names)
    assert parallel.status == ImportStatus.DONE and (parallel.created_count, parallel.error_rows) == (4, 8)
    assert len(parallel_rows) == 4
    today = importing.clock.today()
    for p in Person.objects.filter(name__in=names):  # what the rules compute for the row, serially, in this process
        data = services.PersonInput(name=p.name, unit=p.unit, id_number=p.id_number_clear(), phone=p.phone_clear(),
                                    address=p.address_clear())
        values = services.derive_person_fields(data, today=today).values
        assert {f: getattr(p, f) for f in STORED if f in values} == {f: values[f] for f in STORED if f in values}
    settings.IMPORT_WORKERS = 0
    again = run_import(world, mixed_rows(world))  # the same file in process: everything is already there
    assert (again.created_count, again.updated_count, again.unchanged_count, again.error_rows) == (0, 0, 4, 8)
    assert sorted(error_cells(again)) == sorted(error_cells(parallel))
    assert saved(names) == parallel_rows


def test_worker_real_run_counts_and_errors_equal_the_serial_dry_run(world, settings, small_batches):
    """The same sheet saved through the worker and checked in process (dry run, before anything is saved): the
    same counts and per-row errors; the rows saved are the valid ones."""
    rows = valid_rows(10, start=500)
    rows[4][2] = "12345"        # bad phone, row 6
    rows[7][1] = rows[2][1]     # same ID as row 4, row 9
    settings.IMPORT_WORKERS = 0
    serial = run_import(world, rows, unit=world.community_a, dry_run=True)
    settings.IMPORT_WORKERS = 1
    parallel = run_import(world, rows, unit=world.community_a)
    assert outcome(parallel)[1:] == outcome(serial)[1:]
    assert sorted(error_cells(parallel)) == [(6, "手机号", "手机号码格式不正确"), (9, "身份证号", "与第 4 行的身份证号码重复")]
    names = [r[0] for r in rows]
    stored = saved(names)
    assert len(stored) == 8
    for row in stored:
        assert row[STORED.index("unit_id")] == world.community_a.pk


def test_strict_mode_through_the_worker_saves_nothing_when_one_row_fails(world, settings, small_batches):
    """Strict mode with a worker and the reader thread: one bad row in the last batch → nothing saved at all."""
    settings.IMPORT_WORKERS = 1
    before = Person.objects.count()
    rows = valid_rows(11, start=700)
    rows[10][2] = "10086"
    job = run_import(world, rows, strict=True)
    assert (job.status, job.created_count, job.error_rows) == (ImportStatus.DONE, 0, 1)
    assert error_cells(job) == [(12, "手机号", "手机号码格式不正确")]
    assert Person.objects.count() == before
    rows[10][2] = "13800007010"
    job = run_import(world, rows, strict=True)
    assert (job.created_count, job.error_rows) == (11, 0)
    assert Person.objects.count() == before + 11


def test_a_failing_batch_write_stops_the_reader_and_keeps_earlier_batches(world, settings, small_batches,
                                                                           monkeypatch):
    """A write that fails mid-file fails the job; batches committed before it stay (as without a worker), and the
    reader thread is gone when the job returns (it never touches the closed workbook)."""
    settings.IMPORT_WORKERS = 1
    _third_write_fails(monkeypatch)
    job = run_import(world, valid_rows(12, start=800))
    assert job.status == ImportStatus.FAILED
    assert Person.objects.filter(name__in=[r[0] for r in valid_rows(12, start=800)]).count() == 6
    assert not [t for t in threading.enumerate() if t.name == "import-reader"]


def test_the_run_inspects_the_stored_file_again_only_when_its_bytes_changed_since_the_upload(world, monkeypatch):
    """The upload guard (core.uploads.xlsx_inspect) runs once at upload; the job's run skips it for the same bytes
    (recorded as their SHA-256) and runs it again for a stored file that changed — here into a zip bomb, which the
    run refuses like an upload (R-I1: a clear failure, nothing saved)."""
    inspected = []
    real = importing.uploads.xlsx_inspect
    monkeypatch.setattr(importing.uploads, "xlsx_inspect", lambda fh, **kw: inspected.append(1) or real(fh, **kw))
    data = make_xlsx(valid_rows(4, start=950))
    job = importing.import_job_create(actor=world.user("community"), kind="people", unit=world.community_a,
                                      upload=upload(data))
    assert job.file_sha256 == hashlib.sha256(data).hexdigest() and len(inspected) == 1
    importing.import_job_start(job=job)
    job.refresh_from_db()
    assert (job.status, job.created_count, len(inspected)) == (ImportStatus.DONE, 4, 1)

    changed = importing.import_job_create(actor=world.user("community"), kind="people", unit=world.community_a,
                                          upload=upload(make_xlsx(valid_rows(4, start=960))))
    storage, name = changed.file.storage, changed.file.name  # what it holds now is not what was inspected
    storage.delete(name)
    assert storage.save(name, ContentFile(_zip_bomb())) == name
    before = Person.objects.count()
    importing.import_job_start(job=changed)
    changed.refresh_from_db()
    assert len(inspected) == 3 and changed.status == ImportStatus.FAILED
    assert Person.objects.count() == before


def _zip_bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"<c>" + b" " * (64 << 20))
    return buf.getvalue()


@pytest.mark.parametrize("strict", [False, True])
def test_a_job_that_fails_mid_file_leaves_no_error_report_temp_file(world, settings, small_batches, monkeypatch,
                                                                    tmp_path, strict):
    """Row 2 is bad, so the error report's temp file exists when the third batch's write fails; the failed job
    keeps no report and the file is gone (in strict mode the validating pass's report is dropped with the job)."""
    monkeypatch.setattr(importing.tempfile, "tempdir", str(tmp_path))
    settings.IMPORT_WORKERS = 0
    calls = _third_write_fails(monkeypatch)
    rows = valid_rows(12, start=900)
    rows[0][2] = "10086"
    if strict:  # strict mode validates the whole file first: its report is made, then the saving pass fails
        monkeypatch.setattr(importing, "_run_pass", _failing_second_pass(importing._run_pass))
    job = run_import(world, rows, strict=strict)
    assert job.status == ImportStatus.FAILED and not job.error_report
    assert calls or strict
    assert list(tmp_path.glob("gongzhi-import-errors-*")) == []


def _third_write_fails(monkeypatch) -> list[int]:
    """The importer's third batch write raises (a full disk); returns the sizes of the writes attempted."""
    calls: list[int] = []
    write = importing.Importer._write

    def failing(self, rows):
        calls.append(len(rows))
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return write(self, rows)

    monkeypatch.setattr(importing.Importer, "_write", failing)
    return calls


def _failing_second_pass(run_pass):
    def wrapped(job, *, save, report, progress):
        if save:
            raise RuntimeError("connection lost")
        counts, path = run_pass(job, save=save, report=report, progress=progress)
        counts.errors = 0  # as if the bad row had passed: the saving pass runs
        assert path is not None
        return counts, path
    return wrapped


def test_read_ahead_keeps_the_order_and_raises_where_the_reader_failed():
    """Items arrive in order; an exception in the reader thread is raised after the items before it."""
    def items(fail_at=None):
        for i in range(1, 8):
            if i == fail_at:
                raise ValueError("bad sheet")
            yield i

    assert list(importing._read_ahead(items(), first=0)) == list(range(8))
    got = []
    with pytest.raises(ValueError, match="bad sheet"):
        for i in importing._read_ahead(items(fail_at=5), first=0):
            got.append(i)
    assert got == [0, 1, 2, 3, 4]
    assert list(importing._read_ahead(items(), first=None)) == []


def test_closing_read_ahead_early_stops_the_reader_thread():
    """The importer stopping after two items: the reader (blocked on a full hand-off) ends and is joined."""
    produced = []

    def items():
        for i in range(1000):
            produced.append(i)
            yield i

    gen = importing._read_ahead(items(), first=-1)
    assert [next(gen), next(gen)] == [-1, 0]
    gen.close()
    assert not [t for t in threading.enumerate() if t.name == "import-reader"]
    assert len(produced) <= 2 + importing._READ_AHEAD + 1


def test_garbage_is_collected_every_few_batches(monkeypatch):
    """The per-batch hook collects every GC_EVERY_BATCHES calls, and the collector is restored afterwards."""
    collected = []
    monkeypatch.setattr(importing.gc, "collect", lambda *a: collected.append(1) or 0)
    monkeypatch.setattr(importing, "GC_EVERY_BATCHES", 3)
    enabled = importing.gc.isenabled()
    with importing._batch_gc() as collect:
        assert not importing.gc.isenabled()
        for _ in range(7):
            collect()
    assert len(collected) == 2
    assert importing.gc.isenabled() == enabled


def test_inserter_parameters_follow_defaults_row_values_and_constants(world):
    """Missing keys take the field default (a fresh list for JSON), constants (adapted once) win over the row,
    JSON is serialised per value, also when rows share one list object."""
    from gongzhi.people.importing import _inserter

    person = Person.objects.create(name="参数", unit=world.community_a, name_pinyin="canshu", name_initials="cs")
    shared = ["name", "phone"]
    ins = _inserter(PersonChange)
    actor = world.user("community")
    rows = [{"person_id": person.pk, "fields": shared, "created": True},
            {"person_id": person.pk, "fields": shared},
            {"person_id": person.pk, "fields": ["tags"], "source": "ignored: the constant wins"},
            {"person_id": person.pk}]
    ins.run(rows, actor_id=actor.pk, source="import", at=importing.clock.now())
    got = list(PersonChange.objects.filter(person=person).order_by("pk").values_list("fields", "created", "source",
                                                                                     "actor_id"))
    assert got == [(["name", "phone"], True, "import", actor.pk), (["name", "phone"], False, "import", actor.pk),
                   (["tags"], False, "import", actor.pk), ([], False, "import", actor.pk)]
    assert all(c.at is not None for c in PersonChange.objects.filter(person=person))


def _reference_keys(master: str) -> tuple[bytes, bytes]:
    raw = master.encode()
    return (hashlib.sha256(b"gongzhi-field-encryption|" + raw).digest(),
            hashlib.sha256(b"gongzhi-field-digest|" + raw).digest())


def test_digest_is_the_plain_hmac_of_the_value():
    """R-P3: the keyed digest from the pre-keyed HMAC copy equals HMAC-SHA256 keyed per call, so stored digests
    still match (and a changed key gives other digests)."""
    _enc, mac = _reference_keys(django_settings.FIELD_ENCRYPTION_KEY)
    for value in ("13800000001", "resident_id:370117197503090012", "钢城区永兴路1号", "x" * 500):
        assert crypto.digest(value) == hmac.new(mac, value.encode(), hashlib.sha256).hexdigest()
    assert crypto.digest("") == ""


def test_encrypted_values_keep_the_v1_format_and_old_tokens_still_decrypt(settings):
    """R-P3: v1:<urlsafe base64 of nonce + AES-GCM ciphertext>, readable with the derived key; a token written
    the old way (urlsafe_b64encode) decrypts too."""
    enc, _mac = _reference_keys(settings.FIELD_ENCRYPTION_KEY)
    for value in ("370117197503090012", "钢城区永兴路1号101室", "?>>>~~~" * 40):
        token = crypto.encrypt(value)
        version, _, payload = token.partition(":")
        blob = base64.urlsafe_b64decode(payload)
        assert version == "v1" and "+" not in payload and "/" not in payload
        assert AESGCM(enc).decrypt(blob[:12], blob[12:], None).decode() == value
        assert crypto.decrypt(token) == value
        nonce = os.urandom(12)
        old = "v1:" + base64.urlsafe_b64encode(nonce + AESGCM(enc).encrypt(nonce, value.encode(), None)).decode()
        assert crypto.decrypt(old) == value
    assert crypto.encrypt("") == ""
