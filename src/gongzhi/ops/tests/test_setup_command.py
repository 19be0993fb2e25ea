"""``gongzhi setup`` gives a fresh database its top unit and first administrator, and is safe to run again."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from gongzhi.accounts import scoping
from gongzhi.accounts.models import RoleAssignment, User
from gongzhi.accounts.roles import Role
from gongzhi.org.models import Unit

pytestmark = pytest.mark.django_db
ARGS = ["--unit-code", "370117", "--unit-name", "钢城区", "--admin", "admin"]


def test_setup_creates_the_top_unit_and_its_administrator_once(monkeypatch):
    monkeypatch.setenv("GONGZHI_ADMIN_PASSWORD", "Lv-9x!kq2Zm")
    call_command("setup", *ARGS)
    call_command("setup", *ARGS)  # again: nothing doubled
    unit = Unit.objects.get()
    assert (unit.code, unit.name, unit.kind, unit.parent_id, unit.path) == ("370117", "钢城区", "district", None,
                                                                             "370117")
    admin = User.objects.get(username="admin")
    assert admin.check_password("Lv-9x!kq2Zm")
    assert list(RoleAssignment.objects.values_list("role", "unit__code")) == [(Role.DISTRICT_ADMIN, "370117")]
    assert scoping.can(admin, "org.manage_units", unit)


def test_setup_refuses_a_weak_or_missing_password_and_a_bad_code(monkeypatch):
    monkeypatch.setenv("GONGZHI_ADMIN_PASSWORD", "12345678")
    with pytest.raises(CommandError, match="common|常见|numeric|数字"):
        call_command("setup", *ARGS)
    monkeypatch.delenv("GONGZHI_ADMIN_PASSWORD")
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    with pytest.raises(CommandError, match="GONGZHI_ADMIN_PASSWORD"):
        call_command("setup", *ARGS)
    monkeypatch.setenv("GONGZHI_ADMIN_PASSWORD", "Lv-9x!kq2Zm")
    with pytest.raises(CommandError):
        call_command("setup", "--unit-code", "37011", "--unit-name", "钢城区", "--admin", "admin")
    assert not Unit.objects.exists() and not User.objects.exists()
