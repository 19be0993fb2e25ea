"""Assignee-suggestion benchmark: ``python -m bench dispatch [--volunteers N] [--orders K] [--seed S] [--no-write]``.

On a throw-away PostgreSQL cluster (``scripts/pgtest.sh``, port 54334 unless ``PGTEST_PORT`` says otherwise; or an
existing server with ``--database-url``):

1. a generated district from the scale-data generator (``gongzhi.seed``, the district scale's 钢城区 tree with a
   centre point per unit), reproducible by seed; N volunteers (people with encrypted fields + volunteer profiles +
   skills + teams, written with ``COPY``): home in a weighted community, village or grid, 0–3 of the skills, 1–3
   availability slots, 93 % active, 40 % with a declared service location within ≈ 1.5 km of home;
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
import random
import time
from pathlib import Path

from . import machine
from .results import percentiles, summary_add, write_section

HERE = Path(__file__).resolve().parent
PORT = "54334"
TZ = dt.timezone(dt.timedelta(hours=8))


def generate(n: int, seed: int, log) -> dict:
    """The district's units (with centres), people, volunteer profiles, skills, service locations and teams."""
    from gongzhi.accounts.models import User
    from gongzhi.seed import scales
    from gongzhi.seed.runner import run

    scale = scales.get("district").with_counts(volunteers=n, people=n * 5 // 4)
    report = run(scale, seed=seed, kinds=["volunteers"], derived=False, log=log)
    w = report.world
    from django.db import connection

    counts = {"units": len(w.units)}
    with connection.cursor() as cur:
        for key, table in (("volunteers", "people_volunteerprofile"), ("skills", "people_volunteerprofile_skills"),
                           ("locations", "dispatch_servicelocation")):
            cur.execute(f"SELECT count(*) FROM {table}")
            counts[key] = cur.fetchone()[0]
    return {"world": w, "users": {"bench-district": User.objects.get(pk=w.admin_id)}, "counts": counts,
            "now": report.now}


def _orders(gen: dict, k: int, seed: int):
    """K orders at random points of the district, half needing a skill, one in ten limited to a team of 40."""
    from gongzhi.dispatch.models import Order
    from gongzhi.org.models import Organisation
    from gongzhi.people.models import Skill, TeamMembership, VolunteerProfile

    rnd = random.Random(seed + 1)
    skills = list(Skill.objects.all())
    world = gen["world"]
    leaves = world.leaves
    people = list(VolunteerProfile.objects.values_list("person_id", flat=True))
    start = gen["now"] + dt.timedelta(days=5)
    teams = []
    for t in range(5):
        team = Organisation.objects.create(name=f"便民维修队{t + 1}", kind="team", unit_id=leaves[t * 10].id)
        TeamMembership.objects.bulk_create([TeamMembership(team=team, person_id=p, joined_on=start.date())
                                            for p in rnd.sample(people, min(40, len(people)))])
        teams.append(team)
    user = gen["users"]["bench-district"]
    out = []
    for i in range(k):
        leaf = rnd.choice(leaves)
        due = start + dt.timedelta(hours=rnd.randrange(7 * 24))
        out.append(Order.objects.create(
            title=f"任务{i}", unit_id=leaf.id, latitude=f"{leaf.lat + rnd.uniform(-0.02, 0.02):.6f}",
            longitude=f"{leaf.lng + rnd.uniform(-0.025, 0.025):.6f}",
            skill=rnd.choice(skills) if rnd.random() < 0.5 else None,
            team=rnd.choice(teams) if rnd.random() < 0.1 else None, due_at=due, created_by=user,
            created_at=gen["now"]))
    return out


_pct = percentiles


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
            "sample": [s.reason for s in sample], "postgresql": pg, "total_seconds": time.perf_counter() - started,
            "started": started}


def render(r: dict) -> str:
    c = r["counts"]
    ms = lambda pair: f"{pair[0] * 1000:.1f} ms | {pair[1] * 1000:.1f} ms"  # noqa: E731
    lines = [
        "# Dispatch benchmark",
        "",
        f"`python -m bench dispatch --volunteers {r['volunteers']} --orders {r['orders']}` (seed {r['seed']}): "
        f"{c['volunteers']:,} volunteers ({r['active']:,} active) with {c['skills']:,} skill rows and "
        f"{c['locations']:,} declared service locations over {c['units']} units (≈ 20 × 20 km), written with COPY "
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
        machine.stamp(r["started"]),
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str]) -> None:
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
    url = machine.postgres_or_rerun(opts.database_url, ["dispatch", *argv], PORT, "dispatch")
    machine.django_setup(url)
    result = run(opts)
    text = render(result)
    print()
    print(text)
    fast, scan = result["fast"], result["scan"]
    summary_add(benchmark=f"assignee suggestion, {result['counts']['volunteers']:,} volunteers",
                figure=f"p95 {fast[1] * 1000:.1f} ms", goal="p95 < 50 ms",
                baseline=f"SQL brute force p95 {scan[1] * 1000:.0f} ms", ratio=f"{scan[1] / fast[1]:.0f}× faster",
                met=fast[1] < 0.05 and result["agree_sql"] == result["scan_runs"])
    if not opts.no_write:
        write_section(text)
        write_section(machine.section(), first=True)
        print(f"written to {HERE / 'RESULTS.md'}")
