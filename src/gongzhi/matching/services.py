"""Writes for the three lists: needs, resources, projects and the matches between them.

Every service is keyword-only and atomic, checks the actor's named permission on the unit, and leaves an
append-only history row (NeedEvent, MatchEvent, ProjectEvent). Row locks: the need first, then its match.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction

from gongzhi.accounts import scoping
from gongzhi.accounts.models import RoleAssignment
from gongzhi.accounts.roles import Role
from gongzhi.core import clock
from gongzhi.org.models import Organisation, Unit

from . import permissions as perms
from . import rules, suggestions
from .errors import MatchingError
from .models import (
    FundingKind,
    Match,
    MatchEvent,
    MatchStatus,
    Need,
    NeedEvent,
    NeedSource,
    NeedStatus,
    Project,
    ProjectEvent,
    ProjectStatus,
    Resource,
    ResourceKind,
    ServiceKind,
)

MAX_BUDGET = Decimal("9999999999.99")
MAX_BENEFICIARIES = 100_000


def _who(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _text(value: str, limit: int) -> str:
    return (value or "").strip()[:limit]


def _kind(code: str) -> ServiceKind:
    kind = ServiceKind.objects.filter(code=code).first() if code else None
    if kind is None:
        raise MatchingError.KIND_UNKNOWN.error(detail={"kind": code, "field": "kind"})
    return kind


def _kinds(codes: list[str]) -> list[ServiceKind]:
    codes = list(dict.fromkeys(c for c in codes if c))
    if not codes:
        raise MatchingError.OFFERS_EMPTY.error(detail={"field": "kinds"})
    found = {k.code: k for k in ServiceKind.objects.filter(code__in=codes)}
    missing = [c for c in codes if c not in found]
    if missing:
        raise MatchingError.KIND_UNKNOWN.error(detail={"kind": missing, "field": "kinds"})
    return [found[c] for c in codes]


def _coordinates(latitude, longitude) -> None:
    if (latitude is None) != (longitude is None):
        raise MatchingError.COORDINATES_INVALID.error(detail={"field": "latitude"})
    if latitude is not None and not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise MatchingError.COORDINATES_INVALID.error(detail={"field": "latitude"})


def _need_event(need: Need, action: str, from_status: str, actor, note: str = "") -> NeedEvent:
    return NeedEvent.objects.create(need=need, action=action, from_status=from_status, to_status=need.status,
                                    actor=_who(actor), at=clock.now(), note=_text(note, 500))


def _check_need(need: Need, action: str) -> str:
    """The status ``action`` moves the need to; 409 with the allowed actions when its status does not allow it."""
    sources, target = rules.NEED_TRANSITIONS[action]
    if need.status not in sources:
        raise MatchingError.BAD_TRANSITION.error(detail={"status": need.status, "action": action,
                                                         "allowed": rules.allowed(rules.NEED_TRANSITIONS, need.status)})
    return target


def _move_need(need: Need, action: str, actor, note: str = "") -> Need:
    target = _check_need(need, action)
    from_status, need.status = need.status, target
    need.save(update_fields=["status"])
    _need_event(need, action, from_status, actor, note)
    return need


def _lock_need(need: Need) -> Need:
    return Need.objects.select_for_update(of=("self",)).select_related("unit", "kind").get(pk=need.pk)


# --- needs ----------------------------------------------------------------------------------------------------


@dataclass
class NeedInput:
    unit: Unit
    kind_code: str
    title: str
    description: str = ""
    source: str = NeedSource.MANUAL
    beneficiaries: int = 1
    latitude: Decimal | None = None
    longitude: Decimal | None = None


def _check_need_input(data: NeedInput) -> ServiceKind:
    kind = _kind(data.kind_code)
    title = _text(data.title, 200)
    if not title or len(title) > 120:
        raise MatchingError.TITLE_EMPTY.error(detail={"field": "title"})
    if not isinstance(data.beneficiaries, int) or not 1 <= data.beneficiaries <= MAX_BENEFICIARIES:
        raise MatchingError.BENEFICIARIES_INVALID.error(detail={"field": "beneficiaries"})
    _coordinates(data.latitude, data.longitude)
    return kind


@transaction.atomic
def need_create(*, data: NeedInput, actor) -> Need:
    """需求清单: register a need found on a visit, in a survey (全景调研) or brought in by a resident."""
    scoping.require(actor, perms.MANAGE, data.unit)
    if data.source not in (NeedSource.VISIT, NeedSource.SURVEY, NeedSource.MANUAL):
        raise MatchingError.SOURCE_UNKNOWN.error(detail={"source": data.source, "field": "source"})
    kind = _check_need_input(data)
    need = Need.objects.create(unit=data.unit, kind=kind, title=_text(data.title, 120),
                               description=_text(data.description, 4000), source=data.source,
                               beneficiaries=data.beneficiaries, latitude=data.latitude, longitude=data.longitude,
                               status=NeedStatus.OPEN, created_by=_who(actor), created_at=clock.now())
    _need_event(need, "create", "", actor)
    return need


@transaction.atomic
def need_from_appeal(*, appeal, actor, kind_code: str = "", title: str = "", beneficiaries: int = 1) -> Need:
    """List a resident's request (诉求) as a need of its unit; the service kind follows the appeal's category
    unless given. One open need per appeal."""
    from gongzhi.appeals import permissions as appeal_perms

    scoping.require(actor, appeal_perms.VIEW, appeal.unit)
    scoping.require(actor, perms.MANAGE, appeal.unit)
    code = kind_code or rules.APPEAL_CATEGORY_KIND.get(appeal.category.code) \
        or rules.APPEAL_CATEGORY_KIND.get(getattr(appeal.category.parent, "code", ""), "")
    if not code:
        raise MatchingError.APPEAL_KIND_UNKNOWN.error(detail={"category": appeal.category.code, "field": "kind"})
    if Need.objects.filter(appeal=appeal).exclude(status=NeedStatus.CLOSED).exists():
        raise MatchingError.APPEAL_ALREADY_LISTED.error(detail={"appeal": appeal.number})
    data = NeedInput(unit=appeal.unit, kind_code=code,
                     title=_text(title, 200) or _text(f"{appeal.category.name}：{appeal.description}", 120),
                     description=appeal.description, source=NeedSource.APPEAL, beneficiaries=beneficiaries,
                     latitude=appeal.latitude, longitude=appeal.longitude)
    kind = _check_need_input(data)
    need = Need.objects.create(unit=appeal.unit, kind=kind, title=data.title, description=data.description[:4000],
                               source=NeedSource.APPEAL, appeal=appeal, beneficiaries=beneficiaries,
                               latitude=appeal.latitude, longitude=appeal.longitude, status=NeedStatus.OPEN,
                               created_by=_who(actor), created_at=clock.now())
    _need_event(need, "create", "", actor, note=appeal.number)
    return need


@transaction.atomic
def need_close(*, need: Need, actor, note: str = "") -> Need:
    """Close a need that no longer needs serving; its live matches are withdrawn with it."""
    need = _lock_need(need)
    scoping.require(actor, perms.MANAGE, need.unit)
    _check_need(need, "close")
    for match in Match.objects.select_for_update().filter(need=need, status__in=rules.MATCH_TRANSITIONS["withdraw"][0]) \
            .order_by("pk"):
        _move_match(match, "withdraw", actor, note)
    return _move_need(need, "close", actor, note)


# --- resources ------------------------------------------------------------------------------------------------


@dataclass
class ResourceInput:
    unit: Unit
    name: str
    kind: str
    offer_codes: list[str] = field(default_factory=list)
    offer: str = ""
    capacity: str = ""
    address: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    contact_name: str = ""
    contact_phone: str = ""
    organisation: Organisation | None = None
    merchant: object | None = None  # supermarket.Merchant


@transaction.atomic
def resource_create(*, data: ResourceInput, actor) -> Resource:
    """资源清单: list an institution or merchant (超市, 社会组织, 卫生室 ...) and what it offers, where."""
    scoping.require(actor, perms.MANAGE, data.unit)
    name = _text(data.name, 200)
    if not name or len(name) > 120:
        raise MatchingError.NAME_EMPTY.error(detail={"field": "name"})
    if data.kind not in ResourceKind.values:
        raise MatchingError.RESOURCE_KIND_UNKNOWN.error(detail={"kind": data.kind, "field": "kind"})
    kinds = _kinds(data.offer_codes)
    _coordinates(data.latitude, data.longitude)
    if data.organisation is not None and not scoping.can(actor, perms.VIEW, data.organisation.unit):
        raise MatchingError.ORGANISATION_INVALID.error(detail={"field": "organisation"})
    if data.merchant is not None and not scoping.can(actor, perms.VIEW, data.merchant.unit):
        raise MatchingError.MERCHANT_INVALID.error(detail={"field": "merchant"})
    resource = Resource.objects.create(
        unit=data.unit, name=name, kind=data.kind, organisation=data.organisation, merchant=data.merchant,
        offer=_text(data.offer, 4000), capacity=_text(data.capacity, 120),
        address=_text(data.address, 200) or (getattr(data.merchant, "address", "") or "")[:200],
        latitude=data.latitude, longitude=data.longitude, contact_name=_text(data.contact_name, 50),
        contact_phone=_text(data.contact_phone, 20), active=True, created_by=_who(actor), created_at=clock.now())
    resource.offers.set(kinds)
    return resource


@transaction.atomic
def resource_withdraw(*, resource: Resource, actor, reason: str = "") -> Resource:
    """Take a resource off the list (it stays, inactive, with who and why); its live matches are withdrawn and
    needs left without an agreed match go back to waiting."""
    resource = Resource.objects.select_for_update(of=("self",)).select_related("unit").get(pk=resource.pk)
    scoping.require(actor, perms.MANAGE, resource.unit)
    if not resource.active:
        raise MatchingError.RESOURCE_WITHDRAWN.error(detail={"resource": resource.pk})
    resource.active = False
    resource.withdrawn_at = clock.now()
    resource.withdrawn_by = _who(actor)
    resource.withdraw_reason = _text(reason, 300)
    resource.save(update_fields=["active", "withdrawn_at", "withdrawn_by", "withdraw_reason"])
    live = Match.objects.filter(resource=resource, status__in=rules.MATCH_TRANSITIONS["withdraw"][0])
    for need_id, match_id in live.order_by("need_id", "pk").values_list("need_id", "pk"):
        need = _lock_need(Need(pk=need_id))
        match = Match.objects.select_for_update().get(pk=match_id)
        _withdraw(need, match, actor, reason or str(MatchingError.RESOURCE_WITHDRAWN.message))
    return resource


# --- projects -------------------------------------------------------------------------------------------------


@dataclass
class ProjectInput:
    unit: Unit
    name: str
    kind_codes: list[str]
    funder: str
    budget: Decimal
    starts_on: dt.date
    ends_on: dt.date
    funding: str = FundingKind.GOVERNMENT
    description: str = ""
    organisation: Organisation | None = None
    social_worker: object | None = None  # accounts.User


def _is_social_worker_for(user, unit: Unit) -> bool:
    """The dispatching social worker holds the 社工 role on the project's unit (or above it)."""
    paths = RoleAssignment.objects.filter(user=user, role=Role.SOCIAL_WORKER, revoked_at__isnull=True) \
        .values_list("unit__path", flat=True)
    return user.is_active and any(unit.path.startswith(p) for p in paths)


@transaction.atomic
def project_create(*, data: ProjectInput, actor) -> Project:
    """项目清单: register a funded service project (政府买单) with its budget, funder and dispatching social worker."""
    scoping.require(actor, perms.PROJECTS, data.unit)
    name = _text(data.name, 200)
    if not name or len(name) > 120:
        raise MatchingError.NAME_EMPTY.error(detail={"field": "name"})
    kinds = _kinds(data.kind_codes)
    funder = _text(data.funder, 200)
    if not funder or len(funder) > 120:
        raise MatchingError.FUNDER_EMPTY.error(detail={"field": "funder"})
    if data.funding not in FundingKind.values:
        raise MatchingError.FUNDING_UNKNOWN.error(detail={"funding": data.funding, "field": "funding"})
    try:
        budget = Decimal(data.budget).quantize(Decimal("0.01"))
    except (InvalidOperation, TypeError, ValueError):
        raise MatchingError.BUDGET_INVALID.error(detail={"field": "budget"}) from None
    if not Decimal(0) <= budget <= MAX_BUDGET:
        raise MatchingError.BUDGET_INVALID.error(detail={"field": "budget"})
    if data.ends_on < data.starts_on:
        raise MatchingError.DATES_INVALID.error(detail={"field": "ends_on"})
    if data.organisation is not None and not scoping.can(actor, perms.VIEW, data.organisation.unit):
        raise MatchingError.ORGANISATION_INVALID.error(detail={"field": "organisation"})
    if data.social_worker is not None and not _is_social_worker_for(data.social_worker, data.unit):
        raise MatchingError.SOCIAL_WORKER_INVALID.error(detail={"field": "social_worker"})
    project = Project.objects.create(
        unit=data.unit, name=name, description=_text(data.description, 4000), funder=funder, funding=data.funding,
        budget=budget, organisation=data.organisation, social_worker=data.social_worker, starts_on=data.starts_on,
        ends_on=data.ends_on, status=ProjectStatus.PLANNED, created_by=_who(actor), created_at=clock.now())
    project.kinds.set(kinds)
    ProjectEvent.objects.create(project=project, action="create", from_status="", to_status=project.status,
                                actor=_who(actor), at=clock.now())
    return project


@transaction.atomic
def project_status_change(*, project: Project, action: str, actor, note: str = "") -> Project:
    """立项 → 实施中 (start) → 已结项 (finish), by rules.PROJECT_TRANSITIONS; finishing withdraws live matches."""
    project = Project.objects.select_for_update(of=("self",)).select_related("unit").get(pk=project.pk)
    scoping.require(actor, perms.PROJECTS, project.unit)
    if action not in rules.PROJECT_TRANSITIONS:
        raise MatchingError.BAD_TRANSITION.error(detail={"status": project.status, "action": action,
                                                         "allowed": rules.allowed(rules.PROJECT_TRANSITIONS,
                                                                                  project.status)})
    sources, target = rules.PROJECT_TRANSITIONS[action]
    if project.status not in sources:
        raise MatchingError.BAD_TRANSITION.error(detail={"status": project.status, "action": action,
                                                         "allowed": rules.allowed(rules.PROJECT_TRANSITIONS,
                                                                                  project.status)})
    from_status, project.status = project.status, target
    project.save(update_fields=["status"])
    ProjectEvent.objects.create(project=project, action=action, from_status=from_status, to_status=target,
                                actor=_who(actor), at=clock.now(), note=_text(note, 500))
    if target == ProjectStatus.FINISHED:
        live = Match.objects.filter(project=project, status__in=rules.MATCH_TRANSITIONS["withdraw"][0])
        for need_id, match_id in live.order_by("need_id", "pk").values_list("need_id", "pk"):
            need = _lock_need(Need(pk=need_id))
            _withdraw(need, Match.objects.select_for_update().get(pk=match_id), actor, note)
    return project


# --- matches --------------------------------------------------------------------------------------------------


def _match_event(match: Match, action: str, from_status: str, actor, note: str = "") -> MatchEvent:
    return MatchEvent.objects.create(match=match, action=action, from_status=from_status, to_status=match.status,
                                     actor=_who(actor), at=clock.now(), note=_text(note, 500))


def _move_match(match: Match, action: str, actor, note: str = "") -> Match:
    sources, target = rules.MATCH_TRANSITIONS[action]
    if match.status not in sources:
        raise MatchingError.BAD_TRANSITION.error(detail={"status": match.status, "action": action,
                                                         "allowed": rules.allowed(rules.MATCH_TRANSITIONS, match.status)})
    from_status, match.status = match.status, target
    match.save(update_fields=["status"])
    _match_event(match, action, from_status, actor, note)
    return match


def _withdraw(need: Need, match: Match, actor, note: str) -> Match:
    """Withdraw one match; a need left matched without an agreed match goes back to waiting (caller holds locks)."""
    match = _move_match(match, "withdraw", actor, note)
    if need.status == NeedStatus.MATCHED and not need.matches.filter(status=MatchStatus.AGREED).exists():
        _move_need(need, "reopen", actor, note)
    return match


def _lock_match(match: Match) -> tuple[Need, Match]:
    need = _lock_need(Need(pk=match.need_id))
    match = Match.objects.select_for_update(of=("self",)).select_related("resource", "project").get(pk=match.pk)
    return need, match


@transaction.atomic
def match_propose(*, need: Need, actor, resource: Resource | None = None, project: Project | None = None,
                  note: str = "") -> Match:
    """Propose meeting a need with a resource and/or a running project of its kind within its reach; the reason and
    distance shown in the matching view are kept with the proposal."""
    need = _lock_need(need)
    scoping.require(actor, perms.MANAGE, need.unit)
    if need.status not in rules.NEED_MATCHABLE:
        raise MatchingError.NEED_FINISHED.error(detail={"status": need.status})
    if resource is None and project is None:
        raise MatchingError.PARTNER_REQUIRED.error()
    reasons, distance = [], None
    if resource is not None:
        if not resource.active:
            raise MatchingError.RESOURCE_WITHDRAWN.error(detail={"resource": resource.pk})
        if not resource.offers.filter(pk=need.kind_id).exists():
            raise MatchingError.KIND_NOT_OFFERED.error(detail={"resource": resource.pk, "kind": need.kind.code})
        if not suggestions.in_reach(need, resource.unit):
            raise MatchingError.OUT_OF_REACH.error(detail={"resource": resource.pk})
        s = suggestions.resource_suggestion(need, resource)
        reasons.append(s.reason)
        distance = s.distance_m
    if project is not None:
        if project.status not in rules.PROJECT_MATCHABLE:
            raise MatchingError.PROJECT_NOT_RUNNING.error(detail={"project": project.pk, "status": project.status})
        if not project.kinds.filter(pk=need.kind_id).exists():
            raise MatchingError.KIND_NOT_OFFERED.error(detail={"project": project.pk, "kind": need.kind.code})
        if not suggestions.in_reach(need, project.unit):
            raise MatchingError.OUT_OF_REACH.error(detail={"project": project.pk})
        s = suggestions.project_suggestion(need, project)
        reasons.append(s.reason)
        distance = distance if distance is not None else s.distance_m
    live = need.matches.filter(status__in=[MatchStatus.PROPOSED, MatchStatus.AGREED])
    if (resource is not None and live.filter(resource=resource).exists()) or \
            (project is not None and live.filter(project=project).exists()):
        raise MatchingError.ALREADY_MATCHED.error(detail={"need": need.pk})
    try:
        with transaction.atomic():
            match = Match.objects.create(need=need, resource=resource, project=project, status=MatchStatus.PROPOSED,
                                         reason=" / ".join(reasons)[:300], distance_m=distance,
                                         proposed_by=_who(actor), created_at=clock.now())
    except IntegrityError:
        raise MatchingError.ALREADY_MATCHED.error(detail={"need": need.pk}) from None
    _match_event(match, "propose", "", actor, note)
    return match


@transaction.atomic
def match_agree(*, match: Match, actor, note: str = "") -> Match:
    """Both sides agreed (资源方/项目社工 confirmed): the need is now matched (已对接)."""
    need, match = _lock_match(match)
    scoping.require(actor, perms.MANAGE, need.unit)
    match = _move_match(match, "agree", actor, note)
    if need.status == NeedStatus.OPEN:
        _move_need(need, "match", actor, note)
    return match


@transaction.atomic
def match_serve(*, match: Match, actor, note: str = "") -> Match:
    """The service was delivered: the match and its need are served (已服务)."""
    need, match = _lock_match(match)
    scoping.require(actor, perms.MANAGE, need.unit)
    match = _move_match(match, "serve", actor, note)
    if need.status in rules.NEED_TRANSITIONS["serve"][0]:
        _move_need(need, "serve", actor, note)
    return match


@transaction.atomic
def match_withdraw(*, match: Match, actor, note: str = "") -> Match:
    """Withdraw a proposal or an agreement; the row stays (a new proposal is a new match)."""
    need, match = _lock_match(match)
    scoping.require(actor, perms.MANAGE, need.unit)
    return _withdraw(need, match, actor, note)
