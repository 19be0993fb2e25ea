"""Dashboard benchmark: ``python -m bench dashboard [--records N] [--seed S] [--runs R] [--no-write]``.

In one run, on a throw-away PostgreSQL cluster (``scripts/pgtest.sh``, port 54336 unless ``PGTEST_PORT`` says
otherwise; or an existing server with ``--database-url``):

1. a generated district from the scale-data generator (``gongzhi.seed``, the district scale's 钢城区 tree: 6
   streets, 24 communities, 222 villages and their grids), reproducible by seed: volunteers (65,000 as in the seeds,
   fewer for small runs) with their teams, activities over the three years up to today (March 学雷锋 and summer
   peaks; about 16 volunteers each, a few multi-day), ``--records`` service records (skewed: a few volunteers serve a
   lot; 80 % serve in their own street), about 1 % corrected and 0.3 % revoked, beneficiary counts (2 % corrected)
   — written with ``COPY``;
2. the rollups built with ``gongzhi rollups --rebuild`` (timed), verified with ``--check`` when asked (``--check``);
3. p50/p95 of ``reports.selectors.dashboard`` for the district and for one street (year, all time, one month), as
   their admins, over many runs — the whole selector: scoping, children, registered volunteers, categories, months;
4. the baseline in the same run: DuckDB (in-process, in memory) holding the *current* service records, the
   activities and the current beneficiary counts (exported untimed, so DuckDB does not even pay the
   anti-join that finds current records), computing the same figures as GROUP BY scans.

Results go to stdout and, as the "Dashboard benchmark" section, to ``bench/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from . import machine
from .results import percentiles, summary_add, write_section

HERE = Path(__file__).resolve().parent
PORT = "54336"


# --- set-up ---------------------------------------------------------------------------------------------------


def generate(records: int, seed: int, log) -> dict:
    """The district's people, volunteers, teams, activities, records and beneficiary counts (``gongzhi.seed``)."""
    from django.db import connection

    from gongzhi.accounts.models import User
    from gongzhi.accounts.roles import Role
    from gongzhi.accounts.services import role_grant
    from gongzhi.org.models import Unit
    from gongzhi.seed import scales
    from gongzhi.seed.runner import run

    volunteers = min(65_000, max(1_000, records // 10))
    scale = scales.get("district").with_counts(records=records, volunteers=volunteers, people=volunteers * 5 // 4)
    report = run(scale, seed=seed, kinds=["activities"], derived=False, log=log)
    world = report.world
    district = Unit.objects.get(pk=world.root.id)
    streets = list(Unit.objects.filter(parent=district).order_by("code"))
    admin = User.objects.get(pk=world.admin_id)
    street_admin = User.objects.create(username="bench-street", display_name="bench-street")
    role_grant(user=street_admin, role=Role.STREET_ADMIN, unit=streets[0], actor=None)
    counts = {"units": len(world.units)}
    with connection.cursor() as cur:
        for key, sql in (("volunteers", "SELECT count(*) FROM people_volunteerprofile"),
                         ("organisations", "SELECT count(*) FROM org_organisation"),
                         ("activities", "SELECT count(*) FROM activities_activity"),
                         ("records", "SELECT count(*) FROM hours_servicerecord WHERE kind = 'original'"),
                         ("beneficiary_rows", "SELECT count(*) FROM activities_beneficiarycount")):
            cur.execute(sql)
            counts[key] = cur.fetchone()[0]
    return {"counts": counts, "district": district, "streets": streets,
            "users": {"bench-district": admin, "bench-street": street_admin}, "now": report.now,
            "rates": report.rates, "seconds": report.seconds}


# --- measurements -------------------------------------------------------------------------------------------


_percentiles = percentiles


def measure_selector(user, unit, period_key: str, runs: int) -> tuple[float, float, dict]:
    from gongzhi.accounts import scoping
    from gongzhi.reports import selectors

    period = selectors.period_parse(period_key)
    for _ in range(5):
        scoping.forget(user)
        selectors.dashboard(actor=user, unit=unit.pk, period=period)
    samples = []
    for _ in range(runs):
        scoping.forget(user)  # as in a request: the roles are read again
        t0 = time.perf_counter()
        data = selectors.dashboard(actor=user, unit=unit.pk, period=period)
        samples.append(time.perf_counter() - t0)
    p50, p95 = _percentiles(samples)
    return p50, p95, data


def duckdb_load(work: str):
    """Export the current records, activities and current beneficiary counts from PostgreSQL (untimed)."""
    import duckdb
    from django.db import connection

    files = {
        "records": ("SELECT r.volunteer_id, r.activity_id, r.unit_path, r.day, r.hours FROM hours_servicerecord r "
                    "WHERE r.kind IN ('original', 'correction') AND NOT EXISTS "
                    "(SELECT 1 FROM hours_servicerecord s WHERE s.supersedes_id = r.id)",
                    "volunteer_id BIGINT, activity_id BIGINT, unit_path VARCHAR, day DATE, hours DECIMAL(8,4)"),
        "acts": ("SELECT a.id, u.path, c.code, a.status, (a.starts_at AT TIME ZONE 'Asia/Shanghai')::date "
                 "FROM activities_activity a JOIN org_unit u ON u.id = a.unit_id "
                 "JOIN activities_category c ON c.id = a.category_id",
                 "id BIGINT, unit_path VARCHAR, category VARCHAR, status VARCHAR, day DATE"),
        "bens": ("SELECT b.activity_id, b.count FROM activities_beneficiarycount b WHERE NOT EXISTS "
                 "(SELECT 1 FROM activities_beneficiarycount s WHERE s.supersedes_id = b.id)",
                 "activity_id BIGINT, count BIGINT"),
    }
    db = duckdb.connect()
    raw = connection.connection
    for name, (sql, columns) in files.items():
        path = os.path.join(work, f"{name}.csv")
        with open(path, "wb") as fh, raw.cursor() as cur, cur.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)") as cp:
            for block in cp:
                fh.write(block)
        cols = ", ".join(f"'{c.split()[0]}': '{' '.join(c.split()[1:])}'" for c in columns.split(", "))
        db.execute(f"CREATE TABLE {name} AS SELECT * FROM read_csv('{path}', header=false, columns={{{cols}}})")
        os.remove(path)
    return db


def duckdb_dashboard(db, root: str, child_len: int, start: dt.date, end: dt.date) -> dict:
    """The dashboard's figures as GROUP BY scans: totals, per child, per category and per month."""
    params = {"root": root, "s": start, "e": end, "n": child_len}
    recs = db.execute("""
        SELECT substr(r.unit_path, 1, $n) AS child, a.category, strftime(r.day, '%Y-%m') AS month,
               GROUPING(substr(r.unit_path, 1, $n), a.category, strftime(r.day, '%Y-%m')) AS g,
               count(*), sum(r.hours), count(DISTINCT r.volunteer_id)
        FROM records r JOIN acts a ON a.id = r.activity_id
        WHERE starts_with(r.unit_path, $root) AND r.day BETWEEN $s AND $e
        GROUP BY GROUPING SETS ((), (substr(r.unit_path, 1, $n)), (a.category), (strftime(r.day, '%Y-%m')))
    """, params).fetchall()
    parts = db.execute("""
        SELECT substr(unit_path, 1, $n), category, strftime(day, '%Y-%m'),
               GROUPING(substr(unit_path, 1, $n), category, strftime(day, '%Y-%m')), count(*)
        FROM (SELECT DISTINCT r.activity_id, r.volunteer_id, a.unit_path, a.category, a.day
              FROM records r JOIN acts a ON a.id = r.activity_id
              WHERE starts_with(a.unit_path, $root) AND a.day BETWEEN $s AND $e)
        GROUP BY GROUPING SETS ((), (substr(unit_path, 1, $n)), (category), (strftime(day, '%Y-%m')))
    """, params).fetchall()
    acts = db.execute("""
        SELECT substr(a.unit_path, 1, $n), a.category, strftime(a.day, '%Y-%m'),
               GROUPING(substr(a.unit_path, 1, $n), a.category, strftime(a.day, '%Y-%m')),
               count(*) FILTER (WHERE a.status = 'finished'), coalesce(sum(b.count), 0)
        FROM acts a LEFT JOIN (SELECT activity_id, sum(count) AS count FROM bens GROUP BY activity_id) b
             ON b.activity_id = a.id
        WHERE starts_with(a.unit_path, $root) AND a.day BETWEEN $s AND $e
        GROUP BY GROUPING SETS ((), (substr(a.unit_path, 1, $n)), (a.category), (strftime(a.day, '%Y-%m')))
    """, params).fetchall()
    total = {}
    for row in recs:
        if row[3] == 7:
            total.update(records=row[4], hours=Decimal(row[5] or 0), volunteers=row[6])
    for row in parts:
        if row[3] == 7:
            total["participations"] = row[4]
    for row in acts:
        if row[3] == 7:
            total.update(activities=row[4], beneficiaries=int(row[5]))
    return total


def measure_duckdb(db, root: str, child_len: int, period, runs: int) -> tuple[float, float, dict]:
    duckdb_dashboard(db, root, child_len, period.start, period.end)
    samples, out = [], {}
    for _ in range(runs):
        t0 = time.perf_counter()
        out = duckdb_dashboard(db, root, child_len, period.start, period.end)
        samples.append(time.perf_counter() - t0)
    p50, p95 = _percentiles(samples)
    return p50, p95, out


# --- the run ------------------------------------------------------------------------------------------------


def run(opts) -> dict:
    from django.core.management import call_command

    from gongzhi.reports import rollups, selectors

    started = time.perf_counter()

    def log(msg: str) -> None:
        print(f"[{time.perf_counter() - started:7.1f}s] {msg}", flush=True)

    call_command("migrate", verbosity=0)
    log("migrated")
    t0 = time.perf_counter()
    world = generate(opts.records, opts.seed, log)
    gen_seconds = time.perf_counter() - t0
    log(f"generated {world['counts']['records']:,} records in {gen_seconds:.1f}s")
    t0 = time.perf_counter()
    counts = rollups.rebuild()
    rebuild_seconds = time.perf_counter() - t0
    log(f"rollups rebuilt in {rebuild_seconds:.1f}s: {counts}")
    check_seconds = None
    if opts.check:
        t0 = time.perf_counter()
        problems = rollups.check()
        check_seconds = time.perf_counter() - t0
        assert not problems, problems[:5]
        log(f"rollups --check agrees ({check_seconds:.1f}s)")

    district, street = world["district"], world["streets"][0]
    users = world["users"]
    year = (world["now"] - dt.timedelta(days=1)).year  # the last full year of data runs up to yesterday
    first_day = (world["now"] - dt.timedelta(days=3 * 365 + 2)).date()
    last_day = world["now"].date()
    cases = [("district", users["bench-district"], district, f"{year}"),
             ("district", users["bench-district"], district, "all"),
             ("district", users["bench-district"], district, f"{year}-03"),
             ("street", users["bench-street"], street, f"{year}")]
    results = []
    with tempfile.TemporaryDirectory(prefix="gongzhi-bench-duck-") as work:
        t0 = time.perf_counter()
        db = duckdb_load(work)
        export_seconds = time.perf_counter() - t0
        log(f"DuckDB loaded in {export_seconds:.1f}s (untimed in the comparison)")
        for label, user, unit, key in cases:
            p50, p95, data = measure_selector(user, unit, key, opts.runs)
            period = selectors.period_parse(key)
            start = period.start or first_day
            end = period.end or last_day + dt.timedelta(days=7)  # multi-day activities run past it
            children = list(unit.children.order_by("path")[:1])
            child_len = len(children[0].path) if children else len(unit.path)
            d50, d95, duck = measure_duckdb(db, unit.path, child_len,
                                            selectors.Period(period.grain, key, start, end), opts.duck_runs)
            ours = data["figures"]
            agree = all(Decimal(str(ours[k])) == Decimal(str(duck.get(k, 0)))
                        for k in ("activities", "participations", "volunteers", "hours", "beneficiaries"))
            results.append({"label": f"{label} {unit.name}, {period.label}", "p50": p50, "p95": p95,
                            "duck_p50": d50, "duck_p95": d95, "agree": agree, "figures": ours})
            log(f"{label} {key}: p50 {p50 * 1000:.1f} ms p95 {p95 * 1000:.1f} ms | DuckDB p50 {d50 * 1000:.0f} ms "
                f"p95 {d95 * 1000:.0f} ms | ×{d50 / p50:.0f} | figures agree: {agree}")
        db.close()
    return {"records": opts.records, "seed": opts.seed, "runs": opts.runs, "duck_runs": opts.duck_runs,
            "counts": world["counts"], "generate_seconds": gen_seconds, "rebuild_seconds": rebuild_seconds,
            "check_seconds": check_seconds, "export_seconds": export_seconds, "rollup_counts": counts,
            "results": results, "total_seconds": time.perf_counter() - started, "year": year,
            "rates": world["rates"], "seed_seconds": world["seconds"], "started": started}


def render(r: dict) -> str:
    import duckdb

    c = r["counts"]
    y = r["year"]
    lines = [
        "# Dashboard benchmark",
        "",
        f"`python -m bench dashboard --records {r['records']}` (seed {r['seed']}): a district from `gongzhi seed` "
        f"(the district scale's tree, {c['units']} units; {c['volunteers']:,} volunteers, {c['organisations']:,} "
        f"teams, {c['activities']:,} activities over the three years up to today, {c['records']:,} original service "
        f"records (+ ≈1 % corrections, 0.3 % revocations), {c['beneficiary_rows']:,} beneficiary rows) on a "
        f"throw-away PostgreSQL {machine.postgres_version()} cluster. Generated and written with COPY in "
        f"{r['generate_seconds']:.0f} s; `gongzhi rollups --rebuild` took {r['rebuild_seconds']:.1f} s "
        f"({r['rollup_counts']['rollups']:,} rollup rows, {r['rollup_counts']['presence']:,} presence rows, "
        f"{r['rollup_counts']['participations']:,} participations)"
        + (f"; `--check` agreed in {r['check_seconds']:.1f} s." if r["check_seconds"] is not None else "."),
        "",
        f"Latency of `reports.selectors.dashboard` (the whole selector as the unit's admin: scoping, the unit's "
        f"figures, its children's figures and registered counts, by category, by month), {r['runs']} runs after "
        f"a warm-up, beside DuckDB {duckdb.__version__} computing the same figures as GROUP BY scans over the "
        f"current records, the activities and the current beneficiary counts held in memory (exported untimed; "
        f"{r['duck_runs']} runs):",
        "",
        "| dashboard | p50 | p95 | DuckDB p50 | DuckDB p95 | DuckDB p50 / ours | figures equal |",
        "|---|---:|---:|---:|---:|---:|:---:|",
    ]
    for x in r["results"]:
        lines.append(f"| {x['label']} | {x['p50'] * 1000:.1f} ms | {x['p95'] * 1000:.1f} ms | "
                     f"{x['duck_p50'] * 1000:.0f} ms | {x['duck_p95'] * 1000:.0f} ms | "
                     f"{x['duck_p50'] / x['p50']:.0f}× | {'yes' if x['agree'] else 'NO'} |")
    worst = max(x["p95"] for x in r["results"]) * 1000
    ratio = min(x["duck_p50"] / x["p50"] for x in r["results"])
    f = r["results"][0]["figures"]
    lines += [
        "",
        f"Goal: p95 < 50 ms — worst p95 here {worst:.1f} ms; ≥ 10× faster than DuckDB — smallest ratio "
        f"{ratio:.0f}×. District {y}: {f['activities']:,} 场次, {f['participations']:,} 人次, "
        f"{f['volunteers']:,} volunteers, {f['hours']:,.0f} hours, {f['beneficiaries']:,} 惠及人次.",
        "",
        machine.stamp(r["started"]),
        "",
    ]
    return "\n".join(lines)


def summarize(r: dict) -> None:
    worst = max(r["results"], key=lambda x: x["p95"])
    ratio = min(x["duck_p50"] / x["p50"] for x in r["results"])
    slowest_duck = min(r["results"], key=lambda x: x["duck_p50"] / x["p50"])
    summary_add(benchmark=f"district dashboard, {r['counts']['records']:,} service records",
                figure=f"p95 {worst['p95'] * 1000:.1f} ms (worst of {len(r['results'])})",
                goal="p95 < 50 ms and ≥ 10× DuckDB",
                baseline=f"DuckDB p50 {slowest_duck['duck_p50'] * 1000:.0f} ms", ratio=f"{ratio:.0f}× faster",
                met=worst["p95"] < 0.05 and ratio >= 10 and all(x["agree"] for x in r["results"]))


def main(argv: list[str]) -> None:
    p = argparse.ArgumentParser(prog="python -m bench dashboard", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--records", type=int, default=1_000_000, help="service records to generate (10000000: the "
                   "issue's target)")
    p.add_argument("--seed", type=int, default=20251201)
    p.add_argument("--runs", type=int, default=200, help="timed runs of each dashboard")
    p.add_argument("--duck-runs", type=int, default=15, help="timed runs of each DuckDB scan")
    p.add_argument("--database-url", help="an existing PostgreSQL database (default: a throw-away cluster "
                   f"started by scripts/pgtest.sh on port {PORT})")
    p.add_argument("--check", action="store_true", help="also run rollups --check (slow: compares in Python)")
    p.add_argument("--no-write", action="store_true", help="do not write bench/RESULTS.md")
    opts = p.parse_args(argv)
    url = machine.postgres_or_rerun(opts.database_url, ["dashboard", *argv], PORT, "dashboard")
    machine.django_setup(url)
    result = run(opts)
    text = render(result)
    print()
    print(text)
    summarize(result)
    if not opts.no_write:
        write_section(text)
        write_section(machine.section(), first=True)
        print(f"written to {HERE / 'RESULTS.md'}")
