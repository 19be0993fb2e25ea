"""Appeal → plain dict for the API and pages (masking decided by ``selectors.reporter_view``)."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongzhi.accounts import scoping

from . import permissions as perms
from . import rules, selectors
from .calendar import Calendar
from .models import Appeal, AppealState, CategoryKind, PhotoStage

ACTION_LABELS = {
    "accept": _("受理"), "dispatch": _("派单"), "take": pgettext_lazy("action", "接单"), "start": _("开始办理"), "resolve": _("处置完成"), "inform": _("答复诉求人"),
    "rate": _("记录满意度"), "visit": _("回访"), "close": _("办结"), "reopen": _("重办"), "reject": _("不予受理"),
    "merge": _("合并为重复"), "submit": _("提交"), "supervise": _("督办"),
    "extend": _("延期"), "return": _("退回"), "escalate": _("升级"),
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
    history = list(appeal.events.select_related("actor"))
    return {
        **list_item(appeal),
        "description": appeal.description, "address": appeal.address, "latitude": appeal.latitude,
        "longitude": appeal.longitude, "reporter_name": who.name, "reporter_phone": who.phone,
        "reporter_masked": who.masked, "anonymous": appeal.anonymous, "rating": appeal.rating,
        "visit_satisfied": appeal.visit_satisfied, "reject_reason": appeal.reject_reason,
        "merged_into": appeal.merged_into.number if appeal.merged_into else None, "reopen_count": appeal.reopen_count,
        "assignee": (_user(assignee) if assignee is appeal.assignee_user else str(assignee)) if assignee else None,
        "actions": allowed_for(appeal, actor) if can_handle else [],
        "events": [{"action": e.action, "from_state": e.from_state, "to_state": e.to_state, "actor": _user(e.actor),
                    "action_label": str(ACTION_LABELS.get(e.action, e.action)),
                    "to_label": str(AppealState(e.to_state).label),
                    "at": e.at, "note": e.note, "detail": e.detail}
                   for e in history],
        "photos": [{"id": p.pk, "stage": p.stage, "url": p.file.url, "width": p.width, "height": p.height,
                    "gps_latitude": p.gps_latitude, "gps_longitude": p.gps_longitude} for p in appeal.photos.all()],
        **limits_and_times(appeal, history),
    }


# --- time limits, escalation and response times (R-H4, R-H8) -------------------------------------------------------

def allowed_for(appeal: Appeal, actor) -> list[str]:
    """The table's actions for the state; 退回 only for the receiver of the dispatch (R-H4)."""
    return [a for a in rules.allowed_actions(appeal.state)
            if a != "return" or selectors.appeal_may_return(appeal=appeal, actor=actor)]


def limits_and_times(appeal: Appeal, history) -> dict:
    times = selectors.response_times(appeal, history)
    level = appeal.level_unit
    return {
        "dispatch_due_at": appeal.dispatch_due_at, "dispatched_at": appeal.dispatched_at,
        "extended_days": appeal.extended_days, "extension_left": rules.MAX_EXTENSION_WORKING_DAYS - appeal.extended_days,
        "level_unit": level.name if level else None, "level_unit_id": level.pk if level else None,
        "escalated": level is not None,
        "accept_seconds": times["accept_seconds"], "first_action_seconds": times["first_action_seconds"],
        "accept_duration": duration_label(times["accept_seconds"]),
        "first_action_duration": duration_label(times["first_action_seconds"]),
    }


def duration_label(seconds: float | None) -> str:
    """"2小时5分钟" style; "" when not yet known."""
    if seconds is None:
        return ""
    minutes = int(seconds // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return str(_("%(days)s天%(hours)s小时") % {"days": days, "hours": hours})
    if hours:
        return str(_("%(hours)s小时%(minutes)s分钟") % {"hours": hours, "minutes": minutes})
    return str(_("%(minutes)s分钟") % {"minutes": minutes})


def holiday_item(h) -> dict:
    return {"id": h.pk, "date": h.date, "name": h.name, "workday": h.workday}


def time_limit_item(t, *, at=None) -> dict:
    return {"id": t.pk, "category": t.category.code if t.category else None,
            "category_name": t.category.name if t.category else None, "urgency": t.urgency,
            "urgency_label": str(t.get_urgency_display()), "accept_working_hours": t.accept_working_hours,
            "dispatch_working_hours": t.dispatch_working_hours, "reply_working_days": t.reply_working_days,
            "effective_from": t.effective_from, "in_force": selectors.time_limit_in_force(t, at=at), "note": t.note,
            "created_by": _user(t.created_by)}


def duplicate_item(candidate) -> dict:
    """A possible duplicate for the intake form: what it is, how far, how far along; nobody's data."""
    a = candidate.appeal
    return {"id": a.pk, "number": a.number, "category": a.category.name, "state": a.state,
            "state_label": str(a.get_state_display()), "unit": a.unit.name,
            "distance_m": round(candidate.distance_m), "submitted_at": a.submitted_at}


# --- public view -------------------------------------------------------------------------------------------------

PUBLIC_SUMMARY_CHARS = 30
PUBLIC_GRID_DEGREES = Decimal("0.001")  # ≈ 110 m north–south, ≈ 90 m east–west at 36° N
_ROOM = "(?:号楼|栋|幢|单元|楼|层|室|户)"
_HOME_DETAIL = re.compile(rf"\d{{5,}}|\d+(?:-\d+)+|\d+\s*{_ROOM}\s*\d*|{_ROOM}\s*\d+")


def _snap(value: Decimal | None) -> Decimal | None:
    return None if value is None else (Decimal(value) / PUBLIC_GRID_DEGREES).quantize(
        Decimal(1), rounding=ROUND_HALF_UP) * PUBLIC_GRID_DEGREES


def public_summary(appeal: Appeal) -> str:
    """A public-space matter: its first words, with house/room numbers and long digit runs (phones, IDs) blotted.
    A livelihood service (水电维修, 助老 ...) happens in someone's home: no text at all, the category says enough."""
    if appeal.category.kind == CategoryKind.SERVICE:
        return ""
    text = _HOME_DETAIL.sub("＊", " ".join(appeal.description.split()))
    return text if len(text) <= PUBLIC_SUMMARY_CHARS else text[:PUBLIC_SUMMARY_CHARS] + "…"


def public_units() -> dict:
    """path → Unit for every street, community and village (a few dozen rows): names and centres for the public view."""
    from gongzhi.org.divisions import UnitKind
    from gongzhi.org.models import Unit

    kinds = [UnitKind.STREET, UnitKind.COMMUNITY, UnitKind.VILLAGE]
    return {u.path: u for u in Unit.objects.filter(kind__in=kinds)}


def public_item(appeal: Appeal, *, units: dict) -> dict:
    """An appeal as anyone may see it: no reporter (not even masked), no address field, no event notes.

    - Place: a public-space matter's coordinates snapped to a ~100 m grid; a livelihood service (a home) shows only
      its grid's or community's centre, so no household can be picked out.
    - Photos: only the handlers' after-photos (处置后) of closed public-space matters — a repaired lamp or a cleared
      pavement taken by staff at the spot. Reporters' before-photos are never shown: they are taken on the spur of
      the moment, often of people, faces, number plates or the inside of a home, and the reporter did not file them
      for publication. Livelihood services never show photos.
    ``units``: path → Unit for streets and communities/villages (names and centres), loaded once per page."""
    service = appeal.category.kind == CategoryKind.SERVICE
    community = units.get(appeal.unit.path[:12])
    street = units.get(appeal.unit.path[:9])
    if service or appeal.latitude is None:
        centre = appeal.unit if appeal.unit.latitude is not None else community
        lat, lng = (centre.latitude, centre.longitude) if centre is not None else (None, None)
    else:
        lat, lng = appeal.latitude, appeal.longitude
    photos = getattr(appeal, "after_photos", None)
    if photos is None:
        photos = [p for p in appeal.photos.all() if p.stage == PhotoStage.AFTER]
    resolved = appeal.resolved_at
    return {
        "number": appeal.number, "category": appeal.category.name, "category_code": appeal.category.code,
        "state": appeal.state, "state_label": str(appeal.get_state_display()),
        "open": appeal.state not in rules.FINISHED,
        "street": street.name if street else "", "community": community.name if community else appeal.unit.name,
        "summary": public_summary(appeal), "latitude": _snap(lat), "longitude": _snap(lng),
        "submitted_on": timezone.localdate(appeal.submitted_at),
        "resolved_on": timezone.localdate(resolved) if resolved else None, "rating": appeal.rating,
        "after_photos": [p.file.url for p in photos]
        if not service and appeal.state == AppealState.CLOSED else [],
    }
