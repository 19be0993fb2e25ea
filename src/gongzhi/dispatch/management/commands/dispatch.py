"""``gongzhi dispatch --rebuild-candidates``: rebuild the assignee ranking's candidate table from people's tables."""

import time

from django.core.management.base import BaseCommand, CommandError

from gongzhi.dispatch import services


class Command(BaseCommand):
    help = "Rebuild the order board's candidate table (one row per volunteer) from the volunteer profiles."

    def add_arguments(self, parser):
        parser.add_argument("--rebuild-candidates", action="store_true", help="recompute every candidate row")
        parser.add_argument("--batch", type=int, default=5000)

    def handle(self, *args, rebuild_candidates=False, batch=5000, verbosity=1, **options):
        if not rebuild_candidates:
            raise CommandError("give --rebuild-candidates")
        started = time.perf_counter()
        log = (lambda m: self.stdout.write(f"  {m} ({time.perf_counter() - started:.1f}s)")) if verbosity > 1 \
            else (lambda _m: None)
        n = services.candidates_rebuild(batch=batch, log=log)
        self.stdout.write(f"rebuilt {n} candidate rows in {time.perf_counter() - started:.1f}s")
