"""Appeal → GeoReport service request (and AppealEvent → request update). Public output: no reporter data at all,
and phone or ID numbers typed into a description are masked (R-H7, R-P3)."""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _

from gongzhi.appeals import selectors as appeal_selectors
from gongzhi.appeals.models import Appeal, AppealEvent, AppealState, RejectReason
from gongzhi.appeals.presenters import ACTION_LABELS
from gongzhi.privacy.masking import mask_id_number, mask_phone

from .catalog import STATUS
from .render import w3

_ID_NUMBER = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")
_PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")

# R-H2: a matter refused for touching secrets or privacy is listed without its text
_WITHHELD = frozenset({RejectReason.SECRETS})

_STATE_LABELS = dict(AppealState.choices)

NOTE_TYPES = {"submit": "opened", "close": "closed", "reject": "closed", "merge": "closed", "reopen": "reopened"}


def mask_text(text: str) -> str:
    text = _ID_NUMBER.sub(lambda m: mask_id_number(m.group(0)), text)
    return _PHONE.sub(lambda m: mask_phone(m.group(0)), text)


def status_notes(appeal: Appeal) -> str:
    label = str(AppealState(appeal.state).label)
    if appeal.state == AppealState.REJECTED and appeal.reject_reason:
        return str(_("%(state)s：%(reason)s") % {"state": label, "reason": appeal.get_reject_reason_display()})
    if appeal.state == AppealState.MERGED and appeal.merged_into_id:
        return str(_("与%(number)s重复，已合并") % {"number": appeal.merged_into.number})
    if appeal.reopen_count and STATUS[appeal.state] == "open":
        return str(_("%(state)s（第%(count)s次重办）") % {"state": label, "count": appeal.reopen_count})
    return label


def _expected(appeal: Appeal):
    if STATUS[appeal.state] == "closed":
        return None
    return appeal.accept_due_at if appeal.state == AppealState.SUBMITTED else appeal.reply_due_at


def service_notice(appeal: Appeal) -> str | None:
    due = _expected(appeal)
    if due is None:
        return None
    if appeal.state == AppealState.SUBMITTED:
        return str(_("将于%(due)s前受理") % {"due": w3(due)})
    return str(_("将于%(due)s前答复") % {"due": w3(due)})


def _agency(appeal: Appeal) -> str:
    return (appeal.assignee_team or appeal.assignee_unit or appeal.unit).name


def _description(appeal: Appeal) -> str:
    if appeal.state == AppealState.REJECTED and appeal.reject_reason in _WITHHELD:
        return ""
    return mask_text(appeal.description)


def event_summary(event: AppealEvent) -> str:
    label = str(ACTION_LABELS.get(event.action, event.action))
    if event.action == "reject" and (event.detail or {}).get("reason") in RejectReason.values:
        return f"{label}：{RejectReason(event.detail['reason']).label}"
    if event.action == "merge" and (event.detail or {}).get("into_number"):
        return str(_("%(action)s：与%(number)s重复") % {"action": label, "number": event.detail["into_number"]})
    return label


def request_item(appeal: Appeal, *, extensions: bool = False, calendar=None) -> dict:
    link = getattr(appeal, "open311_link", None)
    item = {
        "service_request_id": appeal.number,
        "status": STATUS[appeal.state],
        "status_notes": status_notes(appeal),
        "service_name": appeal.category.name,
        "service_code": appeal.category.code,
        "description": _description(appeal),
        "agency_responsible": _agency(appeal),
        "service_notice": service_notice(appeal),
        "requested_datetime": appeal.submitted_at,
        "updated_datetime": getattr(appeal, "updated_at", None) or appeal.submitted_at,
        "expected_datetime": _expected(appeal),
        "address": appeal.address,
        "address_id": appeal.unit.code,
        "zipcode": None,
        "lat": appeal.latitude,
        "long": appeal.longitude,
        "media_url": link.media_url if link and link.media_url else None,
    }
    if extensions:
        item["extended_attributes"] = {
            "channel": appeal.channel, "channel_label": str(appeal.get_channel_display()),
            "grid": appeal.unit.code, "grid_name": appeal.unit.name,
            "detailed_status": appeal.state, "detailed_status_label": str(appeal.get_state_display()),
            "urgency": appeal.urgency, "urgency_label": str(appeal.get_urgency_display()),
            "warning": appeal_selectors.warning(appeal, calendar=calendar) or None,
            "reopen_count": appeal.reopen_count,
            "merged_into": appeal.merged_into.number if appeal.merged_into_id else None,
        }
        item["notes"] = [{"datetime": e.at, "summary": event_summary(e), "type": NOTE_TYPES.get(e.action, "activity")}
                         for e in appeal.events.all()]
    return item


def update_item(event: AppealEvent, *, extensions: bool = False) -> dict:
    """The servicerequestupdates extension: one row per AppealEvent. Workers' free-text notes are internal and not
    published; the update says what was done (and the legal reason of a refusal)."""
    item = {
        "update_id": str(event.pk), "service_request_id": event.appeal.number,
        "status": STATUS.get(event.to_state, "open"), "updated_datetime": event.at,
        "description": event_summary(event), "media_url": None,
    }
    if extensions:
        item["extended_attributes"] = {"action": event.action, "detailed_status": event.to_state,
                                       "detailed_status_label": str(_STATE_LABELS.get(event.to_state, event.to_state))}
    return item
