"""Import benchmark: ``python -m bench import [--rows 100000] [--sizes 25000,50000] [--database-url URL]``.

In one run, on one generated people sheet:

(a) python-calamine bare parse — open the file and walk every row (the limit for any import);
(b) openpyxl read-only parse of the same file (the usual choice);
(c) the full gongzhi import (every row validated with people.services' rules, saved in batches) on a fresh,
    migrated database — SQLite under a temp dir by default — then the same file re-imported (all unchanged);

and, for memory, the import run on files of several sizes, each in its own subprocess, reporting peak RSS
(``resource.getrusage``) beside the peak of a bare calamine parse of the same file. Results go to stdout and to
``bench/RESULTS.md``. ``--profile`` prints a cProfile of the import. ``generate`` only writes a sheet.

"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from . import machine
from .generate import home_codes
from .results import PATH, summary_add, write_section

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def _django(var_dir: str, database_url: str | None) -> None:
    os.environ["GONGZHI_VAR_DIR"] = var_dir
    os.environ["GONGZHI_MEDIA_ROOT"] = os.path.join(var_dir, "media")
    os.environ["DJANGO_SETTINGS_MODULE"] = "gongzhi.settings.base"
    os.environ["LOG_LEVEL"] = "WARNING"
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()


def _peak_rss_mb() -> float:
    """Peak RSS of this process. On Linux ``ru_maxrss`` is inherited across fork + exec (a child reports at least
    its parent's peak), so the kernel's per-process high-water mark VmHWM is read when available."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB; macOS: bytes


def _cpu_seconds() -> float:
    """CPU time (user + system) of this process and its finished children (the import's worker processes, reaped
    when the import ends): unlike wall time, not inflated by other load on the machine."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime + children.ru_utime + children.ru_stime


# --- parsers ---------------------------------------------------------------------------------------------


def parse_calamine(path: str) -> int:
    import python_calamine

    book = python_calamine.CalamineWorkbook.from_path(path)
    n = 0
    for row in book.get_sheet_by_index(0).iter_rows():
        if row[0]:
            n += 1
    book.close()
    return n - 1


def parse_openpyxl(path: str) -> int:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    n = 0
    for row in book.worksheets[0].iter_rows(values_only=True):
        if row[0]:
            n += 1
    book.close()
    return n - 1


# --- child processes -------------------------------------------------------------------------------------


def _bench_world():
    """The district scale's org tree and its administrator, from the scale-data generator (``gongzhi.seed``)."""
    from gongzhi.accounts.models import User
    from gongzhi.org.models import Unit
    from gongzhi.seed import scales
    from gongzhi.seed.runner import run

    report = run(scales.get("district"), kinds=["org"], derived=False, log=lambda _m: None)
    return Unit.objects.get(pk=report.world.root.id), User.objects.get(pk=report.world.admin_id)


def child_import(path: str, rows: int, profile: bool, reimport: bool, stages: bool = False,
                 workers: int | None = None) -> dict:
    from django.conf import settings
    from django.core.files import File
    from django.core.management import call_command
    from django.db import connection

    from gongzhi.people import importing
    from gongzhi.people.importing import import_job_run
    from gongzhi.people.models import Person

    if stages:  # the counters live in this process; a worker's derive_person_fields would not be counted
        workers = 0
    if workers is not None:
        settings.IMPORT_WORKERS = workers
    used_workers = importing._worker_count(rows)
    call_command("migrate", verbosity=0)
    district, user = _bench_world()
    rss_ready = _peak_rss_mb()
    spent = None
    if stages:
        from .stages import instrument

        spent = instrument()

    # a bigger sheet than the upload limit allows is still a fair test of the import
    settings.IMPORT_MAX_UPLOAD_BYTES = max(settings.IMPORT_MAX_UPLOAD_BYTES, os.path.getsize(path))

    def new_job():
        """As the upload page makes it (the upload guard runs here, once, before the timed run)."""
        with open(path, "rb") as fh:
            return importing.import_job_create(actor=user, kind="people", unit=district,
                                               upload=File(fh, name=os.path.basename(path)))

    floor_db = _sqlite_snapshot() if connection.vendor == "sqlite" and not stages else None
    job = new_job()
    backend = _backend_pid(connection)
    started, cpu, db_cpu = time.perf_counter(), _cpu_seconds(), machine.proc_cpu(backend)
    if profile:
        import cProfile
        import pstats

        prof = cProfile.Profile()
        prof.enable()
        job = import_job_run(job=job)
        prof.disable()
    else:
        job = import_job_run(job=job)
    seconds, cpu, db_cpu = time.perf_counter() - started, _cpu_seconds() - cpu, machine.proc_cpu(backend) - db_cpu
    out = {"rows": rows, "seconds": seconds, "cpu_seconds": cpu, "db_cpu_seconds": db_cpu,
           "status": job.status, "message": job.message,
           "created": job.created_count, "errors": job.error_rows, "people": Person.objects.count(),
           "rss_ready_mb": rss_ready, "rss_peak_mb": _peak_rss_mb(), "vendor": connection.vendor,
           "workers": used_workers, "batch_size": importing.BATCH_SIZE,
           # ru_maxrss of the reaped workers: forked from the importer, so it counts the pages they share with it
           "worker_rss_peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024 if used_workers else 0}
    if floor_db is not None:
        out["write_floor"] = sqlite_write_floor(connection.settings_dict["NAME"], floor_db, importing.BATCH_SIZE)
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(floor_db + suffix):
                os.unlink(floor_db + suffix)
    if spent is not None:
        from .stages import report

        out["stages"] = report(spent, rows, cpu)
    if profile:
        stats = pstats.Stats(prof, stream=sys.stderr).sort_stats("tottime")
        stats.print_stats(25)
        pstats.Stats(prof, stream=sys.stderr).sort_stats("cumulative").print_stats(30)
    if reimport:
        again = new_job()
        backend = _backend_pid(connection)
        started, cpu, db_cpu = time.perf_counter(), _cpu_seconds(), machine.proc_cpu(backend)
        again = import_job_run(job=again)
        out["reimport_seconds"] = time.perf_counter() - started
        out["reimport_cpu_seconds"] = _cpu_seconds() - cpu
        out["reimport_db_cpu_seconds"] = machine.proc_cpu(backend) - db_cpu
        out["reimport_unchanged"] = again.unchanged_count
    return out


def _backend_pid(connection) -> int | None:
    """The PostgreSQL server process serving this connection (the server runs on this machine: loopback)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


# The tables an import of new people writes, in the order it writes them (people_household first: people refer to it).
FLOOR_TABLES = ("people_household", "people_person", "people_person_tags", "people_personchange")


def _sqlite_snapshot() -> str:
    """A copy of the migrated database as it is before the import (schema, org tree, accounts), by SQLite's online
    backup API: the write floor inserts the imported rows into it."""
    import sqlite3

    from django.db import connection

    connection.ensure_connection()
    path = connection.settings_dict["NAME"] + ".floor"
    target = sqlite3.connect(path)
    try:
        connection.connection.backup(target)
    finally:
        target.close()
    return path


def sqlite_write_floor(imported: str, empty: str, batch_size: int) -> dict:
    """The rows the import wrote, inserted again by bare ``sqlite3`` into the pre-import copy: one ``executemany``
    per table and batch, a commit per batch, the connection set up as Django's (WAL, synchronous=NORMAL, foreign
    keys on, the import's 32 MB page cache). No Python beyond handing over ready tuples: what writing these rows
    costs SQLite itself on this machine, the least any importer of them could spend."""
    import sqlite3

    from gongzhi.people.importing import SQLITE_IMPORT_CACHE_KIB

    src = sqlite3.connect(imported)
    sql, rows, position = {}, {}, {}
    for table in FLOOR_TABLES:
        cols = [r[1] for r in src.execute(f'PRAGMA table_info("{table}")')]
        sql[table] = f'INSERT INTO "{table}" ({", ".join(cols)}) VALUES ({", ".join("?" * len(cols))})'
        rows[table] = src.execute(f'SELECT {", ".join(cols)} FROM "{table}" ORDER BY id').fetchall()
        position[table] = {c: i for i, c in enumerate(cols)}
    src.close()
    households = {r[0]: r for r in rows["people_household"]}
    household_at = position["people_person"]["household_id"]
    owned = {}  # person id → its tag links and change records, so each batch carries its own people's rows
    for table in FLOOR_TABLES[2:]:
        at = position[table]["person_id"]
        for r in rows[table]:
            owned.setdefault(r[at], {}).setdefault(table, []).append(r)
    batches, seen = [], set()
    people = rows["people_person"]
    for start in range(0, len(people), batch_size):
        chunk = people[start:start + batch_size]
        new_households = []
        for r in chunk:
            h = r[household_at]
            if h is not None and h not in seen:
                seen.add(h)
                new_households.append(households[h])
        batch = [(sql["people_household"], new_households), (sql["people_person"], chunk)]
        batch += [(sql[t], [x for r in chunk for x in owned.get(r[0], {}).get(t, ())]) for t in FLOOR_TABLES[2:]]
        batches.append(batch)
    dst = sqlite3.connect(empty, isolation_level=None)
    dst.executescript("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
                      f"PRAGMA cache_size=-{SQLITE_IMPORT_CACHE_KIB};")
    started, cpu = time.perf_counter(), time.process_time()
    for batch in batches:
        dst.execute("BEGIN")
        for statement, values in batch:
            dst.executemany(statement, values)
        dst.execute("COMMIT")
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    written = dst.execute('SELECT COUNT(*) FROM "people_person"').fetchone()[0]
    dst.close()
    if written != len(people):
        raise SystemExit(f"write floor: {written} people written, {len(people)} expected")
    return {"seconds": seconds, "cpu_seconds": cpu}


def child_parse(path: str) -> dict:
    started = time.perf_counter()
    n = parse_calamine(path)
    return {"rows": n, "seconds": time.perf_counter() - started, "rss_peak_mb": _peak_rss_mb()}


def _timed(fn, path: str) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of ``fn(path)``."""
    started, cpu = time.perf_counter(), _cpu_seconds()
    fn(path)
    return time.perf_counter() - started, _cpu_seconds() - cpu


def _fresh_database(url: str | None, tag: str):
    """For PostgreSQL: create a throwaway database on the given server; returns (url, drop callback)."""
    if not url:
        return None, lambda: None
    import dj_database_url
    import psycopg

    cfg = dj_database_url.parse(url)
    name = f"gongzhi_bench_{os.getpid()}_{tag}"
    admin = dict(host=cfg["HOST"] or None, port=cfg["PORT"] or None, user=cfg["USER"] or None,
                 password=cfg["PASSWORD"] or None, dbname=cfg["NAME"], autocommit=True)
    with psycopg.connect(**admin) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with psycopg.connect(**admin) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')

    base, _slash, _db = url.rpartition("/")
    query = ""
    if "?" in _db:
        query = "?" + _db.split("?", 1)[1]
    return f"{base}/{name}{query}", drop


def run_child(args: list[str], database_url: str | None, tag: str) -> dict:
    url, drop = _fresh_database(database_url, tag)
    try:
        cmd = [sys.executable, "-m", "bench", "_child", *args]
        if url:
            cmd += ["--database-url", url]
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
        if done.returncode:
            sys.stderr.write(done.stderr)
            raise SystemExit(f"bench child failed: {' '.join(args)}")
        if done.stderr.strip():
            sys.stderr.write(done.stderr)
        return json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        drop()


# --- the run ---------------------------------------------------------------------------------------------


def bench_import(opts) -> None:
    from .generate import write_people_xlsx

    rows = opts.rows
    sizes = sorted({int(s) for s in opts.sizes.split(",") if s} | {rows}) if opts.sizes else [rows]
    tmp = tempfile.mkdtemp(prefix="gongzhi-bench-")
    files = {}
    print(f"generating sheets in {tmp} ...", flush=True)
    for n in sizes:
        path = os.path.join(tmp, f"people-{n}.xlsx")
        started = time.perf_counter()
        write_people_xlsx(path, n)
        files[n] = path
        mb = os.path.getsize(path) / 1e6
        print(f"  {n:>7} rows  {mb:6.1f} MB  written in {time.perf_counter() - started:5.1f} s", flush=True)
    path = files[rows]

    # Subprocesses first, while this process is still small (see _peak_rss_mb).
    results = {}
    for n in sizes:
        tag = str(n)
        flags = ["import", files[n], str(n)] + (["--reimport"] if n == rows else [])
        if opts.workers is not None:
            flags += ["--workers", str(opts.workers)]
        if opts.profile and n == rows:
            flags.append("--profile")
        results[n] = run_child(flags, opts.database_url, tag)
        results[n]["parse"] = run_child(["parse", files[n], str(n)], None, tag + "p")
        r = results[n]
        if r["status"] != "done" or r["created"] != n or r["errors"]:
            raise SystemExit(f"import of {n} rows did not complete: {r}")
        print(f"    import {n:>7} rows  {n / r['seconds']:>10,.0f} rows/s  ({r['seconds']:.2f} s wall, "
              f"{r['cpu_seconds']:.2f} s CPU)  peak RSS {r['rss_peak_mb']:.0f} MB (after set-up "
              f"{r['rss_ready_mb']:.0f} MB; bare calamine parse {r['parse']['rss_peak_mb']:.0f} MB; "
              f"{r['workers']} worker(s), {r['worker_rss_peak_mb']:.0f} MB)", flush=True)
    stages = None
    if not opts.no_stages:
        stages = run_child(["import", files[rows], str(rows), "--stages"], opts.database_url, "stages")
        print(f"    stage breakdown measured on a separate {rows}-row import", flush=True)

    assert parse_calamine(path) == rows and parse_openpyxl(files[sizes[0]]) == sizes[0]
    calamine = min((_timed(parse_calamine, path) for _ in range(3)), key=lambda t: t[0])
    print(f"(a) calamine parse      {rows / calamine[0]:>10,.0f} rows/s  ({calamine[0]:.2f} s)", flush=True)
    openpyxl = _timed(parse_openpyxl, path)
    print(f"(b) openpyxl read-only  {rows / openpyxl[0]:>10,.0f} rows/s  ({openpyxl[0]:.2f} s)", flush=True)
    main = results[rows]
    db_cpu = (f", {main['db_cpu_seconds']:.2f} s PostgreSQL CPU" if main["vendor"] == "postgresql" else "")
    print(f"(c) full import         {rows / main['seconds']:>10,.0f} rows/s  ({main['seconds']:.2f} s, "
          f"{main['vendor']}; {main['cpu_seconds']:.2f} s CPU{db_cpu})")
    db_cpu = (f", {main['reimport_db_cpu_seconds']:.2f} s PostgreSQL CPU" if main["vendor"] == "postgresql" else "")
    print(f"    re-import unchanged {rows / main['reimport_seconds']:>10,.0f} rows/s  "
          f"({main['reimport_seconds']:.2f} s; {main['reimport_cpu_seconds']:.2f} s CPU{db_cpu})")
    if main.get("write_floor"):
        floor = main["write_floor"]
        print(f"(d) bare sqlite3 writes {rows / floor['seconds']:>10,.0f} rows/s  ({floor['seconds']:.2f} s, "
              f"{floor['cpu_seconds']:.2f} s CPU)")
    report = {
        "rows": rows, "calamine": calamine, "openpyxl": openpyxl, "results": results,
        "database": main["vendor"], "file_mb": os.path.getsize(path) / 1e6, "load": os.getloadavg(),
        "stages": stages,
    }
    text = render_results(report)
    print()
    print(text)
    rate = rows / main["seconds"]
    floor_note = floor_ratio = ""
    if main.get("write_floor"):
        floor_rate = rows / main["write_floor"]["seconds"]
        floor_note = f"; bare sqlite3 writes of the same rows {floor_rate:,.0f} rows/s"
        floor_ratio = f", {rate / floor_rate:.2f}× the write floor"
    summary_add(benchmark=f"xlsx import, {rows:,} rows ({main['vendor']})",
                figure=f"{rate:,.0f} rows/s ({rows / main['cpu_seconds']:,.0f} per CPU-second)",
                goal="≥ 20,000 rows/s", baseline=f"calamine parse {rows / calamine[0]:,.0f} rows/s; openpyxl "
                f"{rows / openpyxl[0]:,.0f} rows/s" + floor_note, ratio=f"{rate / (rows / calamine[0]):.2f}× calamine, "
                f"{rate / (rows / openpyxl[0]):.2f}× openpyxl" + floor_ratio, met=rate >= 20_000)
    if not opts.no_write:
        path = Path(opts.results) if opts.results else PATH
        write_section(text, path)  # the other benchmarks' sections stay
        write_section(machine.section(), path, first=True)
        print(f"written to {path}")
    for p in files.values():
        os.unlink(p)
    os.rmdir(tmp)


def render_results(r: dict) -> str:
    rows = r["rows"]
    main = r["results"][rows]
    steps = [
        ("(a) python-calamine bare parse (the limit)", r["calamine"][0], r["calamine"][1]),
        ("(b) openpyxl read-only parse (the usual choice)", r["openpyxl"][0], r["openpyxl"][1]),
        ("(c) gongzhi import: validate + save every row", main["seconds"], main["cpu_seconds"]),
        ("(c′) re-import of the same file (all unchanged)", main["reimport_seconds"], main["reimport_cpu_seconds"]),
    ]
    floor = main.get("write_floor")
    if floor:
        steps.append(("(d) bare sqlite3 writes of the rows (c) saved (the write floor)", floor["seconds"],
                      floor["cpu_seconds"]))
    cal, opx = rows / r["calamine"][0], rows / r["openpyxl"][0]
    database = ("SQLite (embedded default: WAL, fresh and migrated, in a temp dir)" if r["database"] == "sqlite"
                else "PostgreSQL (a throwaway database on a loopback server; new rows go in by COPY with ids drawn "
                     "from the table's sequence)")
    lines = [
        "# Import benchmark",
        "",
        f"`python -m bench import --rows {rows}`: one generated people sheet ({rows:,} rows, 7 columns, "
        f"{r['file_mb']:.1f} MB: synthetic valid-checksum ID numbers, Chinese names, phones, addresses, unit codes "
        f"of the {len(home_codes()):,} communities, villages and grids of the district scale's tree (`gongzhi seed`), "
        f"tags on a quarter of the rows). Database: {database}. "
        "The job is made as the upload page makes it (`people.importing.import_job_create`: size limit, the "
        "upload guard `core.uploads.xlsx_inspect`, the file stored with its SHA-256) and then timed as it runs in "
        "a subprocess as the district admin, exactly as a web upload's job would (`people.importing."
        "import_job_run`: the stored file is inspected again only if its bytes changed since), in batches "
        f"of {main['batch_size']:,} rows, with "
        f"{main['workers']} worker process(es) (`IMPORT_WORKERS`) deriving the next batch's fields "
        "(name, ID checks, pinyin, encryption, digests, masks) and, with workers, a reader thread parsing the "
        "batch after while the importer checks units, tags and duplicates and writes the current batch (SQLite "
        "releases the GIL while it works). CPU seconds include the workers'.",
        "",
        "| step | rows/s (wall) | seconds | rows/s per CPU-second | vs. calamine | vs. openpyxl |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for label, wall, cpu in steps:
        rate = rows / wall
        lines.append(f"| {label} | {rate:,.0f} | {wall:.2f} | {rows / cpu:,.0f} | {rate / cal:.2f} | "
                     f"{rate / opx:.2f} |")
    lines += [
        "",
        f"calamine parses {cal / opx:.1f}× faster than openpyxl read-only. Goal for (c): ≥ 20,000 rows/s.",
        *([f"(d) inserts the very rows (c) saved (people, households, tag links, change records) into a copy of "
           "the database taken before the import, by bare `sqlite3` (one `executemany` per table and batch of "
           f"{main['batch_size']:,}, a commit per batch, Django's connection settings): "
           f"{floor['cpu_seconds'] / rows * 1e6:.0f} µs of CPU per row for SQLite's own work, so no importer "
           f"writing these rows through one SQLite connection can pass {rows / floor['cpu_seconds']:,.0f} rows per "
           f"CPU-second on this machine; (c) spends {main['cpu_seconds'] / rows * 1e6:.0f} µs per row in all "
           f"(workers included) and runs at {rows / main['seconds'] / (rows / floor['seconds']):.2f}× the floor's "
           "wall-clock rate."] if floor else []),
        *([f"PostgreSQL's own CPU (the server process serving the import's connection, read from /proc): "
           f"{main['db_cpu_seconds']:.2f} s for (c), {main['db_cpu_seconds'] / rows * 1e6:.0f} µs per row; "
           f"{main['reimport_db_cpu_seconds']:.2f} s for (c′). The rows per CPU-second above count the importer's "
           "processes only."] if r["database"] == "postgresql" else []),
        f"Load average while running: {', '.join(f'{x:.2f}' for x in r['load'])} (wall-clock rates suffer when "
        "other processes share the cores; the CPU-second rate does not).",
        "",
        "## Memory: peak RSS of one subprocess per file size",
        "",
        "| rows | import rows/s | peak RSS, import | after Django set-up + migrate | import − set-up "
        "| peak RSS, worker process | peak RSS, bare calamine parse (fresh Python) |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for n in sorted(r["results"]):
        x = r["results"][n]
        worker = f"{x['worker_rss_peak_mb']:.0f} MB" if x.get("workers") else "–"
        lines.append(f"| {n:,} | {n / x['seconds']:,.0f} | {x['rss_peak_mb']:.0f} MB | {x['rss_ready_mb']:.0f} MB | "
                     f"{x['rss_peak_mb'] - x['rss_ready_mb']:.0f} MB | {worker} | "
                     f"{x['parse']['rss_peak_mb']:.0f} MB |")
    lines += [
        "",
        "Peak RSS is the kernel's high-water mark (VmHWM) of each subprocess; `getrusage().ru_maxrss` is not used "
        "because Linux carries it over from the parent across fork + exec. What grows with the file: "
        "python-calamine parses the whole sheet into a Rust-side range before the first row is handed out (it has "
        "no lazy reader; see the bare-parse column), about 100 bytes per row for in-file duplicate detection, and "
        "the page cache of the import's SQLite connection (capped at 32 MB). Rows themselves are handled "
        f"{main['batch_size']:,} at a time (with workers, up to three batches are alive: the one being written, "
        "the one a worker derives, the one the reader thread parses). The "
        "worker is forked from the importer, so its RSS counts the pages it shares with it copy-on-write; "
        "pinyin keeps one entry per distinct character (a few thousand) and an LRU of 4,096 names for the rare "
        "names that need pypinyin's phrase segmentation.",
    ]
    if r.get("stages"):
        st = r["stages"]
        lines += [
            "",
            f"## Where the time goes (CPU time per row; a separate, instrumented {rows:,}-row import without "
            f"workers, so that every step is counted in one process: {rows / st['cpu_seconds']:,.0f} rows per "
            "CPU-second)",
            "",
            "| step | µs per row | share |",
            "|---|---:|---:|",
        ]
        for label, micros, share in st["stages"]:
            name = label.strip()
            lines.append(f"| {'&nbsp;' * (len(label) - len(label.lstrip()))}{name} | {micros:.1f} | "
                         f"{share:.0%} |")
        top = sum(share for label, _m, share in st["stages"] if not label.startswith(" "))
        lines.append(f"| other (batching, commits, progress updates, garbage collection once per batch, timers) | "
                     f"{(1 - top) * st['cpu_seconds'] / rows * 1e6:.1f} | {1 - top:.0%} |")
        lines.append(f"| total | {st['cpu_seconds'] / rows * 1e6:.1f} | 100% |")
        per_row = {label.strip(): micros for label, micros, _s in st["stages"]}
        derive = per_row.get("derive_person_fields (people.services)", 0)
        total = st["cpu_seconds"] / rows * 1e6
        lines += [
            "",
            f"20,000 rows/s needs at most 50 µs of CPU per row per core; this import spends {total:.0f} µs "
            "(with the timers' own overhead). The validation rules of people.services alone "
            f"(derive_person_fields: pinyin keys, three AES-GCM encryptions, two HMAC digests, the ID checks) "
            f"take {derive:.0f} µs, which by themselves cap one process at {1e6 / derive:,.0f} rows/s."
            if derive else "",
        ]
    lines += [
        "",
        machine.stamp(),
        "",
    ]
    return "\n".join(lines)


def child_main(argv: list[str]) -> None:
    """``python -m bench _child``: one import or parse in a fresh process (see ``run_child``)."""
    import argparse

    p = argparse.ArgumentParser(prog="bench _child")
    p.add_argument("mode", choices=["import", "parse"])
    p.add_argument("file")
    p.add_argument("rows", type=int)
    p.add_argument("--database-url")
    p.add_argument("--profile", action="store_true")
    p.add_argument("--reimport", action="store_true")
    p.add_argument("--stages", action="store_true")
    p.add_argument("--workers", type=int)
    a = p.parse_args(argv)
    if a.mode == "parse":
        print(json.dumps(child_parse(a.file)))
        return
    with tempfile.TemporaryDirectory(prefix="gongzhi-bench-var-") as var:
        _django(var, a.database_url)
        result = child_import(a.file, a.rows, a.profile, a.reimport, a.stages, a.workers)
        from django.db import connections

        connections.close_all()
    print(json.dumps(result))


def main(argv: list[str]) -> None:
    import argparse

    p = argparse.ArgumentParser(prog="python -m bench import", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rows", type=int, default=100_000)
    p.add_argument("--sizes", default="25000,50000", help="extra file sizes for the memory table (comma-separated)")
    p.add_argument("--database-url", help="PostgreSQL server URL; a throwaway database is created per run")
    p.add_argument("--profile", action="store_true", help="print a cProfile of the main import")
    p.add_argument("--no-write", action="store_true", help="do not write bench/RESULTS.md")
    p.add_argument("--results", help="write the results to this file instead of bench/RESULTS.md")
    p.add_argument("--no-stages", action="store_true", help="skip the instrumented run (where the time goes)")
    p.add_argument("--workers", type=int, help="IMPORT_WORKERS for the imports (default: the app's default)")
    bench_import(p.parse_args(argv))


def generate_main(argv: list[str]) -> None:
    """``python -m bench generate PATH [--rows N]``: only write a people sheet."""
    import argparse

    from .generate import write_people_xlsx

    p = argparse.ArgumentParser(prog="python -m bench generate")
    p.add_argument("path")
    p.add_argument("--rows", type=int, default=100_000)
    a = p.parse_args(argv)
    write_people_xlsx(a.path, a.rows)
