"""Scoped reads of the three lists: every list and fetch goes through ``accounts.scoping`` on the row's unit
(a role at a unit sees that unit's subtree); matches are seen through their need's unit."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from gongzhi.accounts import scoping
from gongzhi.core import ids
from gongzhi.core.errors import CommonError
from gongzhi.core.ids import MAX_ID
from gongzhi.org.models import Unit, subtree_q

from . import permissions as perms
from . import suggestions
from .models import Match, Need, NeedStatus, Project, ProjectStatus, Resource, ServiceKind


def _pk(pk) -> int:
    """An id the database can hold; anything else names no row (and SQLite cannot even bind it)."""
    if not ids.in_range(pk):
        raise CommonError.NOT_FOUND.error()
    return pk


def _within(qs: QuerySet, actor, unit_id: int | None) -> QuerySet:
    """Limit to one visible unit's subtree (an invisible or unknown unit lists nothing)."""
    if unit_id is None:
        return qs
    unit = scoping.units_for(actor, perms.VIEW).filter(pk=unit_id).first() if 0 < unit_id <= MAX_ID else None
    if unit is None:
        return qs.none()
    return qs.filter(subtree_q(unit.path, "unit__path"))


def need_list(*, actor, kind: str | None = None, status: str | None = None, unit_id: int | None = None,
              source: str | None = None) -> QuerySet:
    scoping.require(actor, perms.VIEW)
    qs = scoping.scope(Need.objects.select_related("unit", "kind", "appeal"), actor, perms.VIEW, "unit__path")
    if kind:
        qs = qs.filter(kind__code=kind)
    if status:
        qs = qs.filter(status=status)
    if source:
        qs = qs.filter(source=source)
    return _within(qs, actor, unit_id)


def need_get(*, actor, pk: int) -> Need:
    return scoping.get_scoped(Need.objects.select_related("unit", "kind", "appeal", "appeal__category"), actor,
                              perms.VIEW, "unit__path", pk=_pk(pk))


def resource_list(*, actor, kind: str | None = None, resource_kind: str | None = None, active: bool | None = True,
                  unit_id: int | None = None) -> QuerySet:
    scoping.require(actor, perms.VIEW)
    qs = scoping.scope(Resource.objects.select_related("unit", "organisation", "merchant")
                       .prefetch_related("offers"), actor, perms.VIEW, "unit__path")
    if kind:
        qs = qs.filter(offers__code=kind).distinct()
    if resource_kind:
        qs = qs.filter(kind=resource_kind)
    if active is not None:
        qs = qs.filter(active=active)
    return _within(qs, actor, unit_id)


def resource_get(*, actor, pk: int) -> Resource:
    return scoping.get_scoped(Resource.objects.select_related("unit", "organisation", "merchant")
                              .prefetch_related("offers"), actor, perms.VIEW, "unit__path", pk=_pk(pk))


def project_list(*, actor, kind: str | None = None, status: str | None = None, funding: str | None = None,
                 unit_id: int | None = None) -> QuerySet:
    scoping.require(actor, perms.VIEW)
    qs = scoping.scope(Project.objects.select_related("unit", "organisation", "social_worker")
                       .prefetch_related("kinds"), actor, perms.VIEW, "unit__path")
    if kind:
        qs = qs.filter(kinds__code=kind).distinct()
    if status:
        qs = qs.filter(status=status)
    if funding:
        qs = qs.filter(funding=funding)
    return _within(qs, actor, unit_id)


def project_get(*, actor, pk: int) -> Project:
    return scoping.get_scoped(Project.objects.select_related("unit", "organisation", "social_worker")
                              .prefetch_related("kinds"), actor, perms.VIEW, "unit__path", pk=_pk(pk))


def match_get(*, actor, pk: int) -> Match:
    return scoping.get_scoped(Match.objects.select_related("need", "need__unit", "need__kind", "resource", "project"),
                              actor, perms.VIEW, "need__unit__path", pk=_pk(pk))


def matches_of_need(need: Need) -> QuerySet:
    return need.matches.select_related("need", "need__unit", "resource", "project", "proposed_by").prefetch_related("events__actor")


def project_matches(*, actor, project: Project) -> QuerySet:
    """The needs matched to a project that the actor may see (a street project's needs from the actor's units)."""
    return scoping.scope(project.matches.select_related("need", "need__unit", "need__kind"), actor, perms.VIEW,
                         "need__unit__path")


@dataclass
class KindRow:
    kind: ServiceKind
    needs: int  # all needs of the kind in scope
    open_needs: int  # waiting for a match
    resources: int  # active resources offering it
    projects: int  # running projects covering it

    @property
    def gap(self) -> bool:
        """Needs waiting and nothing in the lists to meet them."""
        return self.open_needs > 0 and self.resources == 0 and self.projects == 0


def summary(*, actor, unit_id: int | None = None) -> list[KindRow]:
    """The kinds × needs/resources/projects matrix of the three lists for the actor's units (gaps marked)."""
    scoping.require(actor, perms.VIEW)
    needs = _within(scoping.scope(Need.objects.all(), actor, perms.VIEW, "unit__path"), actor, unit_id)
    need_counts = {r["kind_id"]: r for r in needs.values("kind_id").annotate(
        total=Count("pk"), waiting=Count("pk", filter=Q(status=NeedStatus.OPEN)))}
    resources = _within(scoping.scope(Resource.objects.filter(active=True), actor, perms.VIEW, "unit__path"),
                        actor, unit_id)
    res_counts = dict(resources.values("offers").annotate(n=Count("pk", distinct=True)).values_list("offers", "n"))
    projects = _within(scoping.scope(Project.objects.filter(status=ProjectStatus.RUNNING), actor, perms.VIEW,
                                     "unit__path"), actor, unit_id)
    proj_counts = dict(projects.values("kinds").annotate(n=Count("pk", distinct=True)).values_list("kinds", "n"))
    return [KindRow(kind=k, needs=need_counts.get(k.pk, {}).get("total", 0),
                    open_needs=need_counts.get(k.pk, {}).get("waiting", 0), resources=res_counts.get(k.pk, 0),
                    projects=proj_counts.get(k.pk, 0)) for k in ServiceKind.objects.all()]


def need_suggestions(*, actor, need: Need) -> dict:
    """The matching view's two columns for a need the actor may see: resources nearest first and running projects."""
    return {"resources": suggestions.suggest_resources(need), "projects": suggestions.suggest_projects(need)}


def units_for_lists(actor, perm: str = perms.MANAGE) -> QuerySet:
    return scoping.units_for(actor, perm).order_by("path")


def unit_visible(actor, unit_id: int | None) -> Unit | None:
    if unit_id is None or not 0 < unit_id <= MAX_ID:
        return None
    return scoping.units_for(actor, perms.VIEW).filter(pk=unit_id).first()
