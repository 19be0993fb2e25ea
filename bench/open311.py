"""Open311 benchmark: ``python -m bench open311 [--requests N] [--seed S] [--runs R] [--no-write]``.

In one run, on a throw-away PostgreSQL cluster (``scripts/pgtest.sh``, port 54333 unless ``PGTEST_PORT`` says
otherwise; or an existing server with ``--database-url``):

1. a generated district (5 streets × 12 communities × 4 grids) and ``--requests`` appeals over the three years up
   to now (≈ 900 a day at 1 M, so a 90-day window holds ≈ 80,000), every category, channel and urgency, each in the
   state its age makes likely (old ones closed, recent ones open, some refused or merged), with the AppealEvent
   history each state implies (≈ 8.5 events per appeal) — written with ``COPY``, FK triggers off;
2. p50/p95 of ``GET /open311/v2/requests.json`` (and a few neighbours) through the Django test client — URL
   resolution, middleware, the view's parsing, the selector's query (newest first over the ``(submitted_at, id)``,
   ``(category, submitted_at)`` and ``(unit, submitted_at)`` indexes, the last-update subquery) and rendering —
   for several filter mixes, each ``--runs`` times after a warm-up; the rows returned are checked against the
   filter.

Results go to stdout and, as the "Open311 benchmark" section, to ``bench/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .results import write_section

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PORT = "54333"
DAYS = 3 * 365
TZ = dt.timezone(dt.timedelta(hours=8))
ROADS = ("钢都大街", "府前大街", "汇河大道", "双元大街", "银河路", "永兴路", "金鼎路", "新兴路", "艾山路", "里辛路")
MATTERS = ("路灯不亮", "井盖松动", "垃圾未清运", "下水道堵塞", "楼道堆放杂物", "噪音扰民", "水管漏水", "绿化带损坏",
           "违规停车", "小广告", "独居老人需要助餐", "电梯故障")
CHANNELS = (("photo_report", 35), ("hotline_12345", 30), ("walk_in", 10), ("grid_visit", 15), ("open311", 7),
            ("secretary_meeting", 3))
URGENCIES = (("normal", 85), ("urgent", 12), ("emergency", 3))
# the lifecycle as (action, state reached); an appeal stops somewhere along it
PATH = [("submit", "submitted"), ("accept", "accepted"), ("dispatch", "dispatched"), ("start", "in_progress"),
        ("resolve", "resolved"), ("inform", "informed"), ("rate", "rated"), ("visit", "visited"), ("close", "closed")]


def _django(database_url: str) -> None:
    var = tempfile.mkdtemp(prefix="gongzhi-bench-var-")
    os.environ["GONGZHI_VAR_DIR"] = var
    os.environ["GONGZHI_MEDIA_ROOT"] = os.path.join(var, "media")
    os.environ["DJANGO_SETTINGS_MODULE"] = "gongzhi.settings.base"
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ["DATABASE_URL"] = database_url
    import django

    django.setup()


def _stop_index(rnd: random.Random, age_days: float) -> int | str:
    """How far along PATH an appeal of this age got; "rejected"/"merged" for the refused and the duplicates."""
    x = rnd.random()
    if x < 0.03:
        return "rejected"
    if x < 0.05:
        return "merged"
    if age_days > 30:
        return len(PATH) - 1 if rnd.random() < 0.97 else rnd.randrange(1, len(PATH) - 1)
    # recent: the younger, the earlier in the loop
    reach = min(len(PATH) - 1, int(age_days / 30 * len(PATH) + rnd.random() * 3))
    return rnd.randrange(0, reach + 1)


def generate(n: int, seed: int, now: dt.datetime, log) -> dict:
    """Write the appeals and their events with COPY; returns counts and a few facts the checks use."""
    from django.db import connection, transaction

    from gongzhi.appeals.models import Appeal, Category

    from .dashboard import _Copy, _world

    rnd = random.Random(seed)
    district, streets, leaves, users = _world()
    categories = list(Category.objects.filter(parent__isnull=False).values_list("pk", "code"))
    channel_names, channel_weights = zip(*CHANNELS, strict=True)
    urgency_names, urgency_weights = zip(*URGENCIES, strict=True)
    # every concrete column of the appeal table (other apps may add nullable or defaulted ones): name → value
    fields = [f for f in Appeal._meta.concrete_fields]
    columns = [f.column for f in fields]
    defaults = {f.column: (None if f.null else f.get_default()) for f in fields}
    start = now - dt.timedelta(days=DAYS)
    span = (now - start).total_seconds()
    # submission moments, sorted, so numbers run by day as the service writes them
    moments = sorted(start + dt.timedelta(seconds=rnd.random() * span) for _ in range(n))
    counts = {"units": 1 + len(streets) + len(leaves), "appeals": 0, "events": 0}
    by_state: dict[str, int] = {}
    day_seq: dict[str, int] = {}
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET session_replication_role = replica")
        raw = cur.cursor
        appeals = _Copy(raw, "appeals_appeal", columns)
        events = _Copy(raw, "appeals_appealevent", ["id", "appeal_id", "action", "from_state", "to_state", "actor_id",
                                                    "at", "note", "detail"])
        eid = 0
        for aid, submitted in enumerate(moments, start=1):
            local = submitted.astimezone(TZ)
            day = local.strftime("%Y%m%d")
            day_seq[day] = day_seq.get(day, 0) + 1
            age = (now - submitted).total_seconds() / 86400
            stop = _stop_index(rnd, age)
            unit_id = rnd.choice(leaves)[0]
            cat_id, _code = rnd.choice(categories)
            row = dict(defaults)
            accept_due = submitted + dt.timedelta(hours=8)
            row.update(id=aid, number=f"SQ{day}{day_seq[day]:05d}", channel=rnd.choices(channel_names,
                       channel_weights)[0], category_id=cat_id, unit_id=unit_id,
                       description=f"{rnd.choice(ROADS)}{rnd.randrange(1, 200)}号{rnd.choice(MATTERS)}",
                       address=f"钢城区{rnd.choice(ROADS)}{rnd.randrange(1, 200)}号",
                       latitude=f"{36.0 + rnd.random() * 0.2:.6f}", longitude=f"{117.7 + rnd.random() * 0.2:.6f}",
                       reporter_name_enc="", reporter_phone_enc="", anonymous=rnd.random() < 0.1,
                       urgency=rnd.choices(urgency_names, urgency_weights)[0], submitted_at=submitted,
                       accept_due_at=accept_due, reopen_count=0)
            # the history: submit, then each step a few hours after the last, up to where it stopped
            steps = PATH[:1] if stop in ("rejected", "merged") else PATH[:stop + 1]
            at = submitted
            prev = ""
            for action, state in steps:
                if action != "submit":
                    at = min(now, at + dt.timedelta(hours=rnd.uniform(0.3, 30)))
                eid += 1
                events.row(eid, aid, action, prev, state, None, at, "", "{}")
                if action == "accept":
                    row.update(accepted_at=at, reply_due_at=at + dt.timedelta(days=7))
                if action == "resolve":
                    row["resolved_at"] = at
                if action == "rate":
                    row["rating"] = rnd.choices((5, 4, 3, 2, 1), (60, 25, 8, 4, 3))[0]
                if action == "visit":
                    row["visit_satisfied"] = True
                prev = state
            if stop in ("rejected", "merged"):
                at = min(now, at + dt.timedelta(hours=rnd.uniform(0.3, 8)))
                eid += 1
                if stop == "rejected":
                    reason = rnd.choice(("litigation", "petition", "already_concluded", "secrets_privacy"))
                    row["reject_reason"] = reason
                    events.row(eid, aid, "reject", prev, "rejected", None, at, "", json.dumps({"reason": reason}))
                else:
                    events.row(eid, aid, "merge", prev, "merged", None, at, "", "{}")
                prev = stop
            row["state"] = prev
            by_state[prev] = by_state.get(prev, 0) + 1
            appeals.row(*(_copy_value(row[c]) for c in columns))
            if aid % 200_000 == 0:
                log(f"  {aid:,} appeals, {eid:,} events")
        counts["appeals"] = appeals.close()
        counts["events"] = events.close()
        cur.execute("SET session_replication_role = DEFAULT")
        for table in ("appeals_appeal", "appeals_appealevent"):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    with connection.cursor() as cur:
        for table in ("appeals_appeal", "appeals_appealevent", "org_unit", "appeals_category"):
            cur.execute(f"ANALYZE {table}")
    counts["by_state"] = by_state
    return {"counts": counts, "district": district}


def _copy_value(value):
    if value is None:
        return None
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return value


# --- measurements -------------------------------------------------------------------------------------------


def _percentiles(samples: list[float]) -> tuple[float, float]:
    s = sorted(samples)
    return statistics.median(s), s[min(len(s) - 1, int(round(0.95 * (len(s) - 1))))]


def _cases(now: dt.datetime, sample_ids: list[str], one_id: str) -> list[tuple[str, str, dict]]:
    """(label, path, query) — the mixes real clients send: the default poll, by status, by service, an older
    window, paging, a list of ids, extensions, a jurisdiction, XML, and one request."""
    old_end = (now - dt.timedelta(days=180)).astimezone(TZ)
    old_start = old_end - dt.timedelta(days=30)
    w3 = "%Y-%m-%dT%H:%M:%S+08:00"
    return [
        ("default: last 90 days, newest 1000", "requests.json", {}),
        ("status=open", "requests.json", {"status": "open"}),
        ("status=closed", "requests.json", {"status": "closed"}),
        ("service_code=S02", "requests.json", {"service_code": "S02"}),
        ("service_code=C01,S01 & status=closed & a 30-day window 6 months ago", "requests.json",
         {"service_code": "C01,S01", "status": "closed", "start_date": old_start.strftime(w3),
          "end_date": old_end.strftime(w3)}),
        ("page_size=50 (the usual page)", "requests.json", {"page_size": "50"}),
        ("page=40 & page_size=50", "requests.json", {"page": "40", "page_size": "50"}),
        ("service_request_id = 20 ids", "requests.json", {"service_request_id": ",".join(sample_ids)}),
        ("extensions=true & page_size=100", "requests.json", {"extensions": "true", "page_size": "100"}),
        ("jurisdiction_id & status=open & page_size=100", "requests.json",
         {"jurisdiction_id": "370117", "status": "open", "page_size": "100"}),
        ("XML: requests.xml, newest 1000", "requests.xml", {}),
        ("one request: requests/{id}.json", f"requests/{one_id}.json", {}),
    ]


def _check(path: str, query: dict, body: bytes, now: dt.datetime) -> int:
    """The answer holds only rows the filter allows, newest first; returns the number of rows."""
    if path.endswith(".xml"):
        from xml.etree import ElementTree as ET

        rows = [{c.tag: c.text for c in r} for r in ET.fromstring(body)]
    else:
        rows = json.loads(body)
    times = [dt.datetime.fromisoformat(r["requested_datetime"]) for r in rows]
    assert times == sorted(times, reverse=True), path
    if "status" in query:
        assert {r["status"] for r in rows} <= set(query["status"].split(",")), query
    if "service_code" in query and "service_request_id" not in query:
        assert {r["service_code"] for r in rows} <= set(query["service_code"].split(",")), query
    if path.startswith("requests.") and not query.get("service_request_id"):
        lower = dt.datetime.fromisoformat(query["start_date"]) if "start_date" in query else \
            now - dt.timedelta(days=90, seconds=60)
        assert all(t >= lower for t in times), query
    return len(rows)


def measure(path: str, query: dict, runs: int, now: dt.datetime) -> tuple[float, float, int, int]:
    from django.test import Client

    client = Client()
    url = f"/open311/v2/{path}"
    for _ in range(3):
        r = client.get(url, query)
        assert r.status_code == 200, (url, query, r.content[:300])
    rows = _check(path, query, r.content, now)
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        r = client.get(url, query)
        samples.append(time.perf_counter() - t0)
        assert r.status_code == 200
    p50, p95 = _percentiles(samples)
    return p50, p95, rows, len(r.content)


def explain(path: str, query: dict) -> tuple[float, str]:
    """EXPLAIN ANALYZE of the request's main (longest) query, run with the selector's settings: (ms, plan)."""
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        Client().get(f"/open311/v2/{path}", query)
    sql = max((q["sql"] for q in captured.captured_queries if "appeals_appeal" in q["sql"]), key=len)
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        cur.execute("SET LOCAL enable_bitmapscan = off")
        cur.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        plan = [r[0] for r in cur.fetchall()]
    ms = next(float(line.split(":")[1].split()[0]) for line in plan if line.startswith("Execution Time"))
    return ms, "\n".join(plan)


def run(opts) -> dict:
    from django.conf import settings
    from django.core.management import call_command

    from gongzhi.appeals.models import Appeal
    from gongzhi.core import clock

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    started = time.perf_counter()

    def log(msg: str) -> None:
        print(f"[{time.perf_counter() - started:7.1f}s] {msg}", flush=True)

    call_command("migrate", verbosity=0)
    log("migrated")
    now = clock.now()
    t0 = time.perf_counter()
    world = generate(opts.requests, opts.seed, now, log)
    gen_seconds = time.perf_counter() - t0
    c = world["counts"]
    log(f"generated {c['appeals']:,} appeals and {c['events']:,} events in {gen_seconds:.1f}s")
    rnd = random.Random(opts.seed + 1)
    recent = list(Appeal.objects.filter(submitted_at__gte=now - dt.timedelta(days=120))
                  .values_list("number", flat=True)[:5000])
    sample_ids = rnd.sample(recent, 20)
    results = []
    for label, path, query in _cases(now, sample_ids, sample_ids[0]):
        p50, p95, rows, size = measure(path, query, opts.runs, now)
        sql_ms, plan = explain(path, query)
        results.append({"label": label, "path": path, "query": query, "p50": p50, "p95": p95, "rows": rows,
                        "bytes": size, "sql_ms": sql_ms})
        log(f"{label}: p50 {p50 * 1000:.1f} ms p95 {p95 * 1000:.1f} ms ({rows} rows, {size / 1024:.0f} KiB); "
            f"query {sql_ms:.1f} ms")
        if opts.explain:
            print(f"--- {label}\n{plan}", file=sys.stderr)
    if opts.profile:  # where the time of the default poll goes
        import cProfile
        import pstats

        from django.test import Client

        worst = results[0]
        prof = cProfile.Profile()
        prof.enable()
        for _ in range(5):
            Client().get(f"/open311/v2/{worst['path']}", worst["query"])
        prof.disable()
        pstats.Stats(prof, stream=sys.stderr).sort_stats("tottime").print_stats(30)
    return {"requests": opts.requests, "seed": opts.seed, "runs": opts.runs, "counts": c,
            "generate_seconds": gen_seconds, "results": results, "total_seconds": time.perf_counter() - started}


def _machine() -> dict:
    import django
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
    return {"cpu": cpu, "cores": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
            "postgresql": pg, "django": django.get_version(), "psycopg": psycopg.__version__,
            "load": os.getloadavg()}


def render(r: dict, m: dict) -> str:
    c = r["counts"]
    states = ", ".join(f"{k} {v:,}" for k, v in sorted(c["by_state"].items(), key=lambda kv: -kv[1]))
    lines = [
        "# Open311 benchmark",
        "",
        f"`python -m bench open311 --requests {r['requests']}` (seed {r['seed']}): {c['appeals']:,} appeals over "
        f"the three years up to the run, in {c['units']} units (5 streets × 12 communities × 4 grids), with "
        f"{c['events']:,} AppealEvent rows, on a throw-away PostgreSQL {m['postgresql']} cluster (fsync off, "
        f"default memory settings); generated and written with COPY in {r['generate_seconds']:.0f} s. "
        f"States: {states}.",
        "",
        f"Latency of `GET /open311/v2/…` through the Django test client (URL resolution, middleware, parsing, the "
        f"selector's query with its last-update subquery, rendering), {r['runs']} runs of each after a warm-up; "
        f"every answer checked against its filter:",
        "",
        "| request | rows | body | p50 | p95 | its main query (EXPLAIN ANALYZE) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for x in r["results"]:
        lines.append(f"| {x['label']} | {x['rows']:,} | {x['bytes'] / 1024:.0f} KiB | {x['p50'] * 1000:.1f} ms | "
                     f"{x['p95'] * 1000:.1f} ms | {x['sql_ms']:.1f} ms |")
    worst = max(r["results"], key=lambda x: x["p95"])
    lines += [
        "",
        f"Goal (issue 5): p95 < 100 ms for `GET requests.json` with filters at 1 M requests — worst p95 here "
        f"{worst['p95'] * 1000:.1f} ms ({worst['label']}). The database answers each page's query in "
        f"{min(x['sql_ms'] for x in r['results']):.1f}–{max(x['sql_ms'] for x in r['results']):.1f} ms; the rest "
        f"is Python turning up to 1000 rows into 0.5–0.7 MB of JSON or XML on a machine shared with other work.",
        f"Run took {r['total_seconds'] / 60:.1f} min; load average at the end: "
        f"{', '.join(f'{x:.2f}' for x in m['load'])}.",
        "",
        "### Machine",
        "",
        f"- CPU: {m['cpu']}, {m['cores']} cores",
        f"- {m['platform']}, Python {m['python']}, Django {m['django']}, psycopg {m['psycopg']}, "
        f"PostgreSQL {m['postgresql']}",
        f"- run at {time.strftime('%Y-%m-%d %H:%M %Z')}",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    p = argparse.ArgumentParser(prog="python -m bench open311", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--requests", type=int, default=1_000_000, help="appeals to generate")
    p.add_argument("--seed", type=int, default=20261201)
    p.add_argument("--runs", type=int, default=100, help="timed runs of each request")
    p.add_argument("--database-url", help="an existing PostgreSQL database (default: a throw-away cluster started "
                   "by scripts/pgtest.sh on port 54333)")
    p.add_argument("--profile", action="store_true", help="print a cProfile of the default request")
    p.add_argument("--explain", action="store_true", help="print the EXPLAIN ANALYZE plan of every request's main query")
    p.add_argument("--no-write", action="store_true", help="do not write bench/RESULTS.md")
    opts = p.parse_args(argv)
    url = opts.database_url or os.environ.get("DATABASE_URL")
    if not url:  # start a throw-away cluster the way the tests do, and run again inside it
        env = dict(os.environ, PGTEST_PORT=os.environ.get("PGTEST_PORT", PORT))
        cmd = [str(ROOT / "scripts" / "pgtest.sh"), sys.executable, "-m", "bench", "open311", *argv]
        raise SystemExit(subprocess.run(cmd, cwd=ROOT, env=env, check=False).returncode)
    if not url.startswith("postgres"):
        raise SystemExit("the Open311 benchmark needs PostgreSQL (COPY)")
    _django(url)
    result = run(opts)
    text = render(result, _machine())
    print()
    print(text)
    if not opts.no_write:
        write_section(text)
        print(f"written to {HERE / 'RESULTS.md'}")
