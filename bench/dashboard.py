"""Dashboard benchmark: ``python -m bench dashboard [--records N] [--seed S] [--runs R] [--no-write]``.

In one run, on a throw-away PostgreSQL cluster (``scripts/pgtest.sh``, port 54336 unless ``PGTEST_PORT`` says
otherwise; or an existing server with ``--database-url``):

1. a generated district, reproducible by seed: 5 streets × 12 communities × 4 grids, volunteers (≈ one per 150
   records, the seeds' 6.5万 at 10 M), teams and organisations, activities over three years (March 学雷锋 and summer
   peaks; about 16 volunteers each, a few multi-day), service records (skewed: a few volunteers serve a lot; 80 %
   serve in their own street), about 1 % corrected and 0.3 % revoked, beneficiary counts (2 % corrected) — written
   with ``COPY`` (psycopg ``cursor.copy``), foreign-key triggers off (``session_replication_role = replica``);
2. the rollups built with ``gongzhi rollups --rebuild`` (timed), verified with ``--check`` when asked (``--check``);
3. p50/p95 of ``reports.selectors.dashboard`` for the district and for one street (year, all time, one month), as
   their admins, over many runs — the whole selector: scoping, children, registered volunteers, categories, months;
4. the baseline in the same run: DuckDB (in-process, in memory) holding the *current* service records, the
   activities and the current beneficiary counts (exported untimed, so DuckDB does not even pay the
   anti-join that finds current records), computing the same figures as GROUP BY scans.

Results go to stdout and, as the "Dashboard benchmark" section, to ``bench/RESULTS.md``.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from .results import write_section

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PORT = "54336"

DISTRICT = ("370117", "钢城区")
STREETS = [("370117001", "艾山街道"), ("370117002", "里辛街道"), ("370117003", "汶源街道"), ("370117004", "颜庄街道"),
           ("370117005", "辛庄街道")]
COMMUNITIES, GRIDS = 12, 4
FIRST_DAY, LAST_DAY = dt.date(2023, 1, 1), dt.date(2025, 11, 30)
MONTH_WEIGHT = {1: 0.7, 2: 0.6, 3: 2.0, 4: 1.0, 5: 1.1, 6: 1.0, 7: 1.5, 8: 1.4, 9: 1.0, 10: 1.1, 11: 0.9, 12: 0.9}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华玉萍红娥玲芬燕彬鹏辉建国文斌宇浩凯健俊帆帅旭宁婷雪琳"
TZ = dt.timezone(dt.timedelta(hours=8))


# --- set-up ---------------------------------------------------------------------------------------------------


def _django(database_url: str) -> None:
    var = tempfile.mkdtemp(prefix="gongzhi-bench-var-")
    os.environ["GONGZHI_VAR_DIR"] = var
    os.environ["GONGZHI_MEDIA_ROOT"] = os.path.join(var, "media")
    os.environ["DJANGO_SETTINGS_MODULE"] = "gongzhi.settings.base"
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ["DATABASE_URL"] = database_url
    import django

    django.setup()


def _world():
    from gongzhi.accounts.models import User
    from gongzhi.accounts.roles import Role
    from gongzhi.accounts.services import role_grant
    from gongzhi.org.divisions import UnitKind
    from gongzhi.org.services import unit_create

    district = unit_create(code=DISTRICT[0], name=DISTRICT[1], kind=UnitKind.DISTRICT, parent=None)
    streets, leaves = [], []  # leaves: (unit id, path, street index)
    for si, (code, name) in enumerate(STREETS):
        street = unit_create(code=code, name=name, kind=UnitKind.STREET, parent=district)
        streets.append(street)
        for c in range(1, COMMUNITIES + 1):
            community = unit_create(code=f"{code}{c:03d}", name=f"{name[:2]}第{c}社区", kind=UnitKind.COMMUNITY,
                                    parent=street)
            leaves.append((community.pk, community.path, si))
            for g in range(1, GRIDS + 1):
                grid = unit_create(code=f"{community.code}{g:03d}", name=f"{community.name}第{g}网格",
                                   kind=UnitKind.GRID, parent=community)
                leaves.append((grid.pk, grid.path, si))
    users = {}
    for name, role, unit in (("bench-district", Role.DISTRICT_ADMIN, district),
                             ("bench-street", Role.STREET_ADMIN, streets[0])):
        users[name] = User.objects.create(username=name, display_name=name)
        role_grant(user=users[name], role=role, unit=unit, actor=None)
    return district, streets, leaves, users


class _Copy:
    """Rows for one table in COPY text format (tab-separated, \\N for NULL), spooled to a temporary file and sent
    with one COPY on ``close`` (a connection runs one COPY at a time; the generator fills three tables at once)."""

    def __init__(self, cursor, table: str, columns: list[str]):
        self.cursor, self.sql = cursor, f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        self.file = tempfile.TemporaryFile(mode="w+b", prefix="gongzhi-bench-copy-")
        self.buf: list[str] = []
        self.n = 0

    def row(self, *values) -> None:
        self.buf.append("\t".join("\\N" if v is None else str(v) for v in values))
        self.n += 1
        if len(self.buf) >= 20000:
            self._spool()

    def _spool(self) -> None:
        if self.buf:
            self.file.write(("\n".join(self.buf) + "\n").encode())
        self.buf = []

    def close(self) -> int:
        self._spool()
        self.file.seek(0)
        with self.cursor.copy(self.sql) as copy:
            while block := self.file.read(1 << 20):
                copy.write(block)
        self.file.close()
        return self.n


def generate(records: int, seed: int, log) -> dict:
    """Write the district's people, organisations, activities, records and beneficiary counts with COPY."""
    from django.db import connection, transaction

    from gongzhi.activities.models import Category

    rnd = random.Random(seed)
    district, streets, leaves, users = _world()
    categories = list(Category.objects.filter(active=True).values_list("pk", flat=True))
    cat_weights = [3 if i < 4 else 1 for i in range(len(categories))]
    now = "2025-12-01 00:00:00+00"
    n_vol = max(1000, records // 150)
    scale = records / 10_000_000
    counts = {"units": 1 + len(streets) + len(leaves)}
    street_paths = [s.path for s in streets]
    leaf_weights = [1 / (1 + i % 17) ** 0.6 for i in range(len(leaves))]
    by_street: list[list[int]] = [[] for _ in streets]

    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET session_replication_role = replica")  # no FK triggers per copied row (data is consistent)
        raw = cur.cursor
        person = _Copy(raw, "people_person", [
            "id", "unit_id", "name", "name_pinyin", "name_initials", "id_type", "id_number_enc", "id_number_masked",
            "sex", "phone_enc", "phone_digest", "phone_masked", "phone_tail", "address_enc", "address_masked",
            "created_at", "updated_at"])
        homes = []
        for i in range(1, n_vol + 1):
            unit_id, _path, si = rnd.choices(leaves, leaf_weights)[0]
            homes.append((i, unit_id))
            tail = f"{rnd.randrange(10000):04d}"
            person.row(i, unit_id, rnd.choice(SURNAMES) + rnd.choice(GIVEN) + rnd.choice(GIVEN), "", "",
                       "resident_id", "", "", "", "", "", f"138****{tail}", tail, "", "", now, now)
            by_street[si].append(i)
        counts["people"] = person.close()
        vol = _Copy(raw, "people_volunteerprofile", ["id", "person_id", "unit_id", "number", "status", "availability",
                                                       "motivation", "applied_at", "status_changed_at"])
        for pid, unit_id in homes:
            status = "active" if rnd.random() < 0.93 else rnd.choice(["applied", "screening", "suspended"])
            vol.row(pid, pid, unit_id, f"BZ{pid:010d}", status, "[]", "", now, now)
        counts["volunteers"] = vol.close()
        org = _Copy(raw, "org_organisation", ["id", "name", "kind", "unit_id", "description", "contact_name",
                                              "contact_phone", "active", "created_at"])
        n_teams, n_orgs = max(20, round(476 * scale)), max(20, round(475 * scale))
        for i in range(1, n_teams + n_orgs + 1):
            kind = "team" if i <= n_teams else rnd.choice(["social_org", "community_alliance", "village_point"])
            org.row(i, f"志愿服务{'队' if kind == 'team' else '组织'}{i}", kind, rnd.choice(leaves)[0], "", "", "",
                    "t", now)
        counts["organisations"] = org.close()
        log(f"people {counts['people']:,}, organisations {counts['organisations']:,}")

        days = [FIRST_DAY + dt.timedelta(d) for d in range((LAST_DAY - FIRST_DAY).days + 1)]
        day_weights = [MONTH_WEIGHT[d.month] * (1.4 if d.weekday() >= 5 else 1.0) for d in days]
        act = _Copy(raw, "activities_activity", [
            "id", "title", "category_id", "description", "unit_id", "address", "checkin_radius_m", "starts_at",
            "ends_at", "capacity", "requires_approval", "audience", "min_age", "status", "confirmed_count",
            "waitlist_count", "created_at", "updated_at"])
        rec = _Copy(raw, "hours_servicerecord", [
            "id", "volunteer_id", "activity_id", "unit_path", "day", "hours", "content", "source", "kind",
            "supersedes_id", "reason", "confirmed_at"])
        ben = _Copy(raw, "activities_beneficiarycount", ["id", "activity_id", '"group"', "count", "supersedes_id",
                                                         "note", "recorded_at"])
        street_units = {s.path: s.pk for s in streets}
        rid = aid = bid = 0
        written = 0
        while written < records:
            aid += 1
            r = rnd.random()
            if r < 0.02:
                unit_id, path, si = district.pk, district.path, rnd.randrange(len(streets))
            elif r < 0.12:
                si = rnd.randrange(len(streets))
                unit_id, path = street_units[street_paths[si]], street_paths[si]
            else:
                unit_id, path, si = rnd.choices(leaves, leaf_weights)[0]
            day = rnd.choices(days, day_weights)[0]
            start = dt.datetime.combine(day, dt.time(rnd.randrange(8, 19), rnd.choice((0, 30))), TZ)
            hours = rnd.choice((1, 1.5, 2, 2, 2, 3, 3, 4))
            n_days = 1 if rnd.random() < 0.95 else rnd.randrange(2, 4)
            end = start + dt.timedelta(days=n_days - 1, hours=hours)
            cancelled = rnd.random() < 0.02
            k = 0 if cancelled else min(120, 1 + int(rnd.expovariate(1 / 14)))
            status = "cancelled" if cancelled else "finished"
            act.row(aid, f"志愿服务活动{aid}", rnd.choices(categories, cat_weights)[0], "", unit_id, "", 300,
                    start.isoformat(), end.isoformat(), max(k, 1) + 5, "f", "community", 0, status, k, 0, now, now)
            pool = by_street[si]
            chosen = set()
            for _ in range(k):
                group = pool if rnd.random() < 0.8 and pool else None
                if group is None:
                    chosen.add(1 + int(n_vol * rnd.random() ** 2.2))
                else:
                    chosen.add(group[int(len(group) * rnd.random() ** 2.2)])
            for v in chosen:
                for d in range(n_days):
                    rid += 1
                    h = Decimal(str(hours)) - rnd.choice((0, 0, 0, 0, Decimal("0.25"), Decimal("0.5")))
                    sday = day + dt.timedelta(d)
                    rec.row(rid, v, aid, path, sday.isoformat(), h, "", "checkin", "original", None, "", now)
                    written += 1
                    x = rnd.random()
                    if x < 0.01:
                        original = rid
                        rid += 1
                        rec.row(rid, v, aid, path, sday.isoformat(), max(Decimal(0), h - Decimal("0.5")), "",
                                "checkin", "correction", original, "更正时长", now)
                    elif x < 0.013:
                        original = rid
                        rid += 1
                        rec.row(rid, v, aid, path, sday.isoformat(), 0, "", "checkin", "revocation", original,
                                "误录", now)
            if not cancelled:
                bid += 1
                count = rnd.randrange(5, 121)
                ben.row(bid, aid, "general", count, None, "", now)
                if rnd.random() < 0.02:
                    bid += 1
                    ben.row(bid, aid, "general", count + rnd.randrange(-4, 10), bid - 1, "更正", now)
            if aid % 20000 == 0:
                log(f"  {written:,} records, {aid:,} activities")
        counts["activities"] = act.close()
        counts["records"] = rec.close()
        counts["beneficiary_rows"] = ben.close()
        cur.execute("SET session_replication_role = DEFAULT")
        for table in ("people_person", "people_volunteerprofile", "org_organisation", "activities_activity",
                      "hours_servicerecord", "activities_beneficiarycount"):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    with connection.cursor() as cur:
        for table in ("people_volunteerprofile", "org_organisation", "activities_activity", "hours_servicerecord",
                      "activities_beneficiarycount", "org_unit"):
            cur.execute(f"ANALYZE {table}")
    return {"counts": counts, "district": district, "streets": streets, "users": users}


# --- measurements -------------------------------------------------------------------------------------------


def _percentiles(samples: list[float]) -> tuple[float, float]:
    s = sorted(samples)
    return statistics.median(s), s[min(len(s) - 1, int(round(0.95 * (len(s) - 1))))]


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
    cases = [("district", users["bench-district"], district, "2025"),
             ("district", users["bench-district"], district, "all"),
             ("district", users["bench-district"], district, "2025-03"),
             ("street", users["bench-street"], street, "2025")]
    results = []
    with tempfile.TemporaryDirectory(prefix="gongzhi-bench-duck-") as work:
        t0 = time.perf_counter()
        db = duckdb_load(work)
        export_seconds = time.perf_counter() - t0
        log(f"DuckDB loaded in {export_seconds:.1f}s (untimed in the comparison)")
        for label, user, unit, key in cases:
            p50, p95, data = measure_selector(user, unit, key, opts.runs)
            period = selectors.period_parse(key)
            start = period.start or FIRST_DAY
            end = period.end or LAST_DAY + dt.timedelta(days=7)  # multi-day activities run past it
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
            "results": results, "total_seconds": time.perf_counter() - started}


def _machine() -> dict:
    import django
    import duckdb
    import psycopg
    from django.db import connection

    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    with connection.cursor() as cur:
        cur.execute("SHOW server_version")
        pg = cur.fetchone()[0]
    mem = ""
    try:
        with open("/proc/meminfo") as fh:
            mem = f"{int(fh.readline().split()[1]) / 1024 / 1024:.0f} GB RAM"
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "mem": mem, "platform": platform.platform(),
            "python": platform.python_version(), "postgresql": pg, "duckdb": duckdb.__version__,
            "django": django.get_version(), "psycopg": psycopg.__version__, "load": os.getloadavg()}


def render(r: dict, m: dict) -> str:
    c = r["counts"]
    lines = [
        "# Dashboard benchmark",
        "",
        f"`python -m bench dashboard --records {r['records']}` (seed {r['seed']}): a generated district on a "
        f"throw-away PostgreSQL {m['postgresql']} cluster (fsync off, default memory settings): "
        f"{c['units']} units (5 streets × 12 communities × 4 grids), {c['volunteers']:,} volunteers, "
        f"{c['organisations']:,} teams and organisations, {c['activities']:,} activities over 2023–2025, "
        f"{c['records']:,} original service records (+ ≈1 % corrections, 0.3 % revocations), "
        f"{c['beneficiary_rows']:,} beneficiary rows. Generated and written with COPY in "
        f"{r['generate_seconds']:.0f} s; `gongzhi rollups --rebuild` took {r['rebuild_seconds']:.1f} s "
        f"({r['rollup_counts']['rollups']:,} rollup rows, {r['rollup_counts']['presence']:,} presence rows, "
        f"{r['rollup_counts']['participations']:,} participations)"
        + (f"; `--check` agreed in {r['check_seconds']:.1f} s." if r["check_seconds"] is not None else "."),
        "",
        f"Latency of `reports.selectors.dashboard` (the whole selector as the unit's admin: scoping, the unit's "
        f"figures, its children's figures and registered counts, by category, by month), {r['runs']} runs after "
        f"a warm-up, beside DuckDB {m['duckdb']} computing the same figures as GROUP BY scans over the current "
        f"records, the activities and the current beneficiary counts held in memory (exported untimed; "
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
        f"Goal (issue 3): p95 < 50 ms — worst p95 here {worst:.1f} ms; ≥ 10× faster than DuckDB — smallest ratio "
        f"{ratio:.0f}×. District 2025: {f['activities']:,} 场次, {f['participations']:,} 人次, "
        f"{f['volunteers']:,} volunteers, {f['hours']:,.0f} hours, {f['beneficiaries']:,} 惠及人次.",
        f"Run took {r['total_seconds'] / 60:.1f} min; load average at the end: "
        f"{', '.join(f'{x:.2f}' for x in m['load'])}.",
        "",
        "### Machine",
        "",
        f"- CPU: {m['cpu']}, {m['cores']} cores, {m['mem']}",
        f"- {m['platform']}, Python {m['python']}, Django {m['django']}, psycopg {m['psycopg']}, "
        f"PostgreSQL {m['postgresql']}, DuckDB {m['duckdb']}",
        f"- run at {time.strftime('%Y-%m-%d %H:%M %Z')}",
        "",
    ]
    return "\n".join(lines)


def main(opts) -> None:
    url = opts.database_url or os.environ.get("DATABASE_URL")
    if not url:  # start a throw-away cluster the way the tests do, and run again inside it
        env = dict(os.environ, PGTEST_PORT=os.environ.get("PGTEST_PORT", PORT))
        cmd = [str(ROOT / "scripts" / "pgtest.sh"), sys.executable, "-m", "bench", *sys.argv[1:]]
        raise SystemExit(subprocess.run(cmd, cwd=ROOT, env=env, check=False).returncode)
    if not url.startswith("postgres"):
        raise SystemExit("the dashboard benchmark needs PostgreSQL (COPY)")
    _django(url)
    result = run(opts)
    text = render(result, _machine())
    print()
    print(text)
    if not opts.no_write:
        write_section(text)
        print(f"written to {HERE / 'RESULTS.md'}")
