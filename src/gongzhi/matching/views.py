"""Pages for the three lists: the kinds × lists matrix, list/detail/create pages for needs, resources and projects,
the matching view of a need (suggested resources and projects side by side) and the POST actions.

Thin: parse input, call ``matching.selectors`` / ``matching.services``; a refusal on a form re-renders it (4xx), any
other refusal propagates to ``web.middleware`` (not-found, forbidden, bad transition).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from gongzhi.accounts import scoping
from gongzhi.core.errors import CommonError, DomainError
from gongzhi.core.pagination import paginate
from gongzhi.web.middleware import attach_to_form
from gongzhi.web.params import int_param

from . import api, forms, presenters, selectors, services
from . import permissions as perms
from .errors import MatchingError
from .models import (
    FundingKind,
    NeedSource,
    NeedStatus,
    Project,
    ProjectStatus,
    Resource,
    ResourceKind,
    ServiceKind,
)

PAGE_SIZE = 20


def _choice(value, choices) -> str | None:
    return value if value in choices else None


def _filters(request, statuses) -> dict:
    kinds = set(ServiceKind.objects.values_list("code", flat=True))
    return {"kind": _choice(request.GET.get("kind"), kinds), "status": _choice(request.GET.get("status"), statuses),
            "unit_id": int_param(request.GET.get("unit"), None)}


def _common(request, f: dict) -> dict:
    return {"kinds": ServiceKind.objects.all(), "units": selectors.units_for_lists(request.user, perms.VIEW)[:300],
            "f": f}


@login_required
def home(request):
    """三张清单: kinds × needs/resources/projects, gaps (needs waiting with nothing to meet them) first in the eye."""
    unit_id = int_param(request.GET.get("unit"), None)
    rows = selectors.summary(actor=request.user, unit_id=unit_id)
    needs = selectors.need_list(actor=request.user, status=NeedStatus.OPEN, unit_id=unit_id)
    resources = selectors.resource_list(actor=request.user, unit_id=unit_id)
    projects = selectors.project_list(actor=request.user, status=ProjectStatus.RUNNING, unit_id=unit_id)
    totals = {"needs": sum(r.needs for r in rows), "open_needs": sum(r.open_needs for r in rows),
              "resources": resources.count(), "projects": projects.count(), "gaps": sum(1 for r in rows if r.gap)}
    return render(request, "matching/home.html", {
        "rows": rows, "totals": totals, "latest_needs": needs[:5], "latest_resources": resources[:5],
        "latest_projects": projects[:5], "unit_id": unit_id,
        "units": selectors.units_for_lists(request.user, perms.VIEW)[:300],
        "can_manage": scoping.has_anywhere(request.user, perms.MANAGE),
        "can_projects": scoping.has_anywhere(request.user, perms.PROJECTS),
    })


# --- needs ----------------------------------------------------------------------------------------------------


@login_required
def need_list(request):
    f = _filters(request, NeedStatus.values)
    f["source"] = _choice(request.GET.get("source"), NeedSource.values)
    qs = selectors.need_list(actor=request.user, **f)
    page = paginate(qs, page=int_param(request.GET.get("page")), page_size=PAGE_SIZE)
    return render(request, "matching/needs.html", {
        **_common(request, f), "page": page, "items": [presenters.need_item(n) for n in page.items],
        "statuses": NeedStatus.choices, "sources": NeedSource.choices,
        "can_manage": scoping.has_anywhere(request.user, perms.MANAGE)})


@login_required
@require_http_methods(["GET", "POST"])
def need_create(request):
    """Register a need; with ``?appeal=<id>`` the need is listed from that appeal (its unit, place and words)."""
    appeal_id = int_param(request.GET.get("appeal") or request.POST.get("appeal"), None)
    if appeal_id is not None:
        return _need_from_appeal(request, appeal_id)
    scoping.require(request.user, perms.MANAGE)
    form = forms.NeedForm(request.POST or None, actor=request.user)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                need = services.need_create(data=form.to_input(), actor=request.user)
            except DomainError as err:
                status = attach_to_form(form, err)
            else:
                messages.success(request, _("已登记需求：%(title)s") % {"title": need.title})
                return redirect("matching:need_match", pk=need.pk)
    return render(request, "matching/need_form.html", {"form": form}, status=status)


def _need_from_appeal(request, appeal_id: int):
    from gongzhi.appeals import selectors as appeal_selectors

    if not 0 < appeal_id <= selectors.MAX_ID:
        raise CommonError.NOT_FOUND.error()
    appeal = appeal_selectors.appeal_get(actor=request.user, pk=appeal_id)
    scoping.require(request.user, perms.MANAGE, appeal.unit)
    form = forms.FromAppealForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            d = form.cleaned_data
            try:
                need = services.need_from_appeal(appeal=appeal, actor=request.user,
                                                 kind_code=d["kind"].code if d["kind"] else "", title=d["title"],
                                                 beneficiaries=d["beneficiaries"])
            except DomainError as err:
                status = attach_to_form(form, err)
            else:
                messages.success(request, _("诉求 %(number)s 已列入需求清单") % {"number": appeal.number})
                return redirect("matching:need_match", pk=need.pk)
    return render(request, "matching/need_form.html", {"form": form, "appeal": appeal}, status=status)


@login_required
def need_detail(request, pk: int):
    need = selectors.need_get(actor=request.user, pk=pk)
    return render(request, "matching/need_detail.html", {"n": presenters.need_detail(need, actor=request.user)})


@login_required
def need_match(request, pk: int):
    """The matching view: the need, suggested resources (same kind, nearest first, with the reason) and running
    projects covering its kind side by side, and the matches so far with their next actions."""
    need = selectors.need_get(actor=request.user, pk=pk)
    s = selectors.need_suggestions(actor=request.user, need=need)
    data = presenters.need_detail(need, actor=request.user)
    live = [m for m in data["matches"] if m["status"] in ("proposed", "agreed")]
    return render(request, "matching/need_match.html", {
        "n": data, "resources": s["resources"], "projects": s["projects"],
        "live_resources": {m["resource_id"] for m in live if m["resource_id"]},
        "live_projects": {m["project_id"] for m in live if m["project_id"]},
        "matchable": need.status in ("open", "matched"),
    })


@login_required
@require_POST
def need_close(request, pk: int):
    need = services.need_close(need=selectors.need_get(actor=request.user, pk=pk), actor=request.user,
                               note=request.POST.get("note", ""))
    messages.success(request, _("需求已关闭：%(title)s") % {"title": need.title})
    return redirect("matching:need_detail", pk=pk)


# --- resources ------------------------------------------------------------------------------------------------


@login_required
def resource_list(request):
    f = _filters(request, ())
    f.pop("status")
    f["resource_kind"] = _choice(request.GET.get("type"), ResourceKind.values)
    f["active"] = None if request.GET.get("all") == "1" else True
    qs = selectors.resource_list(actor=request.user, **f)
    page = paginate(qs, page=int_param(request.GET.get("page")), page_size=PAGE_SIZE)
    return render(request, "matching/resources.html", {
        **_common(request, f), "page": page, "items": [presenters.resource_item(r) for r in page.items],
        "types": ResourceKind.choices, "can_manage": scoping.has_anywhere(request.user, perms.MANAGE)})


@login_required
@require_http_methods(["GET", "POST"])
def resource_create(request):
    scoping.require(request.user, perms.MANAGE)
    form = forms.ResourceForm(request.POST or None, actor=request.user)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                resource = services.resource_create(data=form.to_input(), actor=request.user)
            except DomainError as err:
                status = attach_to_form(form, err)
            else:
                messages.success(request, _("已登记资源：%(name)s") % {"name": resource.name})
                return redirect("matching:resource_detail", pk=resource.pk)
    return render(request, "matching/resource_form.html", {"form": form}, status=status)


@login_required
def resource_detail(request, pk: int):
    resource = selectors.resource_get(actor=request.user, pk=pk)
    matches = resource.matches.select_related("need", "need__unit", "resource", "project") \
        .prefetch_related("events__actor")
    visible = scoping.scope(matches, request.user, perms.VIEW, "need__unit__path")
    return render(request, "matching/resource_detail.html", {
        "r": presenters.resource_item(resource), "matches": [presenters.match_item(m, actor=request.user)
                                                             for m in visible],
        "can_manage": resource.active and scoping.can(request.user, perms.MANAGE, resource.unit)})


@login_required
@require_POST
def resource_withdraw(request, pk: int):
    resource = services.resource_withdraw(resource=selectors.resource_get(actor=request.user, pk=pk),
                                          actor=request.user, reason=request.POST.get("reason", ""))
    messages.success(request, _("资源已退出清单：%(name)s") % {"name": resource.name})
    return redirect("matching:resource_detail", pk=pk)


# --- projects -------------------------------------------------------------------------------------------------


@login_required
def project_list(request):
    f = _filters(request, ProjectStatus.values)
    f["funding"] = _choice(request.GET.get("funding"), FundingKind.values)
    qs = selectors.project_list(actor=request.user, **f)
    page = paginate(qs, page=int_param(request.GET.get("page")), page_size=PAGE_SIZE)
    return render(request, "matching/projects.html", {
        **_common(request, f), "page": page, "items": [presenters.project_item(p, actor=request.user)
                                                       for p in page.items],
        "statuses": ProjectStatus.choices, "fundings": FundingKind.choices,
        "can_projects": scoping.has_anywhere(request.user, perms.PROJECTS)})


@login_required
@require_http_methods(["GET", "POST"])
def project_create(request):
    scoping.require(request.user, perms.PROJECTS)
    form = forms.ProjectForm(request.POST or None, actor=request.user)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                project = services.project_create(data=form.to_input(), actor=request.user)
            except DomainError as err:
                status = attach_to_form(form, err)
            else:
                messages.success(request, _("已登记服务项目：%(name)s") % {"name": project.name})
                return redirect("matching:project_detail", pk=project.pk)
    return render(request, "matching/project_form.html", {"form": form}, status=status)


@login_required
def project_detail(request, pk: int):
    project = selectors.project_get(actor=request.user, pk=pk)
    return render(request, "matching/project_detail.html", {
        "p": presenters.project_detail(project, actor=request.user)})


PROJECT_ACTION_LABELS = {"start": _("开始实施"), "finish": _("结项")}


@login_required
@require_POST
def project_status(request, pk: int, action: str):
    project = services.project_status_change(project=selectors.project_get(actor=request.user, pk=pk), action=action,
                                             actor=request.user, note=request.POST.get("note", ""))
    messages.success(request, _("项目状态：%(status)s") % {"status": project.get_status_display()})
    return redirect("matching:project_detail", pk=pk)


# --- matches --------------------------------------------------------------------------------------------------


def _partner(model, value):
    pk = int_param(value, None)
    if pk is None:
        return None
    obj = model.objects.select_related("unit").filter(pk=pk).first() if 0 < pk <= selectors.MAX_ID else None
    if obj is None:
        raise MatchingError.PARTNER_REQUIRED.error()
    return obj


@login_required
@require_POST
def match_propose(request, pk: int):
    """Propose a match from the matching view; ``agree=1`` proposes and confirms in one step (both sides present)."""
    need = selectors.need_get(actor=request.user, pk=pk)
    match = services.match_propose(need=need, resource=_partner(Resource, request.POST.get("resource")),
                                   project=_partner(Project, request.POST.get("project")), actor=request.user,
                                   note=request.POST.get("note", ""))
    if request.POST.get("agree") == "1":
        match = services.match_agree(match=match, actor=request.user, note=request.POST.get("note", ""))
    messages.success(request, _("对接%(status)s：%(partner)s") % {
        "status": match.get_status_display(), "partner": match.resource or match.project})
    return redirect("matching:need_match", pk=pk)


@login_required
@require_POST
def match_transition(request, pk: int, action: str):
    match = api.match_action(request.user, pk, action, request.POST.get("note", ""))
    messages.success(request, _("对接状态：%(status)s") % {"status": match.get_status_display()})
    return redirect("matching:need_match", pk=match.need_id)
