"""Named permissions and which roles hold them.

Every app declares its permissions in its own ``permissions.py`` with :func:`grant`; views, API endpoints, exports
and the admin all check these names through :mod:`gongzhi.accounts.scoping`.
"""

from __future__ import annotations

from collections import defaultdict

from .roles import Role

_GRANTS: dict[str, frozenset[str]] = {}
_DESCRIPTIONS: dict[str, str] = {}


def grant(name: str, roles: set[str] | frozenset[str], description: str = "") -> str:
    _GRANTS[name] = frozenset(roles)
    _DESCRIPTIONS[name] = description
    return name


def roles_with(name: str) -> frozenset[str]:
    try:
        return _GRANTS[name]
    except KeyError:
        raise KeyError(f"unknown permission {name!r}") from None


def all_permissions() -> dict[str, frozenset[str]]:
    return dict(_GRANTS)


def permissions_of_role(role: str) -> set[str]:
    return {name for name, roles in _GRANTS.items() if role in roles}


def describe(name: str) -> str:
    return _DESCRIPTIONS.get(name, "")


def matrix() -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for name, roles in sorted(_GRANTS.items()):
        for role in roles:
            out[role].append(name)
    return dict(out)


ALL_ROLES = frozenset(Role.values)
ADMINS = frozenset({Role.DISTRICT_ADMIN, Role.STREET_ADMIN})

MANAGE_ROLES = grant("accounts.manage_roles", ADMINS, "授予或撤销下级单元的角色")
VIEW_USERS = grant("accounts.view_users", ADMINS | {Role.COMMUNITY_WORKER}, "查看本辖区账号")
