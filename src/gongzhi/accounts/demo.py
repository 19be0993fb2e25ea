"""Accounts of the 钢城区 demo: the fixed demo logins (password in demo data only) and the workers behind them.

Besides the nine published logins, every street and community/village without a demo login gets a worker
account with an unusable password (``street-<code>``, ``worker-<code>``), so the volunteer screening history of
the demo has plausible, in-scope reviewers.

``demo-district`` is staff with *view* permissions on the models whose admin is scoped by the org tree
(``core.admin_scoping.ScopedAdmin``): the back office then shows 钢城区 read-only. It gets no permission on the
user and token admins, which are not scoped.
"""

from __future__ import annotations

from django.contrib.auth.models import Permission

from gongzhi.core.demo_data.logins import DEMO_PASSWORD, LOGINS
from gongzhi.core.demo_data.places import PLACES, STREETS

from .roles import Role
from .services import role_grant, user_create

# Models registered with a scoped admin (ScopedAdmin / AppendOnlyAdmin) plus reference tables.
STAFF_VIEW_MODELS = {
    "org": ["unit", "organisation"],
    "people": ["person", "household", "volunteerprofile", "consentrecord", "personchange", "volunteerreview",
               "volunteerstatuschange", "teammembership", "importjob", "tag", "skill"],
    "privacy": ["accesslog"],
}

DEMO_LOGIN_UNITS = {login.unit_code for login in LOGINS if login.role in (Role.STREET_ADMIN, Role.COMMUNITY_WORKER)}


def worker_username(unit_code: str) -> str:
    """The reviewer account of a street or community/village: a demo login where there is one."""
    for login in LOGINS:
        if login.unit_code == unit_code and login.role in (Role.STREET_ADMIN, Role.COMMUNITY_WORKER):
            return login.username
    return f"street-{unit_code}" if len(unit_code) == 9 else f"worker-{unit_code}"


def _view_permissions() -> list[Permission]:
    perms = []
    for app_label, models in STAFF_VIEW_MODELS.items():
        perms += Permission.objects.filter(
            content_type__app_label=app_label, content_type__model__in=models, codename__startswith="view_"
        )
    return perms


def contribute(ctx) -> None:
    for login in LOGINS:
        user = user_create(username=login.username, password=DEMO_PASSWORD, display_name=login.display_name,
                           phone=login.phone)
        role_grant(user=user, role=login.role, unit=ctx.unit(login.unit_code), actor=None)
        if login.staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
            user.user_permissions.add(*_view_permissions())
    workers = 0
    staffing = [(s, Role.STREET_ADMIN, "管理员") for s in STREETS] + [(p, Role.COMMUNITY_WORKER, "工作人员") for p in PLACES]
    for unit, role, title in staffing:
        if unit.code not in DEMO_LOGIN_UNITS:
            user = user_create(username=worker_username(unit.code), password=None, display_name=f"{unit.name}{title}")
            role_grant(user=user, role=role, unit=ctx.unit(unit.code), actor=None)
            workers += 1
    ctx.count("演示账号", len(LOGINS))
    ctx.count("工作人员账号（不可登录）", workers)
