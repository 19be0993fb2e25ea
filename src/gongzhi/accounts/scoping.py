"""The one place that decides what an actor may see and do, by the org tree.

A role held at a unit grants its named permissions on that unit's whole subtree and nowhere else. Every page, API
endpoint, export and admin queryset goes through these helpers:

- :func:`scope` limits a queryset to rows under the units where the actor holds a permission;
- :func:`can` / :func:`require` check one permission on one unit (403 when missing);
- :func:`get_scoped` fetches by id and answers not-found for rows outside the actor's units (404).

Subtrees are path-prefix range scans (see :func:`gongzhi.org.models.subtree_q`), so scoping is one indexed query.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable

from django.db import connection
from django.db.models import Model, Q, QuerySet

from gongzhi.core import ids
from gongzhi.core.errors import CommonError
from gongzhi.org.models import Unit, subtree_q

from .models import RoleAssignment
from .permissions import roles_with

_CACHE_ATTR = "_gongzhi_role_paths"


def _role_paths(actor) -> list[tuple[str, str, int]]:
    """(role, unit path, unit id) for the actor's active roles, loaded once per user object."""
    cached = getattr(actor, _CACHE_ATTR, None)
    if cached is None:
        if not getattr(actor, "is_authenticated", False):
            cached = []
        else:
            # every request of a signed-in user pays this read: hand-written (as core.hotreads) — the same rows as
            # RoleAssignment.objects.filter(user_id=…, revoked_at__isnull=True).values_list("role", "unit__path",
            # "unit_id"), without compiling that queryset each time
            with connection.cursor() as cursor:
                cursor.execute(_roles_sql(connection.vendor), [actor.pk])
                cached = [tuple(row) for row in cursor.fetchall()]
        setattr(actor, _CACHE_ATTR, cached)
    return cached


@functools.lru_cache(maxsize=4)
def _roles_sql(vendor: str) -> str:
    quote = connection.ops.quote_name
    roles, units = quote(RoleAssignment._meta.db_table), quote(Unit._meta.db_table)
    return (f"SELECT r.{quote('role')}, u.{quote('path')}, r.{quote('unit_id')} FROM {roles} r "
            f"INNER JOIN {units} u ON u.{quote('id')} = r.{quote('unit_id')} "
            f"WHERE r.{quote('user_id')} = %s AND r.{quote('revoked_at')} IS NULL")


def forget(actor) -> None:
    """Drop the cached roles (after granting or revoking)."""
    if hasattr(actor, _CACHE_ATTR):
        delattr(actor, _CACHE_ATTR)


def is_superuser(actor) -> bool:
    return bool(getattr(actor, "is_authenticated", False) and actor.is_superuser and actor.is_active)


def paths_with(actor, perm: str) -> list[str]:
    """Minimal set of subtree roots where the actor holds ``perm`` (nested roots collapsed)."""
    allowed = roles_with(perm)
    paths = sorted({path for role, path, _ in _role_paths(actor) if role in allowed})
    roots: list[str] = []
    for p in paths:
        if not any(p.startswith(r) for r in roots):
            roots.append(p)
    return roots


def has_anywhere(actor, perm: str) -> bool:
    return is_superuser(actor) or bool(paths_with(actor, perm))


def can(actor, perm: str, unit: Unit | str) -> bool:
    if is_superuser(actor):
        return True
    path = unit if isinstance(unit, str) else unit.path
    return any(path.startswith(root) for root in paths_with(actor, perm))


def require(actor, perm: str, unit: Unit | str | None = None) -> None:
    """Raise 403 unless the actor holds ``perm`` (on ``unit``'s subtree if given, else anywhere)."""
    ok = can(actor, perm, unit) if unit is not None else has_anywhere(actor, perm)
    if not ok:
        raise CommonError.FORBIDDEN.error(detail={"permission": perm})


def scope_q(actor, perm: str, path_field: str) -> Q:
    """A filter for rows whose unit path (``path_field``) lies under any unit where the actor holds ``perm``."""
    if is_superuser(actor):
        return Q()
    roots = paths_with(actor, perm)
    if not roots:
        return Q(pk__in=[])
    q = Q()
    for root in roots:
        q |= subtree_q(root, path_field)
    return q


def scope(qs: QuerySet, actor, perm: str, path_field: str) -> QuerySet:
    return qs.filter(scope_q(actor, perm, path_field))


def get_scoped(qs: QuerySet, actor, perm: str, path_field: str, **lookup) -> Model:
    """Fetch one row the actor may see under ``perm``; anything else (missing or another unit's) is 404."""
    require(actor, perm)
    if "pk" in lookup and isinstance(lookup["pk"], int) and not ids.in_range(lookup["pk"]):
        raise CommonError.NOT_FOUND.error()  # an id no row can have: not found, never the driver's OverflowError
    obj = scope(qs, actor, perm, path_field).filter(**lookup).first()
    if obj is None:
        raise CommonError.NOT_FOUND.error()
    return obj


def get_scoped_read(read, actor, perm: str, pk: int, *, path: Callable[[Model], str]) -> Model:
    """:func:`get_scoped` for a hot path whose row is read by hand-written SQL (``read``: a
    :class:`gongzhi.core.hotreads.HotRead` by primary key): the same answers — 403 without ``perm`` anywhere, 404
    for a missing row or one outside the actor's units (``path``: the row's unit path) — checked on the row read."""
    require(actor, perm)
    if not ids.in_range(pk):
        raise CommonError.NOT_FOUND.error()
    obj = read.first([pk])
    if obj is None or not can(actor, perm, path(obj)):
        raise CommonError.NOT_FOUND.error()
    return obj


def units_for(actor, perm: str) -> QuerySet:
    """The units the actor may act on under ``perm`` (whole subtrees)."""
    return scope(Unit.objects.all(), actor, perm, "path")


def top_units(actor) -> list[Unit]:
    """The units where the actor holds any role (for menus and the home page)."""
    ids = {unit_id for _, _, unit_id in _role_paths(actor)}
    return list(Unit.objects.filter(pk__in=ids).order_by("path"))


def roles_of(actor) -> Iterable[tuple[str, str]]:
    return [(role, path) for role, path, _ in _role_paths(actor)]
