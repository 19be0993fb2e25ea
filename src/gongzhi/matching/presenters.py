"""Needs, resources, projects and matches → plain dicts for the API and the pages."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gongzhi.accounts import scoping

from . import permissions as perms
from . import rules, selectors
from .models import Match, MatchStatus, Need, NeedStatus, Project, ProjectStatus, Resource

ACTION_LABELS = {
    "create": _("登记"), "propose": _("提议对接"), "agree": _("确认对接"), "serve": _("服务完成"),
    "withdraw": _("撤回"), "match": _("已对接"), "reopen": _("重新待对接"), "close": _("关闭需求"),
    "start": _("开始实施"), "finish": _("结项"),
}


def _user(u) -> str | None:
    return (u.get_full_name() or u.get_username()) if u else None


def _kind(k) -> dict:
    return {"code": k.code, "name": k.name}


def _events(rows, status_enum) -> list[dict]:
    out = []
    for e in rows:
        out.append({"action": e.action, "from_status": e.from_status, "to_status": e.to_status,
                    "actor": _user(e.actor), "at": e.at, "note": e.note,
                    "action_label": str(ACTION_LABELS.get(e.action, e.action)),
                    "to_label": str(status_enum(e.to_status).label)})
    return out


def match_item(m: Match, *, actor=None, can_manage: bool | None = None) -> dict:
    if can_manage is None:
        can_manage = scoping.can(actor, perms.MANAGE, m.need.unit)
    return {
        "id": m.pk, "need_id": m.need_id, "need": m.need.title, "resource_id": m.resource_id,
        "resource": m.resource.name if m.resource else None, "project_id": m.project_id,
        "project": m.project.name if m.project else None, "status": m.status,
        "status_label": str(m.get_status_display()), "reason": m.reason, "distance_m": m.distance_m,
        "created_at": m.created_at,
        "actions": rules.allowed(rules.MATCH_TRANSITIONS, m.status) if can_manage else [],
        "events": _events(m.events.all(), MatchStatus),
    }


def need_item(n: Need) -> dict:
    return {
        "id": n.pk, "title": n.title, "kind": _kind(n.kind), "unit": n.unit.name, "unit_id": n.unit_id,
        "source": n.source, "source_label": str(n.get_source_display()), "status": n.status,
        "status_label": str(n.get_status_display()), "beneficiaries": n.beneficiaries, "created_at": n.created_at,
    }


def need_detail(n: Need, *, actor) -> dict:
    can_manage = scoping.can(actor, perms.MANAGE, n.unit)
    return {
        **need_item(n), "description": n.description, "appeal": n.appeal.number if n.appeal else None,
        "appeal_id": n.appeal_id, "latitude": n.latitude, "longitude": n.longitude,
        "actions": (["close"] if n.status in rules.NEED_TRANSITIONS["close"][0] else []) if can_manage else [],
        "can_manage": can_manage,
        "events": _events(n.events.select_related("actor"), NeedStatus),
        "matches": [match_item(m, can_manage=can_manage) for m in selectors.matches_of_need(n)],
    }


def resource_item(r: Resource) -> dict:
    return {
        "id": r.pk, "name": r.name, "kind": r.kind, "kind_label": str(r.get_kind_display()), "unit": r.unit.name,
        "unit_id": r.unit_id, "offers": [_kind(k) for k in r.offers.all()], "offer": r.offer,
        "capacity": r.capacity, "address": r.address, "latitude": r.latitude, "longitude": r.longitude,
        "contact_name": r.contact_name, "contact_phone": r.contact_phone,
        "organisation": r.organisation.name if r.organisation else None,
        "merchant": r.merchant.name if r.merchant else None, "active": r.active, "withdrawn_at": r.withdrawn_at,
        "withdraw_reason": r.withdraw_reason,
    }


def project_item(p: Project, *, actor) -> dict:
    can_change = scoping.can(actor, perms.PROJECTS, p.unit)
    return {
        "id": p.pk, "name": p.name, "unit": p.unit.name, "unit_id": p.unit_id, "kinds": [_kind(k) for k in p.kinds.all()],
        "description": p.description, "funder": p.funder, "funding": p.funding,
        "funding_label": str(p.get_funding_display()), "budget": p.budget, "budget_label": f"{p.budget:,.2f}",
        "organisation": p.organisation.name if p.organisation else None, "social_worker": _user(p.social_worker),
        "social_worker_id": p.social_worker_id, "starts_on": p.starts_on, "ends_on": p.ends_on, "status": p.status,
        "status_label": str(p.get_status_display()),
        "actions": rules.allowed(rules.PROJECT_TRANSITIONS, p.status) if can_change else [],
    }


def project_detail(p: Project, *, actor) -> dict:
    matches = selectors.project_matches(actor=actor, project=p).prefetch_related("events__actor")
    return {
        **project_item(p, actor=actor), "events": _events(p.events.select_related("actor"), ProjectStatus),
        "matches": [match_item(m, actor=actor) for m in matches],
    }


def suggestion_item(s) -> dict:
    return {"id": s.obj.pk, "name": s.obj.name, "unit": s.obj.unit.name, "distance_m": s.distance_m,
            "reason": s.reason}
