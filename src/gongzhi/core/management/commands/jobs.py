"""``gongzhi jobs``: run the registered periodic jobs — once (cron), in a loop (own process), or list them."""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import clock, jobs
from gongzhi.core.models import JobLease


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def render_table(rows: list[tuple[str, ...]]) -> str:
    """Aligned columns (CJK characters count double)."""
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell + " " * (widths[i] - _width(cell)) for i, cell in enumerate(row)).rstrip() for row in rows
    )


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if value else "-"


class Command(BaseCommand):
    help = "Run the periodic jobs that are due (--once), keep running them (--loop), or list them (--list)."

    def add_arguments(self, parser):
        mode = parser.add_mutually_exclusive_group(required=True)
        mode.add_argument("--once", action="store_true", help="run what is due, print a table and exit")
        mode.add_argument("--loop", action="store_true", help="keep running due jobs (for a separate process)")
        mode.add_argument("--list", action="store_true", help="registered jobs with their last run")
        parser.add_argument("--interval", type=float, default=15.0, help="seconds between rounds with --loop")
        parser.add_argument("--max-runs", type=int, default=None, help="stop --loop after this many rounds")

    def handle(self, *args, **options):
        interval, max_runs = options["interval"], options["max_runs"]
        if interval <= 0:
            raise CommandError(_("间隔必须大于0秒"))
        try:
            if options["list"]:
                self._list()
            elif options["once"]:
                self._print_result(jobs.run_due(now=clock.now()))
            else:
                self.stdout.write(_("定时任务运行中（每 %(n)s 秒检查一次），按 Ctrl+C 停止") % {"n": interval})
                jobs.run_loop(interval=interval, max_runs=max_runs, on_result=self._print_round)
        except ImproperlyConfigured as exc:  # REDIS_URL without the redis package: say so, no traceback
            raise CommandError(str(exc)) from exc
        except KeyboardInterrupt:
            self.stdout.write(_("已停止"))

    def _print_round(self, result: dict) -> None:
        if result:
            self._print_result(result)

    def _print_result(self, result: dict) -> None:
        rows = [(_("任务"), _("结果"))]
        for name in sorted(jobs.registered()):
            if name not in result:
                rows.append((name, _("未到期或由其他进程运行")))
            elif result[name] is None:
                rows.append((name, _("失败（见日志）")))
            else:
                rows.append((name, _("完成，处理 %(n)s 条") % {"n": result[name]}))
        self.stdout.write(render_table(rows))

    def _list(self) -> None:
        leases = {row.name: row for row in JobLease.objects.all()}
        rows = [(_("任务"), _("间隔（秒）"), _("上次运行"), _("上次结果"))]
        for name, job in sorted(jobs.registered().items()):
            lease = leases.get(name)
            status = "-"
            if lease is not None and lease.last_run_at is not None:
                status = (_("成功") if lease.last_ok else _("失败")) + f" {lease.last_result}"
            rows.append((name, str(int(job.every.total_seconds())), _when(lease and lease.last_run_at), status))
        self.stdout.write(render_table(rows))
