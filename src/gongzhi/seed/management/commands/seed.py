"""``gongzhi seed --scale district|city|province [--seed N] [--fraction F] [--only KIND,…] [--database-url URL]``."""

from __future__ import annotations

import os
import sys
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from gongzhi.seed import scales
from gongzhi.seed.runner import KINDS, SeedError, run

HELP = f"""Generate realistic scale data fast into the configured database (COPY on PostgreSQL, bulk inserts on
SQLite), reproducible by --seed. The database is migrated first and must not hold the scale's top unit yet.

{scales.table()}

Plus the org tree (钢城区: 6 streets, 24 communities, 222 villages and their grids; 济南市: its 12 real districts;
山东省: its 16 real cities and their districts), teams, activities (≈ 16 volunteers each), AppealEvent histories,
postings, redemptions and the places' service kinds."""


class Command(BaseCommand):
    help = HELP

    def create_parser(self, prog_name, subcommand, **kwargs):
        from argparse import RawDescriptionHelpFormatter

        kwargs["formatter_class"] = RawDescriptionHelpFormatter
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=list(scales.SCALES), required=True)
        parser.add_argument("--seed", type=int, default=1, help="same seed (on the same day) → same rows")
        parser.add_argument("--fraction", type=float, default=1.0, help="scale the row counts (not the tree)")
        parser.add_argument("--only", default="", help=f"comma-separated kinds (and what they need): {', '.join(KINDS)}")
        parser.add_argument("--database-url", help="write into this database instead of the configured one")
        parser.add_argument("--no-derived", action="store_true",
                            help="skip rebuilding the dashboard rollups and the dispatch candidates afterwards")

    def handle(self, *args, scale, seed, fraction, only, database_url=None, no_derived=False, **options):
        if database_url and os.environ.get("DATABASE_URL") != database_url:
            # settings read DATABASE_URL once at start-up: run again with it
            argv, skip = [], False
            for a in sys.argv[1:]:
                if skip or a.startswith("--database-url="):
                    skip = False
                    continue
                if a == "--database-url":
                    skip = True
                    continue
                argv.append(a)
            env = dict(os.environ, DATABASE_URL=database_url)
            os.execvpe(sys.executable, [sys.executable, "-m", "gongzhi", *argv], env)
        if not 0 < fraction <= 100:
            raise CommandError("--fraction must be in (0, 100]")
        kinds = [k.strip() for k in only.split(",") if k.strip()] or list(KINDS)
        unknown = set(kinds) - set(KINDS)
        if unknown:
            raise CommandError(f"unknown kinds: {', '.join(sorted(unknown))}")
        call_command("migrate", verbosity=0)
        chosen = scales.get(scale, fraction)
        started, cpu = time.perf_counter(), time.process_time()

        def log(msg: str) -> None:
            self.stdout.write(f"[{time.perf_counter() - started:7.1f}s] {msg}")
            self.stdout.flush()

        try:
            report = run(chosen, seed=seed, kinds=kinds, log=log, derived=not no_derived)
        except SeedError as e:
            raise CommandError(str(e)) from None
        total = sum(n for n, _s in report.rates.values())
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        log(f"done: {total:,} rows in {wall:.1f} s ({total / wall:,.0f} rows/s overall; {cpu:.1f} s CPU in this "
            f"process, {total / cpu:,.0f} rows per CPU-second)")
