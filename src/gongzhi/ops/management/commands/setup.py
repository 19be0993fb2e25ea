"""``gongzhi setup``: a fresh production database's top unit and its first administrator.

Everything else (streets, communities, people, roles) is then added by that administrator through the pages and the
API, which only add units under an existing one. Safe to run again: an existing unit with the same code and an
existing login are kept, and a role already held is not granted twice.
"""

from __future__ import annotations

import getpass
import os
import sys

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.accounts.models import RoleAssignment, User
from gongzhi.accounts.roles import Role
from gongzhi.accounts.services import role_grant, user_create
from gongzhi.core.errors import DomainError
from gongzhi.org.divisions import UnitKind
from gongzhi.org.models import Unit
from gongzhi.org.services import unit_create

from .backup import command_error

TOP_KINDS = (UnitKind.PROVINCE, UnitKind.CITY, UnitKind.DISTRICT, UnitKind.STREET)
ADMIN_ROLE = {UnitKind.STREET: Role.STREET_ADMIN}  # any higher tier: the top administrator's role
PASSWORD_ENV = "GONGZHI_ADMIN_PASSWORD"


class Command(BaseCommand):
    help = "新部署的初始化：创建最上级行政单元及其第一位管理员（可重复运行）"

    def add_arguments(self, parser):
        parser.add_argument("--unit-code", required=True, help="最上级单元的区划代码，例如 370117")
        parser.add_argument("--unit-name", required=True, help="最上级单元的名称，例如 钢城区")
        parser.add_argument("--unit-kind", default=UnitKind.DISTRICT, choices=[str(k) for k in TOP_KINDS],
                            help="单元类型，默认 district")
        parser.add_argument("--admin", required=True, help="管理员用户名")
        parser.add_argument("--admin-phone", default="", help="管理员手机号（可用于登录）")

    def _password(self) -> str:
        password = os.environ.get(PASSWORD_ENV, "")
        if password or not sys.stdin.isatty():
            if not password:
                raise CommandError(_("请在环境变量 %(var)s 中给出管理员密码，或在终端中运行以输入密码") % {"var": PASSWORD_ENV})
            return password
        first, second = getpass.getpass(_("管理员密码：")), getpass.getpass(_("再次输入密码："))
        if first != second:
            raise CommandError(_("两次输入的密码不一致"))
        return first

    def handle(self, *args, unit_code: str, unit_name: str, unit_kind: str, admin: str, admin_phone: str,
               **options):
        existing = User.objects.filter(username=admin).first()
        password = None if existing else self._password()
        if password is not None:
            try:
                validate_password(password, User(username=admin))
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
        try:
            with transaction.atomic():
                unit = Unit.objects.filter(code=unit_code.strip()).first()
                if unit is None:
                    unit = unit_create(code=unit_code, name=unit_name, kind=unit_kind, parent=None, actor=None)
                elif unit.parent_id is not None:
                    raise CommandError(_("区划代码 %(code)s 已是“%(name)s”的下级单元，不能作为最上级单元")
                                       % {"code": unit.code, "name": unit.parent.name})
                user = existing or user_create(username=admin, password=password, display_name=admin,
                                               phone=admin_phone or None)
                role = ADMIN_ROLE.get(unit.kind, Role.DISTRICT_ADMIN)
                if not RoleAssignment.objects.filter(user=user, role=role, unit=unit,
                                                     revoked_at__isnull=True).exists():
                    role_grant(user=user, role=role, unit=unit, actor=None)
        except DomainError as err:
            raise command_error(err) from err
        self.stdout.write(self.style.SUCCESS(
            _("最上级单元：%(unit)s（%(code)s）；管理员 %(admin)s 在该单元担任%(role)s。")
            % {"unit": unit.name, "code": unit.code, "admin": user.username, "role": Role(role).label}))
