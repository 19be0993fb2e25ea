"""Reads for the org tree, scoped to the actor's subtrees."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from gongzhi.accounts import scoping
from gongzhi.core.errors import CommonError

from . import permissions as perms
from .models import Organisation, Unit, subtree_q


def under_q(path: str, field: str = "path") -> Q:
    """A user-supplied subtree filter (?under=, ?unit=): a tree path is digits only, anything else is a 422."""
    path = (path or "").strip()
    if not (path.isdigit() and len(path) <= 24):
        raise CommonError.VALIDATION.error(detail=[{"loc": ["query", "under"], "msg": "unit path: digits only"}])
    return subtree_q(path, field)


def unit_list(*, actor, kind: str | None = None, under: str | None = None, q: str = "") -> QuerySet:
    scoping.require(actor, perms.VIEW)
    qs = scoping.scope(Unit.objects.select_related("parent"), actor, perms.VIEW, "path")
    if kind:
        qs = qs.filter(kind=kind)
    if under:
        qs = qs.filter(under_q(under))
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(code__startswith=q))
    return qs.order_by("path")


def unit_get(*, actor, pk: int | None = None, code: str | None = None) -> Unit:
    lookup = {"pk": pk} if pk is not None else {"code": code}
    return scoping.get_scoped(Unit.objects.select_related("parent"), actor, perms.VIEW, "path", **lookup)


def unit_children(*, unit: Unit) -> QuerySet:
    return Unit.objects.filter(parent=unit).order_by("path")


def unit_subtree(*, actor, unit: Unit) -> QuerySet:
    """Every unit below (and including) ``unit`` that the actor may see: one range query."""
    return unit_list(actor=actor, under=unit.path)


def unit_breadcrumbs(*, actor, unit: Unit) -> list[Unit]:
    """Ancestors the actor may see, root first."""
    paths = unit.ancestors_paths()
    visible = scoping.scope(Unit.objects.filter(path__in=paths), actor, perms.VIEW, "path")
    return sorted(visible, key=lambda u: u.path)


def organisation_list(*, actor, kind: str | None = None, under: str | None = None, q: str = "") -> QuerySet:
    scoping.require(actor, perms.VIEW)
    qs = scoping.scope(Organisation.objects.select_related("unit", "parent"), actor, perms.VIEW, "unit__path")
    if kind:
        qs = qs.filter(kind=kind)
    if under:
        qs = qs.filter(under_q(under, "unit__path"))
    if q:
        qs = qs.filter(name__contains=q)
    return qs.annotate(
        member_count=Count("memberships", filter=Q(memberships__left_on__isnull=True), distinct=True)
    ).order_by("unit__path", "kind", "name")


def organisation_get(*, actor, pk: int) -> Organisation:
    return scoping.get_scoped(
        Organisation.objects.select_related("unit", "parent"), actor, perms.VIEW, "unit__path", pk=pk
    )
