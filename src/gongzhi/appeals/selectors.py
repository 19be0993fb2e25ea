"""Scoped reads of appeals, the reporter's view and the masking of complainant data (R-H7)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from gongzhi.accounts import scoping
from gongzhi.core import clock, crypto
from gongzhi.core.errors import CommonError
from gongzhi.privacy.masking import mask_name, mask_phone
from gongzhi.privacy.services import access_log_record

from . import permissions as perms
from . import rules
from .calendar import Calendar
from .models import Appeal, AppealState

_RELATED = ("unit", "category", "owner", "assignee_unit", "assignee_team", "assignee_user", "merged_into")


def appeal_list(*, actor, state: str | None = None, category: str | None = None, channel: str | None = None,
                overdue: bool | None = None) -> QuerySet:
    """Appeals under the units where the actor holds ``appeals.view`` (a grid worker: their grid)."""
    scoping.require(actor, perms.VIEW)
    qs = scoping.scope(Appeal.objects.select_related(*_RELATED), actor, perms.VIEW, "unit__path")
    if state:
        qs = qs.filter(state=state)
    if category:
        qs = qs.filter(Q(category__code=category) | Q(category__parent__code=category))
    if channel:
        qs = qs.filter(channel=channel)
    if overdue is not None:
        q = overdue_q()
        qs = qs.filter(q) if overdue else qs.exclude(q)
    return qs


def overdue_q() -> Q:
    now = clock.now()
    waiting = Q(state=AppealState.SUBMITTED, accept_due_at__lt=now)
    open_states = [s for s in AppealState.values if s not in rules.FINISHED and s != AppealState.SUBMITTED]
    late = Q(state__in=open_states, reply_due_at__lt=now, resolved_at__isnull=True)
    return waiting | late


def appeal_get(*, actor, pk: int) -> Appeal:
    return scoping.get_scoped(Appeal.objects.select_related(*_RELATED), actor, perms.VIEW, "unit__path", pk=pk)


def my_appeals(*, actor) -> QuerySet:
    if not getattr(actor, "is_authenticated", False):
        raise CommonError.UNAUTHENTICATED.error()
    return Appeal.objects.select_related(*_RELATED).filter(reporter_user=actor)


def my_appeal_get(*, actor, pk: int) -> Appeal:
    appeal = my_appeals(actor=actor).filter(pk=pk).first()
    if appeal is None:
        raise CommonError.NOT_FOUND.error()
    return appeal


def warning(appeal: Appeal, *, calendar: Calendar | None = None) -> str:
    """"red" when overdue, "yellow" with ≤ 1 working day left, else "" (R-H8)."""
    if appeal.state in rules.FINISHED:
        return ""
    if appeal.state == AppealState.SUBMITTED:
        due = appeal.accept_due_at
    elif appeal.resolved_at is None:
        due = appeal.reply_due_at
    else:
        return ""
    if due is None:
        return ""
    now = clock.now()
    if now > due:
        return "red"
    calendar = calendar or Calendar()
    if calendar.add_working_days(now, rules.YELLOW_WORKING_DAYS) >= due:
        return "yellow"
    return ""


@dataclass
class ReporterView:
    name: str
    phone: str
    masked: bool


def reporter_view(*, actor, appeal: Appeal, reveal: bool = False, channel: str = "page", request=None,
                  purpose: str = "") -> ReporterView:
    """R-H7: masked for everyone without ``appeals.handle`` on the appeal's unit; an unmasked read is logged."""
    name, phone = crypto.decrypt(appeal.reporter_name_enc), crypto.decrypt(appeal.reporter_phone_enc)
    own = appeal.reporter_user_id is not None and appeal.reporter_user_id == getattr(actor, "pk", None)
    if own:
        return ReporterView(name=name, phone=phone, masked=False)
    if reveal and scoping.can(actor, perms.HANDLE, appeal.unit):
        access_log_record(actor=actor, subject_type="appeals.appeal", subject_id=appeal.pk,
                          subject_label=appeal.number, unit_path=appeal.unit.path, fields=["name", "phone"],
                          channel=channel, purpose=purpose, request=request)
        return ReporterView(name=name, phone=phone, masked=False)
    return ReporterView(name=mask_name(name), phone=mask_phone(phone), masked=True)
