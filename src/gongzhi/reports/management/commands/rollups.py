"""``gongzhi rollups --rebuild`` recomputes the report rollups and registered counts from the base tables;
``--check`` compares them."""

import time

from django.core.management.base import BaseCommand, CommandError

from gongzhi.reports import rollups


class Command(BaseCommand):
    help = ("Rebuild (--rebuild) or verify (--check) the report rollups and registered counts against the service "
            "records, activities, volunteers and organisations.")

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="recompute every rollup from scratch")
        parser.add_argument("--check", action="store_true",
                            help="compare the stored rollups with a recomputation; exit 1 on any difference")

    def handle(self, *args, rebuild=False, check=False, verbosity=1, **options):
        if not rebuild and not check:
            raise CommandError("give --rebuild and/or --check")
        if rebuild:
            started = time.perf_counter()
            log = (lambda m: self.stdout.write(f"  {m} ({time.perf_counter() - started:.1f}s)")) if verbosity > 1 \
                else (lambda _m: None)
            counts = rollups.rebuild(log=log)
            self.stdout.write(f"rebuilt: {counts['rollups']} rollup rows, {counts['presence']} presence rows, "
                              f"{counts['participations']} participations, {counts['registered']} registered counts in {time.perf_counter() - started:.1f}s")
        if check:
            problems = rollups.check()
            for p in problems[:50]:
                self.stderr.write(p)
            if problems:
                raise CommandError(f"{len(problems)} differences between stored and recomputed rollups")
            self.stdout.write("rollups agree with the base tables")
