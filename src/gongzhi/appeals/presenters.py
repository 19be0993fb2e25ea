"""Appeal → plain dict for the API and pages (masking decided by ``selectors.reporter_view``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gongzhi.accounts import scoping

from . import permissions as perms
from . import rules, selectors
from .calendar import Calendar
from .models import Appeal, AppealState

ACTION_LABELS = {
    "accept": _("受理"), "dispatch": _("派单"), "take": _("接单"), "start": _("开始办理"), "resolve": _("处置完成"), "inform": _("答复诉求人"),
    "rate": _("记录满意度"), "visit": _("回访"), "close": _("办结"), "reopen": _("重办"), "reject": _("不予受理"),
    "merge": _("合并为重复"), "submit": _("提交"), "supervise": _("督办"),
}


def _user(u) -> str | None:
    return (u.get_full_name() or u.get_username()) if u else None


def list_item(appeal: Appeal, *, calendar: Calendar | None = None) -> dict:
    return {
        "id": appeal.pk, "number": appeal.number, "channel": appeal.channel, "category": appeal.category.name,
        "state": appeal.state, "state_label": str(appeal.get_state_display()), "urgency": appeal.urgency,
        "unit": appeal.unit.name, "summary": appeal.description[:60], "submitted_at": appeal.submitted_at,
        "accept_due_at": appeal.accept_due_at, "reply_due_at": appeal.reply_due_at,
        "warning": selectors.warning(appeal, calendar=calendar), "owner": _user(appeal.owner),
        "reject_reason_label": str(appeal.get_reject_reason_display()) if appeal.reject_reason else "",
    }


def detail(appeal: Appeal, *, actor, reveal: bool = False, channel: str = "api", request=None) -> dict:
    who = selectors.reporter_view(actor=actor, appeal=appeal, reveal=reveal, channel=channel, request=request)
    assignee = appeal.assignee_user or appeal.assignee_team or appeal.assignee_unit
    can_handle = scoping.can(actor, perms.HANDLE, appeal.unit)
    return {
        **list_item(appeal),
        "description": appeal.description, "address": appeal.address, "latitude": appeal.latitude,
        "longitude": appeal.longitude, "reporter_name": who.name, "reporter_phone": who.phone,
        "reporter_masked": who.masked, "anonymous": appeal.anonymous, "rating": appeal.rating,
        "visit_satisfied": appeal.visit_satisfied, "reject_reason": appeal.reject_reason,
        "merged_into": appeal.merged_into.number if appeal.merged_into else None, "reopen_count": appeal.reopen_count,
        "assignee": (_user(assignee) if assignee is appeal.assignee_user else str(assignee)) if assignee else None,
        "actions": rules.allowed_actions(appeal.state) if can_handle else [],
        "events": [{"action": e.action, "from_state": e.from_state, "to_state": e.to_state, "actor": _user(e.actor),
                    "action_label": str(ACTION_LABELS.get(e.action, e.action)),
                    "to_label": str(AppealState(e.to_state).label),
                    "at": e.at, "note": e.note, "detail": e.detail}
                   for e in appeal.events.select_related("actor")],
        "photos": [{"id": p.pk, "stage": p.stage, "url": p.file.url, "width": p.width, "height": p.height,
                    "gps_latitude": p.gps_latitude, "gps_longitude": p.gps_longitude} for p in appeal.photos.all()],
    }
