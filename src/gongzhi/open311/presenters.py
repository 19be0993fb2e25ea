"""Appeal rows → GeoReport service requests (and AppealEvent → request updates). Public output: no reporter data at
all, and phone or ID numbers typed into a description are masked (R-H7, R-P3).

A page holds up to 1000 requests, so the labels and message templates are translated once per page (``Labels``)
and rows are plain dicts from ``selectors.ROW``."""

from __future__ import annotations

import re

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.appeals import selectors as appeal_selectors
from gongzhi.appeals.models import Appeal, AppealState, Channel, RejectReason, Urgency
from gongzhi.appeals.presenters import ACTION_LABELS
from gongzhi.privacy.masking import mask_id_number, mask_phone

from .catalog import STATUS

_ID_NUMBER = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")
_PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")

# R-H2: a matter refused for touching secrets or privacy is listed without its text
_WITHHELD = frozenset({RejectReason.SECRETS})

NOTE_TYPES = {"submit": "opened", "close": "closed", "reject": "closed", "merge": "closed", "reopen": "reopened"}


def mask_text(text: str) -> str:
    text = _ID_NUMBER.sub(lambda m: mask_id_number(m.group(0)), text)
    return _PHONE.sub(lambda m: mask_phone(m.group(0)), text)


class Labels:
    """The display strings of one response, in the request's language, translated once."""

    def __init__(self):
        self.tz = timezone.get_current_timezone()
        self.state = {k: str(v) for k, v in AppealState.choices}
        self.channel = {k: str(v) for k, v in Channel.choices}
        self.urgency = {k: str(v) for k, v in Urgency.choices}
        self.reason = {k: str(v) for k, v in RejectReason.choices}
        self.action = {k: str(v) for k, v in ACTION_LABELS.items()}
        self.refused = str(_("%(state)s：%(reason)s"))
        self.merged = str(_("与%(number)s重复，已合并"))
        self.reopened = str(_("%(state)s（第%(count)s次重办）"))
        self.accept_by = str(_("将于%(due)s前受理"))
        self.reply_by = str(_("将于%(due)s前答复"))
        self.merge_note = str(_("%(action)s：与%(number)s重复"))

    def w3(self, moment) -> str | None:
        return moment.astimezone(self.tz).isoformat(timespec="seconds") if moment else None


def status_notes(row: dict, labels: Labels) -> str:
    state = labels.state[row["state"]]
    if row["state"] == AppealState.REJECTED and row["reject_reason"]:
        return labels.refused % {"state": state, "reason": labels.reason.get(row["reject_reason"], "")}
    if row["state"] == AppealState.MERGED and row["merged_into__number"]:
        return labels.merged % {"number": row["merged_into__number"]}
    if row["reopen_count"] and STATUS[row["state"]] == "open":
        return labels.reopened % {"state": state, "count": row["reopen_count"]}
    return state


def _expected(row: dict):
    if STATUS[row["state"]] == "closed":
        return None
    return row["accept_due_at"] if row["state"] == AppealState.SUBMITTED else row["reply_due_at"]


def service_notice(row: dict, labels: Labels) -> str | None:
    due = _expected(row)
    if due is None:
        return None
    template = labels.accept_by if row["state"] == AppealState.SUBMITTED else labels.reply_by
    return template % {"due": labels.w3(due)}


def _description(row: dict) -> str:
    if row["state"] == AppealState.REJECTED and row["reject_reason"] in _WITHHELD:
        return ""
    return mask_text(row["description"])


def event_summary(action: str, detail: dict | None, labels: Labels) -> str:
    label = labels.action.get(action, action)
    detail = detail or {}
    if action == "reject" and detail.get("reason") in labels.reason:
        return f"{label}：{labels.reason[detail['reason']]}"
    if action == "merge" and detail.get("into_number"):
        return labels.merge_note % {"action": label, "number": detail["into_number"]}
    return label


def _warning(row: dict, calendar) -> str | None:
    probe = Appeal(state=row["state"], accept_due_at=row["accept_due_at"], reply_due_at=row["reply_due_at"],
                   resolved_at=row["resolved_at"])
    return appeal_selectors.warning(probe, calendar=calendar) or None


def request_item(row: dict, labels: Labels, *, extensions: bool = False, calendar=None) -> dict:
    expected = _expected(row)
    item = {
        "service_request_id": row["number"],
        "status": STATUS[row["state"]],
        "status_notes": status_notes(row, labels),
        "service_name": row["category__name"],
        "service_code": row["category__code"],
        "description": _description(row),
        "agency_responsible": row["assignee_team__name"] or row["assignee_unit__name"] or row["unit__name"],
        "service_notice": service_notice(row, labels),
        "requested_datetime": labels.w3(row["submitted_at"]),
        "updated_datetime": labels.w3(row["updated_at"] or row["submitted_at"]),
        "expected_datetime": labels.w3(expected),
        "address": row["address"],
        "address_id": row["unit__code"],
        "zipcode": None,
        "lat": row["latitude"],
        "long": row["longitude"],
        "media_url": row["open311_link__media_url"] or None,
    }
    if extensions:
        item["extended_attributes"] = {
            "channel": row["channel"], "channel_label": labels.channel.get(row["channel"], row["channel"]),
            "grid": row["unit__code"], "grid_name": row["unit__name"],
            "detailed_status": row["state"], "detailed_status_label": labels.state[row["state"]],
            "urgency": row["urgency"], "urgency_label": labels.urgency.get(row["urgency"], row["urgency"]),
            "warning": _warning(row, calendar), "reopen_count": row["reopen_count"],
            "merged_into": row["merged_into__number"],
        }
        item["notes"] = [{"datetime": labels.w3(e["at"]), "summary": event_summary(e["action"], e["detail"], labels),
                          "type": NOTE_TYPES.get(e["action"], "activity")} for e in row["events"]]
    return item


def update_item(event: dict, labels: Labels, *, extensions: bool = False) -> dict:
    """The servicerequestupdates extension: one row per AppealEvent. Workers' free-text notes are internal and not
    published; the update says what was done (and the legal reason of a refusal)."""
    item = {
        "update_id": str(event["pk"]), "service_request_id": event["appeal__number"],
        "status": STATUS.get(event["to_state"], "open"), "updated_datetime": labels.w3(event["at"]),
        "description": event_summary(event["action"], event["detail"], labels), "media_url": None,
    }
    if extensions:
        state = event["to_state"]
        item["extended_attributes"] = {"action": event["action"], "detailed_status": state,
                                       "detailed_status_label": labels.state.get(state, state)}
    return item
