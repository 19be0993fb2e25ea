"""Orders as the API and pages show them (no reporter data from a source appeal: R-H7)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import Order, OrderState

ACTION_LABELS = {"create": _("发布"), "take": pgettext_lazy("action", "接单"), "assign": _("指派"), "start": _("开始处置"), "done": _("完成"),
                 "cancel": _("取消")}


def _name(user) -> str | None:
    return (user.display_name or user.get_username()) if user is not None else None


def order_out(order: Order, *, distance_km: float | None = None, events: bool = False) -> dict:
    out = {
        "id": order.pk, "title": order.title, "description": order.description, "state": order.state,
        "state_label": order.get_state_display(), "source": order.source, "unit_id": order.unit_id,
        "unit": order.unit.name, "address": order.address,
        "skill": order.skill.code if order.skill_id else None, "skill_name": order.skill.name if order.skill_id else None,
        "team_id": order.team_id, "team": order.team.name if order.team_id else None, "appeal_id": order.appeal_id,
        "appeal_number": order.appeal.number if order.appeal_id else None, "project_id": order.project_id,
        "project": order.project.name if order.project_id else None, "due_at": order.due_at,
        "created_at": order.created_at, "taker": _name(order.taker), "taken_at": order.taken_at,
        "first_action_at": order.first_action_at, "done_at": order.done_at,
        "distance_km": round(distance_km, 2) if distance_km is not None else None,
    }
    if events:
        out["events"] = [{"action": e.action, "from_state": e.from_state, "to_state": e.to_state,
                          "actor": _name(e.actor) or "", "at": e.at, "note": e.note,
                          "action_label": str(ACTION_LABELS.get(e.action, e.action)),
                          "to_label": str(OrderState(e.to_state).label)}
                         for e in order.events.select_related("actor").order_by("at", "pk")]
    return out


def figures_out(f) -> dict:
    return {"unit_id": f.unit.pk if f.unit is not None else None, "label": f.label, "orders": f.orders,
            "taken": f.taken, "done": f.done, "accept_minutes": f.accept_minutes, "action_minutes": f.action_minutes,
            "within_30_min": f.within}
