"""``gongzhi demo``: migrate, load the 钢城区 demo district (once), print the demo logins, serve on 127.0.0.1."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gongzhi.accounts.roles import Role
from gongzhi.core.demo import (
    DEFAULT_RESIDENTS,
    DEFAULT_VOLUNTEERS,
    DEMO_PASSWORD,
    LOGINS,
    DemoRefused,
    demo_load,
)

HOST = "127.0.0.1"


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def logins_table(unit_names: dict[str, str]) -> str:
    """The demo logins as an aligned text table (CJK characters count double)."""
    rows = [(_("用户名"), _("角色"), _("单元"), _("密码"))]
    rows += [(login.username, str(Role(login.role).label), unit_names.get(login.unit_code, login.unit_code),
              DEMO_PASSWORD) for login in LOGINS]
    widths = [max(_width(row[i]) for row in rows) for i in range(4)]
    lines = ["  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


class Command(BaseCommand):
    help = "迁移数据库，加载钢城区演示数据（已加载则跳过），打印演示账号，并在 http://127.0.0.1:8000 启动服务"

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true", help="只加载，不启动服务")
        parser.add_argument("--port", type=int, default=8000, help="服务端口（默认 8000）")
        parser.add_argument("--residents", type=int, default=DEFAULT_RESIDENTS, help="演示居民人数（默认 2000）")
        parser.add_argument("--volunteers", type=int, default=DEFAULT_VOLUNTEERS, help="演示志愿者人数（默认 500）")

    def handle(self, *args, no_serve: bool, port: int, residents: int, volunteers: int, **options):
        verbosity = options.get("verbosity", 1)
        if not 1 <= port <= 65535:
            raise CommandError(_("端口应在 1–65535 之间"))
        if not 1 <= volunteers <= residents or residents < len(LOGINS):
            raise CommandError(_("居民人数至少 %(n)d，志愿者人数应在 1 到居民人数之间") % {"n": len(LOGINS)})
        call_command("migrate", interactive=False, verbosity=max(0, verbosity - 1), stdout=self.stdout)
        self.stdout.write(_("加载钢城区演示数据……"))
        try:
            result = demo_load(residents=residents, volunteers=volunteers,
                               log=self.stdout.write if verbosity > 1 else (lambda _: None))
        except DemoRefused:
            raise CommandError(_(
                "数据库中已有不属于演示数据的行政单元，演示数据不会加载到这里（演示账号的密码是公开的）。"
                "请换一个空数据库，例如设置 GONGZHI_VAR_DIR 或 DATABASE_URL。"
            )) from None
        if result.loaded:
            summary = "，".join(f"{k} {v}" for k, v in result.counts.items())
            self.stdout.write(self.style.SUCCESS(
                _("演示数据已加载（%(s).1f 秒）：%(summary)s") % {"s": result.seconds, "summary": summary}
            ))
        else:
            self.stdout.write(_("演示数据已存在，未重复加载。"))
        from gongzhi.org.models import Unit

        names = dict(Unit.objects.filter(code__in={login.unit_code for login in LOGINS}).values_list("code", "name"))
        url = f"http://{HOST}:{port}/"
        self.stdout.write("")
        self.stdout.write(_("演示账号（密码均为 %(password)s，仅用于演示数据）：") % {"password": DEMO_PASSWORD})
        self.stdout.write(logins_table(names))
        self.stdout.write("")
        self.stdout.write(_("登录：%(url)slogin/    后台（demo-district，只读）：%(url)sadmin/    API：%(url)sapi/v1/docs")
                          % {"url": url})
        if no_serve:
            return
        Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)  # WhiteNoise serves from finders; no warning
        for host in (HOST, "localhost"):
            if host not in settings.ALLOWED_HOSTS and "*" not in settings.ALLOWED_HOSTS:
                settings.ALLOWED_HOSTS.append(host)
        self.stdout.write(_("服务地址 %(url)s（Ctrl+C 停止）") % {"url": url})
        call_command("runserver", f"{HOST}:{port}", use_reloader=False, use_threading=True)
