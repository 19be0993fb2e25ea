"""Pages for the org tree, units and organisations (teams with their members). Thin: scoped selectors, services.

The tree loads children on demand with htmx (``org:children`` returns just the rows). Counts of residents come
from ``people.selectors.person_list`` so they are scoped exactly like the people list.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.db.models.functions import Substr
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from gongzhi.accounts import scoping
from gongzhi.core.errors import CommonError, DomainError
from gongzhi.people import permissions as people_perms
from gongzhi.people import selectors as people_selectors
from gongzhi.people import services as people_services
from gongzhi.people.models import TeamMembership, VolunteerStatus
from gongzhi.web.middleware import attach_to_form
from gongzhi.web.params import search_text

from . import permissions as perms
from . import selectors, services
from .divisions import UnitKind
from .forms import MemberAddForm, OrganisationForm, UnitForm, child_kinds
from .models import Organisation, OrgKind, Unit, subtree_q


def _people_counts(actor, units: list[Unit]) -> dict[int, int] | None:
    """Residents under each unit that the actor may see (None when the actor may not see residents at all)."""
    if not units or not scoping.has_anywhere(actor, people_perms.VIEW):
        return None
    counts: dict[int, int] = {}
    by_length: dict[int, list[Unit]] = {}
    for u in units:
        by_length.setdefault(len(u.path), []).append(u)
    for length, group in by_length.items():  # siblings share a path length: one grouped query per level
        within = Q()
        for u in group:
            within |= subtree_q(u.path, "unit__path")
        rows = (
            people_selectors.person_list(actor=actor).filter(within).order_by().prefetch_related(None)
            .annotate(prefix=Substr("unit__path", 1, length)).values("prefix").annotate(n=Count("pk"))
        )
        per_prefix = {r["prefix"]: r["n"] for r in rows}
        counts.update({u.pk: per_prefix.get(u.path, 0) for u in group})
    return counts


def _nodes(actor, units: list[Unit]) -> list[dict]:
    """Tree rows: the unit, how many child units it has, and (if visible) how many residents live under it."""
    child_counts = dict(
        Unit.objects.filter(parent__in=units).order_by().values("parent").annotate(n=Count("pk")).values_list("parent", "n")
    )
    people = _people_counts(actor, units)
    return [{"unit": u, "children": child_counts.get(u.pk, 0), "people": None if people is None else people.get(u.pk, 0)}
            for u in units]


@login_required
def tree(request):
    actor = request.user
    scoping.require(actor, perms.VIEW)
    top = scoping.top_units(actor)
    if not top and scoping.is_superuser(actor):
        top = list(selectors.unit_list(actor=actor).filter(parent__isnull=True))
    # A role inside another role's subtree is already reachable from the outer unit.
    roots = [u for u in top if not any(o.pk != u.pk and u.path.startswith(o.path) for o in top)]
    nodes = _nodes(actor, roots)
    for n in nodes:  # the first level is shown open; deeper levels load when expanded
        n["kids"] = _nodes(actor, list(selectors.unit_children(unit=n["unit"])))
    return render(request, "org/tree.html", {"nodes": nodes})


@login_required
def children(request, pk: int):
    unit = selectors.unit_get(actor=request.user, pk=pk)
    kids = list(selectors.unit_children(unit=unit))
    return render(request, "org/_children.html", {"nodes": _nodes(request.user, kids), "parent": unit})


@login_required
def unit_detail(request, pk: int):
    actor = request.user
    unit = selectors.unit_get(actor=actor, pk=pk)
    orgs = selectors.organisation_list(actor=actor, under=unit.path)
    return render(request, "org/unit.html", {
        "unit": unit,
        "crumbs": selectors.unit_breadcrumbs(actor=actor, unit=unit),
        "nodes": _nodes(actor, list(selectors.unit_children(unit=unit))),
        "orgs": [o for o in orgs if o.unit_id == unit.pk],
        "subtree_org_count": sum(1 for o in orgs if o.unit_id != unit.pk),
        "people_count": (_people_counts(actor, [unit]) or {}).get(unit.pk),
        "can_people": scoping.can(actor, people_perms.VIEW, unit),
        "can_volunteers": scoping.can(actor, people_perms.VOLUNTEER_VIEW, unit),
        "can_add_unit": bool(child_kinds(unit)) and scoping.can(actor, perms.MANAGE_UNITS, unit),
        "can_add_org": scoping.can(actor, perms.MANAGE_ORGS, unit),
    })


def _candidates(actor, org: Organisation, q: str) -> list:
    """Active volunteers under the team's unit matching ``q`` who are not yet members (for the add-member form)."""
    if not q:
        return []
    members = TeamMembership.objects.filter(team=org, left_on__isnull=True).values("person_id")
    return list(
        people_selectors.volunteer_list(actor=actor, q=q, status=VolunteerStatus.ACTIVE, unit_path=org.unit.path)
        .exclude(person_id__in=members)[:10]
    )


def _org_page(request, org: Organisation, *, status: int = 200, member_form=None, member_error=None):
    actor = request.user
    q = search_text(request)
    is_team = org.kind == OrgKind.TEAM
    active = TeamMembership.objects.filter(team=org, left_on__isnull=True)
    # Members' names are volunteer information (R-V11): shown to those who manage or view volunteers there.
    can_see_members = is_team and (scoping.can(actor, people_perms.VOLUNTEER_VIEW, org.unit)
                                   or people_selectors.can_manage_team(actor, org))
    can_manage = is_team and people_selectors.can_manage_team(actor, org)
    return render(request, "org/org.html", {
        "org": org, "is_team": is_team,
        "crumbs": [*selectors.unit_breadcrumbs(actor=actor, unit=org.unit), org.unit],
        "member_count": active.count(),
        "members": active.select_related("person", "person__volunteer").order_by("role", "joined_on", "pk")
        if can_see_members else [],
        "can_see_members": can_see_members, "can_manage": can_manage,
        "children": selectors.organisation_list(actor=actor).filter(parent=org),
        "member_form": member_form or MemberAddForm(), "member_error": member_error,
        "q": q, "candidates": _candidates(actor, org, q) if can_manage else [],
    }, status=status)


@login_required
def org_detail(request, pk: int):
    return _org_page(request, selectors.organisation_get(actor=request.user, pk=pk))


@login_required
def member_candidates(request, pk: int):
    """Active volunteers under the team's unit matching a search, for the add-member form (htmx partial)."""
    actor = request.user
    org = selectors.organisation_get(actor=actor, pk=pk)
    if not people_selectors.can_manage_team(actor, org):
        raise CommonError.FORBIDDEN.error(detail={"permission": people_perms.TEAM_MANAGE})
    q = search_text(request)
    return render(request, "org/_candidates.html", {"org": org, "q": q, "candidates": _candidates(actor, org, q),
                                                    "member_form": MemberAddForm()})


@login_required
@require_POST
def member_add(request, pk: int):
    actor = request.user
    org = selectors.organisation_get(actor=actor, pk=pk)
    if not people_selectors.can_manage_team(actor, org):  # before the form: no right is 403 whatever is posted
        raise CommonError.FORBIDDEN.error(detail={"permission": people_perms.TEAM_MANAGE})
    form = MemberAddForm(request.POST)
    if not form.is_valid():
        return _org_page(request, org, status=400, member_form=form, member_error=_("请先搜索并选择志愿者"))
    profile = people_selectors.volunteer_get(actor=actor, pk=form.cleaned_data["volunteer"])
    try:
        people_services.team_member_add(team=org, person=profile.person, actor=actor, role=form.cleaned_data["role"])
    except DomainError as err:
        return _org_page(request, org, status=attach_to_form(form, err), member_form=form, member_error=err.message)
    messages.success(request, _("已将 %(name)s 加入本队") % {"name": profile.person.name})
    return redirect("org:org", pk=org.pk)


@login_required
@require_POST
def member_remove(request, pk: int, person_pk: int):
    actor = request.user
    org = selectors.organisation_get(actor=actor, pk=pk)
    membership = TeamMembership.objects.filter(team=org, person_id=person_pk, left_on__isnull=True).select_related(
        "person").first()
    if membership is None:
        raise CommonError.NOT_FOUND.error()
    people_services.team_member_remove(team=org, person=membership.person, actor=actor)
    messages.success(request, _("%(name)s 已退出本队") % {"name": membership.person.name})
    return redirect("org:org", pk=org.pk)


@login_required
@require_http_methods(["GET", "POST"])
def unit_create(request, pk: int):
    """Add a unit (a grid under a community, a community under a street ...) with a code checked against R-I3."""
    actor = request.user
    parent = selectors.unit_get(actor=actor, pk=pk)
    scoping.require(actor, perms.MANAGE_UNITS, parent)
    if not child_kinds(parent):
        raise CommonError.BAD_REQUEST.error(message=_("网格下不能再设下级单元"))
    initial = {"code": parent.path}
    if parent.kind in (UnitKind.COMMUNITY, UnitKind.VILLAGE):
        initial = {"kind": UnitKind.GRID, "code": services.next_grid_code(parent)}
    form = UnitForm(request.POST or None, parent=parent, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            d = form.cleaned_data
            try:
                unit = services.unit_create(code=d["code"], name=d["name"], kind=d["kind"], parent=parent, actor=actor,
                                            address=d["address"])
            except DomainError as err:
                status = attach_to_form(form, err)
            else:
                messages.success(request, _("已新增 %(name)s") % {"name": unit.name})
                return redirect("org:unit", pk=unit.pk)
    return render(request, "org/unit_form.html", {"form": form, "parent": parent}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def org_create(request, pk: int):
    """Register an organisation or a 志愿服务队 at a unit."""
    actor = request.user
    unit = selectors.unit_get(actor=actor, pk=pk)
    scoping.require(actor, perms.MANAGE_ORGS, unit)
    parents = selectors.organisation_list(actor=actor).filter(unit__path__in=[*unit.ancestors_paths(), unit.path])
    form = OrganisationForm(request.POST or None, parents=parents)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            d = form.cleaned_data
            try:
                org = services.organisation_create(
                    name=d["name"], kind=d["kind"], unit=unit, actor=actor, parent=d["parent"],
                    description=d["description"], contact_name=d["contact_name"], contact_phone=d["contact_phone"],
                )
            except DomainError as err:
                status = attach_to_form(form, err)
            else:
                messages.success(request, _("已登记 %(name)s") % {"name": org.name})
                return redirect("org:org", pk=org.pk)
    return render(request, "org/org_form.html", {"form": form, "unit": unit}, status=status)
