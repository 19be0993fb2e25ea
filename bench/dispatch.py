"""Assignee-suggestion benchmark: ``python -m bench dispatch [--volunteers N] [--orders K] [--seed S] [--no-write]``.

On a throw-away PostgreSQL cluster (``scripts/pgtest.sh``, port 54334 unless ``PGTEST_PORT`` says otherwise; or an
existing server with ``--database-url``):

1. a generated district, reproducible by seed: 5 streets × 12 communities × 4 grids with centres scattered over
   ≈ 27 × 27 km; N volunteers (people + volunteer profiles + skills, written with ``COPY``): home in a weighted
   community or grid, 0–3 of the 12 skills, 1–3 availability slots, 93 % active, 40 % with a declared service
   location within ≈ 1.5 km of home;
2. the candidate table built by ``gongzhi dispatch --rebuild-candidates`` (timed), then a synthetic recent load (a
   Poisson count on 5 % of rows, as if they had taken orders in the last 30 days);
3. K orders at random points (half with a required skill, one in ten limited to a team, any time of the week),
   and for each: ``dispatch.selectors.suggestions`` (the whole suggestion: fresh-row check, ring search over nearby
   cells, stale-row check, names and reasons) — p50/p95 over all K;
4. beside it the brute force on the same data: every candidate scored in SQL (same formula, no cell filter) for all
   K orders, and every candidate scored in Python (``ranking.score``) for a few; the top 10 must agree.

Results go to stdout and, as the "Dispatch benchmark" section, to ``bench/RESULTS.md``.
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

from .dashboard import GIVEN, SURNAMES, _Copy, _world
from .results import write_section

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PORT = "54334"
CENTRE = (36.21, 117.79)
TZ = dt.timezone(dt.timedelta(hours=8))
SLOTS = ["weekday_day", "weekday_evening", "weekend_day", "weekend_evening", "holiday"]


def _django(database_url: str) -> None:
    var = tempfile.mkdtemp(prefix="gongzhi-bench-var-")
    os.environ["GONGZHI_VAR_DIR"] = var
    os.environ["GONGZHI_MEDIA_ROOT"] = os.path.join(var, "media")
    os.environ["DJANGO_SETTINGS_MODULE"] = "gongzhi.settings.base"
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ["DATABASE_URL"] = database_url
    import django

    django.setup()


def generate(n: int, seed: int, log) -> dict:
    """Units with centres, then people, volunteer profiles, skills and service locations with COPY."""
    from django.db import connection, transaction

    from gongzhi.org.models import Unit
    from gongzhi.people.models import Skill

    rnd = random.Random(seed)
    district, streets, leaves, users = _world()
    centres = {}
    for unit_id, path, _si in leaves:
        if len(path) == 12:
            centres[unit_id] = (CENTRE[0] + rnd.uniform(-0.12, 0.12), CENTRE[1] + rnd.uniform(-0.15, 0.15))
    by_path = {path: uid for uid, path, _si in leaves}
    for unit_id, path, _si in leaves:
        if len(path) > 12:
            lat, lng = centres[by_path[path[:12]]]
            centres[unit_id] = (lat + rnd.uniform(-0.01, 0.01), lng + rnd.uniform(-0.012, 0.012))
    for unit_id, (lat, lng) in centres.items():
        Unit.objects.filter(pk=unit_id).update(latitude=f"{lat:.6f}", longitude=f"{lng:.6f}")
    Unit.objects.filter(pk=district.pk).update(latitude=CENTRE[0], longitude=CENTRE[1])
    skills = list(Skill.objects.values_list("pk", flat=True))
    weights = [1 / (1 + i % 13) ** 0.5 for i in range(len(leaves))]
    now = "2030-05-01 00:00:00+00"
    counts = {"units": 1 + len(streets) + len(leaves)}
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET session_replication_role = replica")
        raw = cur.cursor
        person = _Copy(raw, "people_person", [
            "id", "unit_id", "name", "name_pinyin", "name_initials", "id_type", "id_number_enc", "id_number_masked",
            "sex", "phone_enc", "phone_digest", "phone_masked", "phone_tail", "address_enc", "address_masked",
            "created_at", "updated_at"])
        vol = _Copy(raw, "people_volunteerprofile", ["id", "person_id", "unit_id", "number", "status",
                                                       "availability", "motivation", "applied_at",
                                                       "status_changed_at"])
        vskill = _Copy(raw, "people_volunteerprofile_skills", ["id", "volunteerprofile_id", "skill_id"])
        loc = _Copy(raw, "dispatch_servicelocation", ["id", "volunteer_id", "latitude", "longitude", "label",
                                                      "updated_at"])
        sid = lid = 0
        for i in range(1, n + 1):
            unit_id = rnd.choices(leaves, weights)[0][0]
            tail = f"{rnd.randrange(10000):04d}"
            person.row(i, unit_id, rnd.choice(SURNAMES) + rnd.choice(GIVEN) + rnd.choice(GIVEN), "", "",
                       "resident_id", "", "", "", "", "", f"138****{tail}", tail, "", "", now, now)
            status = "active" if rnd.random() < 0.93 else rnd.choice(["applied", "screening", "suspended"])
            slots = sorted(rnd.sample(SLOTS, rnd.randint(1, 3)), key=SLOTS.index)
            vol.row(i, i, unit_id, f"ZY{i:010d}", status, json.dumps(slots), "", now, now)
            for s in rnd.sample(skills, rnd.choice((0, 1, 1, 2, 2, 3))):
                sid += 1
                vskill.row(sid, i, s)
            if rnd.random() < 0.4:
                lat, lng = centres[unit_id]
                lid += 1
                loc.row(lid, i, f"{lat + rnd.uniform(-0.013, 0.013):.6f}", f"{lng + rnd.uniform(-0.016, 0.016):.6f}",
                        "", now)
            if i % 200_000 == 0:
                log(f"  {i:,} volunteers generated")
        counts["people"] = person.close()
        counts["volunteers"] = vol.close()
        counts["skills"] = vskill.close()
        counts["locations"] = loc.close()
        for table in ("people_person", "people_volunteerprofile", "people_volunteerprofile_skills",
                      "dispatch_servicelocation"):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        cur.execute("SET session_replication_role = DEFAULT")
    with connection.cursor() as cur:
        for table in ("people_person", "people_volunteerprofile", "people_volunteerprofile_skills",
                      "dispatch_servicelocation", "org_unit"):
            cur.execute(f"ANALYZE {table}")
    return {"district": district, "streets": streets, "leaves": leaves, "users": users, "counts": counts,
            "centres": centres}


def _orders(world: dict, k: int, seed: int):
    """K orders at random points of the district, half needing a skill, one in ten limited to a team of 40."""
    from gongzhi.dispatch.models import Order
    from gongzhi.org.models import Organisation
    from gongzhi.people.models import Skill, TeamMembership

    rnd = random.Random(seed + 1)
    skills = list(Skill.objects.all())
    leaves = world["leaves"]
    teams = []
    for t in range(5):
        team = Organisation.objects.create(name=f"便民维修队{t + 1}", kind="team", unit_id=leaves[t * 10][0])
        members = rnd.sample(range(1, world["counts"]["volunteers"] + 1), 40)
        TeamMembership.objects.bulk_create([TeamMembership(team=team, person_id=p, joined_on=dt.date(2030, 1, 1))
                                            for p in members])
        teams.append(team)
    user = world["users"]["bench-district"]
    out = []
    start = dt.datetime(2030, 5, 6, tzinfo=TZ)
    for i in range(k):
        unit_id, _path, _si = rnd.choice(leaves)
        lat, lng = world["centres"][unit_id]
        due = start + dt.timedelta(hours=rnd.randrange(7 * 24))
        out.append(Order.objects.create(
            title=f"任务{i}", unit_id=unit_id, latitude=f"{lat + rnd.uniform(-0.02, 0.02):.6f}",
            longitude=f"{lng + rnd.uniform(-0.025, 0.025):.6f}",
            skill=rnd.choice(skills) if rnd.random() < 0.5 else None,
            team=rnd.choice(teams) if rnd.random() < 0.1 else None, due_at=due, created_by=user,
            created_at=start))
    return out


def _pct(samples: list[float]) -> tuple[float, float]:
    s = sorted(samples)
    return statistics.median(s), s[min(len(s) - 1, int(round(0.95 * (len(s) - 1))))]


def _agree(a: list[tuple[float, int]], b: list[tuple[float, int]]) -> bool:
    """Same volunteers in the same order, or (float ties) the same scores to 1e-9."""
    if [v for _s, v in a] == [v for _s, v in b]:
        return True
    return len(a) == len(b) and all(abs(x[0] - y[0]) < 1e-9 for x, y in zip(a, b, strict=True))


def run(opts) -> dict:
    from django.core.management import call_command
    from django.db import connection

    from gongzhi.dispatch import selectors, services

    started = time.perf_counter()

    def log(msg: str) -> None:
        print(f"[{time.perf_counter() - started:7.1f}s] {msg}", flush=True)

    call_command("migrate", verbosity=0)
    log("migrated")
    t0 = time.perf_counter()
    world = generate(opts.volunteers, opts.seed, log)
    gen_seconds = time.perf_counter() - t0
    log(f"generated {world['counts']['volunteers']:,} volunteers in {gen_seconds:.1f}s")
    t0 = time.perf_counter()
    n = services.candidates_rebuild(batch=10_000, log=lambda m: None)
    rebuild_seconds = time.perf_counter() - t0
    log(f"candidates rebuilt: {n:,} rows in {rebuild_seconds:.1f}s")
    with connection.cursor() as cur:
        cur.execute("UPDATE dispatch_candidate SET recent_load = 1 + (volunteer_id %% 4) "
                    "WHERE volunteer_id %% 20 = %s", [opts.seed % 20])
    with connection.cursor() as cur:  # autocommit: the visibility map lets the ring search read the index only
        cur.execute("VACUUM ANALYZE dispatch_candidate")
    orders = _orders(world, opts.orders, opts.seed)
    log(f"{len(orders)} orders")
    for order in orders[:5]:  # warm the caches the way a running server has them
        selectors.suggestions(order=order)
    fast, ranked_only, results = [], [], []
    for order in orders:
        t0 = time.perf_counter()
        got = selectors.suggestions(order=order)
        fast.append(time.perf_counter() - t0)
        t = selectors.order_target(order)
        t0 = time.perf_counter()
        rows = selectors.ranked(t, 10)
        ranked_only.append(time.perf_counter() - t0)
        results.append((order, t, [(r["score"], r["volunteer_id"]) for r in rows], got))
    log(f"suggestions: p50 {_pct(fast)[0] * 1000:.1f} ms p95 {_pct(fast)[1] * 1000:.1f} ms")
    scan, agree_sql = [], 0
    for _order, t, rows, _got in results[:opts.scan_runs]:
        t0 = time.perf_counter()
        brute = selectors.ranked_scan(t, 10)
        scan.append(time.perf_counter() - t0)
        agree_sql += _agree(rows, [(r["score"], r["volunteer_id"]) for r in brute])
    log(f"SQL brute force: p50 {_pct(scan)[0] * 1000:.0f} ms p95 {_pct(scan)[1] * 1000:.0f} ms; "
        f"top 10 agree for {agree_sql}/{len(scan)}")
    py, agree_py = [], 0
    for _order, t, rows, _got in results[:opts.python_runs]:
        t0 = time.perf_counter()
        brute = selectors.ranked_python(t, 10)
        py.append(time.perf_counter() - t0)
        agree_py += _agree(rows, brute)
    log(f"Python brute force: p50 {_pct(py)[0]:.1f} s; top 10 agree for {agree_py}/{len(py)}")
    sample = results[0][3][:3]
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM dispatch_candidate WHERE active")
        active = cur.fetchone()[0]
        cur.execute("SHOW server_version")
        pg = cur.fetchone()[0]
    return {"volunteers": opts.volunteers, "orders": len(orders), "seed": opts.seed, "counts": world["counts"],
            "active": active, "generate_seconds": gen_seconds, "rebuild_seconds": rebuild_seconds,
            "fast": _pct(fast), "ranked": _pct(ranked_only), "scan": _pct(scan), "python": _pct(py) if py else None,
            "python_runs": len(py), "scan_runs": len(scan), "agree_sql": agree_sql, "agree_py": agree_py,
            "sample": [s.reason for s in sample], "postgresql": pg, "total_seconds": time.perf_counter() - started}


def render(r: dict) -> str:
    c = r["counts"]
    cpu = ""
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    ms = lambda pair: f"{pair[0] * 1000:.1f} ms | {pair[1] * 1000:.1f} ms"  # noqa: E731
    lines = [
        "# Dispatch benchmark",
        "",
        f"`python -m bench dispatch --volunteers {r['volunteers']} --orders {r['orders']}` (seed {r['seed']}): "
        f"{c['volunteers']:,} volunteers ({r['active']:,} active) with {c['skills']:,} skill rows and "
        f"{c['locations']:,} declared service locations over {c['units']} units (≈ 27 × 27 km), written with COPY "
        f"in {r['generate_seconds']:.0f} s; the candidate table rebuilt by `gongzhi dispatch --rebuild-candidates` "
        f"in {r['rebuild_seconds']:.0f} s; PostgreSQL {r['postgresql']} (throw-away cluster, default settings). "
        f"{r['orders']} orders at random points (half needing a skill, one in ten limited to a 40-member team, "
        "any hour of the week); top 10 suggested assignees each.",
        "",
        "| query | p50 | p95 |",
        "|---|---:|---:|",
        f"| `selectors.suggestions` (whole: fresh/stale-row checks, ring search over nearby cells, names, reasons) "
        f"| {ms(r['fast'])} |",
        f"| ring search alone (`selectors.ranked`) | {ms(r['ranked'])} |",
        f"| brute force in SQL: every candidate scored, same formula (`selectors.ranked_scan`, {r['scan_runs']} "
        f"orders) | {ms(r['scan'])} |",
    ]
    if r["python"]:
        lines.append(f"| brute force in Python: every candidate scored by `ranking.score` ({r['python_runs']} orders) "
                     f"| {r['python'][0] * 1000:,.0f} ms | {r['python'][1] * 1000:,.0f} ms |")
    lines += [
        "",
        f"Top 10 identical to the SQL brute force for {r['agree_sql']}/{r['scan_runs']} orders and to the Python brute "
        f"force for {r['agree_py']}/{r['python_runs']} (goal p95 < 50 ms for the suggestion).",
        "",
        "Example reasons (first order): " + " / ".join(f"“{s}”" for s in r["sample"]),
        "",
        f"Machine: {cpu}, {os.cpu_count()} cores, {platform.platform()}, Python {platform.python_version()}; "
        f"load average {', '.join(f'{x:.2f}' for x in os.getloadavg())}; run at {time.strftime('%Y-%m-%d %H:%M %Z')}, "
        f"{r['total_seconds']:.0f} s in all.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[2:] if argv is None else argv)
    p = argparse.ArgumentParser(prog="python -m bench dispatch", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--volunteers", type=int, default=1_000_000)
    p.add_argument("--orders", type=int, default=200)
    p.add_argument("--scan-runs", type=int, default=200, help="orders also ranked by the SQL brute force")
    p.add_argument("--python-runs", type=int, default=3, help="orders also ranked by the Python brute force")
    p.add_argument("--seed", type=int, default=20300501)
    p.add_argument("--database-url", help="an existing PostgreSQL database (default: a throw-away cluster started "
                   "by scripts/pgtest.sh on port 54334)")
    p.add_argument("--no-write", action="store_true", help="do not write bench/RESULTS.md")
    opts = p.parse_args(argv)
    url = opts.database_url or os.environ.get("DATABASE_URL")
    if not url:
        env = dict(os.environ, PGTEST_PORT=os.environ.get("PGTEST_PORT", PORT))
        cmd = [str(ROOT / "scripts" / "pgtest.sh"), sys.executable, "-m", "bench", "dispatch", *argv]
        raise SystemExit(subprocess.run(cmd, cwd=ROOT, env=env, check=False).returncode)
    if not url.startswith("postgres"):
        raise SystemExit("the dispatch benchmark needs PostgreSQL (COPY)")
    _django(url)
    result = run(opts)
    text = render(result)
    print()
    print(text)
    if not opts.no_write:
        write_section(text)
        print(f"written to {HERE / 'RESULTS.md'}")
