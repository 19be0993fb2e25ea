"""``gongzhi serve``: the production server (gunicorn, several worker processes, WhiteNoise static files).

Refuses to start while migrations are unapplied (``--migrate`` applies them first). Runs the periodic jobs in one
worker unless ``--no-jobs`` (for deployments that run ``gongzhi jobs --loop`` on their own).
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.utils.translation import gettext as _

from gongzhi.core import jobs
from gongzhi.ops.readiness import unapplied_migrations
from gongzhi.ops.server import GongzhiServer, default_workers


class Command(BaseCommand):
    help = "以生产方式启动服务（gunicorn 多进程）；有未应用的迁移时拒绝启动"
    requires_system_checks = []  # run below, after the migration check, so the refusal is the first thing said

    def add_arguments(self, parser):
        parser.add_argument("--bind", default="127.0.0.1:8000",
                            help="监听地址，默认 127.0.0.1:8000（对外服务用 0.0.0.0:8000，或放在反向代理之后）")
        parser.add_argument("--workers", type=int, default=default_workers(),
                            help="工作进程数，默认 2×CPU 核数+1（本机为 %(default)s）")
        parser.add_argument("--threads", type=int, default=1, help="每个进程的线程数（大于 1 时用 gthread 工作方式）")
        parser.add_argument("--timeout", type=int, default=60, help="单个请求超过此秒数时重启该进程（默认 60）")
        parser.add_argument("--max-requests", type=int, default=0, help="每个进程处理这么多请求后重启（0 为不限）")
        parser.add_argument("--migrate", action="store_true", help="先应用未应用的数据库迁移再启动")
        parser.add_argument("--no-jobs", action="store_true",
                            help="不在服务进程中运行定时任务（另行运行 gongzhi jobs --loop 时使用）")
        parser.add_argument("--jobs-interval", type=float, default=15.0, help="定时任务检查间隔秒数（默认 15）")
        parser.add_argument("--no-collectstatic", action="store_true", help="启动前不收集静态文件")

    def handle(self, *args, bind: str, workers: int, threads: int, timeout: int, max_requests: int,
               migrate: bool, no_jobs: bool, jobs_interval: float, no_collectstatic: bool, **options):
        if workers < 1 or threads < 1 or timeout < 1 or jobs_interval <= 0 or max_requests < 0:
            raise CommandError(_("进程数、线程数、超时和任务间隔都必须大于 0"))
        if migrate:
            call_command("migrate", interactive=False, verbosity=0)
        missing = unapplied_migrations()
        if missing:
            raise CommandError(
                _("数据库有 %(n)d 个迁移尚未应用（如 %(first)s），服务未启动。请先运行 gongzhi migrate，"
                  "或使用 gongzhi serve --migrate。") % {"n": len(missing), "first": missing[0]}
            )
        self.check(display_num_errors=False)
        if not no_jobs and jobs.redis_url():
            try:
                jobs.leases()  # REDIS_URL without the redis package: refuse here, not silently in a worker
            except ImproperlyConfigured as exc:
                raise CommandError(str(exc)) from exc
        if not no_collectstatic:
            Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
            call_command("collectstatic", interactive=False, verbosity=0)
        var_dir = Path(settings.VAR_DIR)
        var_dir.mkdir(parents=True, exist_ok=True)
        connections.close_all()  # nothing opened in the master may be shared by the forked workers
        options_ = {
            "bind": bind,
            "workers": workers,
            "threads": threads,
            "worker_class": "gthread" if threads > 1 else "sync",
            "timeout": timeout,
            "graceful_timeout": 30,
            "keepalive": 5,
            "max_requests": max_requests,
            "max_requests_jitter": max_requests // 10 if max_requests else 0,
            "preload_app": True,
            "accesslog": None,  # gongzhi.ops.middleware writes one JSON line per request
            "errorlog": "-",
            "loglevel": "info",
            "proc_name": "gongzhi",
            "forwarded_allow_ips": "127.0.0.1,::1",
            "control_socket_disable": True,  # one per user by default: two servers on a machine would collide
        }
        self.stdout.write(_("服务地址 %(bind)s，%(w)d 个工作进程%(jobs)s（Ctrl+C 停止）") % {
            "bind": bind, "w": workers, "jobs": "" if no_jobs else _("，定时任务在其中一个进程中运行")})
        self.stdout.flush()
        GongzhiServer(options_, jobs_lock=None if no_jobs else var_dir / "jobs.lock",
                      jobs_interval=jobs_interval).run()
        sys.exit(0)
