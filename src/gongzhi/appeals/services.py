"""Writes for appeals: intake, the lifecycle (rules.TRANSITIONS), photos. Every change leaves an AppealEvent."""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import ExifTags, Image

from gongzhi.accounts import scoping
from gongzhi.core import clock, crypto, events, uploads
from gongzhi.notifications.services import notification_create
from gongzhi.org.divisions import UnitKind
from gongzhi.org.models import Organisation, Unit

from . import events as appeal_events
from . import permissions as perms
from . import rules, selectors
from .calendar import Calendar
from .errors import AppealsError
from .models import (
    Appeal,
    AppealEvent,
    AppealPhoto,
    AppealState,
    Category,
    Channel,
    Holiday,
    PhotoStage,
    RejectReason,
    TimeLimit,
    Urgency,
)

PHOTO_FORMATS = {"JPEG", "PNG", "WEBP"}


def photo_max_bytes() -> int:
    return int(getattr(settings, "APPEALS_PHOTO_MAX_BYTES", 5 * 1024 * 1024))


@dataclass
class AppealInput:
    channel: str
    category_code: str
    description: str
    unit: Unit | None
    address: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    reporter_name: str = ""
    reporter_phone: str = ""
    anonymous: bool = False
    urgency: str = Urgency.NORMAL
    # the filing account is the reporter (随手拍, 来访 on their own behalf); an integration's acting login is not
    actor_is_reporter: bool = True


def _distance2(lat1, lng1, lat2, lng2) -> float:
    dx = (float(lng1) - float(lng2)) * math.cos(math.radians(float(lat1)))
    return dx * dx + (float(lat1) - float(lat2)) ** 2


def resolve_unit(unit: Unit, latitude, longitude) -> Unit:
    """A community plus a location resolves to its nearest grid with coordinates; else the unit the reporter named."""
    if unit.kind == UnitKind.GRID or latitude is None or longitude is None:
        return unit
    grids = Unit.objects.subtree(unit.path).filter(kind=UnitKind.GRID, latitude__isnull=False,
                                                   longitude__isnull=False)
    best = min(grids, key=lambda g: _distance2(latitude, longitude, g.latitude, g.longitude), default=None)
    return best or unit


def _next_number() -> str:
    """SQ + local date + a 5-digit daily sequence."""
    prefix = f"SQ{timezone.localtime(clock.now()).strftime('%Y%m%d')}"
    last = Appeal.objects.filter(number__startswith=prefix).order_by("-number").values_list("number", flat=True).first()
    return f"{prefix}{int(last[len(prefix):]) + 1 if last else 1:05d}"


def _create_numbered(**fields) -> Appeal:
    """Two intakes in the same instant may pick the same number: retry in a savepoint with the next one."""
    for attempt in range(5):
        try:
            with transaction.atomic():
                return Appeal.objects.create(number=_next_number(), **fields)
        except IntegrityError:
            if attempt == 4:
                raise
    raise AssertionError("unreachable")


def _event(appeal: Appeal, action: str, from_state: str, actor, note: str = "", **detail) -> AppealEvent:
    return AppealEvent.objects.create(appeal=appeal, action=action, from_state=from_state, to_state=appeal.state,
                                      actor=actor if getattr(actor, "is_authenticated", False) else None,
                                      at=clock.now(), note=(note or "")[:500], detail=detail)


@transaction.atomic
def appeal_submit(*, data: AppealInput, actor) -> Appeal:
    """Intake from any channel; anyone logged in may file one (随手拍). The accept limit starts now (R-H8)."""
    if data.channel not in Channel.values:
        raise AppealsError.CHANNEL_UNKNOWN.error(detail={"channel": data.channel})
    if data.urgency not in Urgency.values:
        raise AppealsError.URGENCY_UNKNOWN.error(detail={"urgency": data.urgency})
    category = Category.objects.filter(code=data.category_code, parent__isnull=False).first()
    if category is None:
        raise AppealsError.CATEGORY_UNKNOWN.error(detail={"category": data.category_code})
    if not (data.description or "").strip():
        raise AppealsError.DESCRIPTION_EMPTY.error()
    if data.unit is None:
        raise AppealsError.UNIT_MISSING.error()
    as_reporter = data.actor_is_reporter and getattr(actor, "is_authenticated", False)
    person = getattr(actor, "person", None) if as_reporter else None
    name = (data.reporter_name or "").strip() or (person.name if person else "")
    phone = (data.reporter_phone or "").strip() or (getattr(actor, "phone", "") if as_reporter else "") or ""
    now = clock.now()
    limit = rules.limit_for(category=category, urgency=data.urgency, at=now)
    appeal = _create_numbered(
        channel=data.channel, category=category, description=data.description.strip(),
        unit=resolve_unit(data.unit, data.latitude, data.longitude), address=data.address.strip(),
        latitude=data.latitude, longitude=data.longitude,
        reporter_user=actor if as_reporter else None, reporter_person=person,
        reporter_name_enc=crypto.encrypt(name), reporter_phone_enc=crypto.encrypt(phone), anonymous=data.anonymous,
        urgency=data.urgency, state=AppealState.SUBMITTED, submitted_at=now,
        accept_due_at=Calendar().add_working_hours(now, limit.accept_working_hours),
    )
    _event(appeal, "submit", "", actor, channel=data.channel)
    events.publish(appeal_events.STATE_CHANGED, appeal=appeal, from_state="", to_state=appeal.state)
    return appeal


def _lock(appeal: Appeal) -> Appeal:
    return Appeal.objects.select_for_update(of=("self",)).select_related("unit", "category", "owner").get(pk=appeal.pk)


def _check_state(appeal: Appeal, action: str) -> None:
    if appeal.state not in rules.TRANSITIONS[action][0]:
        raise AppealsError.BAD_TRANSITION.error(detail={"state": appeal.state, "action": action,
                                                        "allowed": rules.allowed_actions(appeal.state)})


def _move(appeal: Appeal, action: str, actor, note: str = "", detail: dict | None = None, **fields) -> Appeal:
    """Check the transition table, apply it, leave an event and announce it (all or nothing)."""
    _check_state(appeal, action)
    target = rules.target_state(action, appeal.state)
    from_state = appeal.state
    appeal.state = target
    for name, value in fields.items():
        setattr(appeal, name, value)
    appeal.save(update_fields=["state", *fields])
    _event(appeal, action, from_state, actor, note, **(detail or {}))
    events.publish(appeal_events.STATE_CHANGED, appeal=appeal, from_state=from_state, to_state=target)
    return appeal


def _require_handle(actor, appeal: Appeal, action: str) -> None:
    scoping.require(actor, perms.HANDLE, appeal.unit)
    if action in rules.OWNER_ACTIONS and appeal.owner_id and appeal.owner_id != actor.pk \
            and not scoping.can(actor, perms.SUPERVISE, appeal.unit):
        raise AppealsError.NOT_OWNER.error(detail={"owner": appeal.owner.get_username()})


@transaction.atomic
def appeal_accept(*, appeal: Appeal, actor, note: str = "") -> Appeal:
    """受理: the acceptor becomes the owner (首问负责, R-H8); the reply limit starts (R-H3)."""
    appeal = _lock(appeal)
    _require_handle(actor, appeal, "accept")
    now = clock.now()
    limit = rules.limit_for(category=appeal.category, urgency=appeal.urgency, at=now)
    calendar = Calendar()
    appeal = _move(appeal, "accept", actor, note, owner=actor, accepted_at=now,
                   reply_due_at=calendar.add_working_days(now, limit.reply_working_days),
                   dispatch_due_at=calendar.add_working_hours(now, limit.dispatch_working_hours))
    if appeal.channel == Channel.PHOTO_REPORT:
        events.publish(appeal_events.REPORT_ACCEPTED, appeal=appeal)
    return appeal


@transaction.atomic
def appeal_dispatch(*, appeal: Appeal, actor, unit: Unit | None = None, team: Organisation | None = None,
                    user=None, note: str = "") -> Appeal:
    """派单 to a unit, a team or a person; the owner stays the owner (首问负责). Whether it kept the dispatch limit
    is recorded on the event; the return window (R-H4) starts now."""
    appeal = _lock(appeal)
    _require_handle(actor, appeal, "dispatch")
    if unit is None and team is None and user is None:
        raise AppealsError.DISPATCH_TARGET.error()
    now = clock.now()
    late = appeal.dispatch_due_at is not None and now > appeal.dispatch_due_at
    return _move(appeal, "dispatch", actor, note,
                 detail={"unit": unit.pk if unit else None, "team": team.pk if team else None,
                         "user": user.pk if user else None, "late": late},
                 assignee_unit=unit, assignee_team=team, assignee_user=user, dispatched_at=now)


@transaction.atomic
def appeal_take(*, appeal: Appeal, actor, note: str = "") -> Appeal:
    """接单: the first volunteer to take a dispatched order becomes its handler; the owner stays the owner.

    One winner under concurrency: the row lock serialises takers and the second finds ``assignee_user`` set.
    When the order went to a team only its current members may take it; otherwise any active volunteer may."""
    from gongzhi.people.models import TeamMembership, VolunteerStatus

    appeal = _lock(appeal)
    if appeal.state not in rules.TRANSITIONS["take"][0]:
        raise AppealsError.BAD_TRANSITION.error(detail={"state": appeal.state, "action": "take",
                                                        "allowed": rules.allowed_actions(appeal.state)})
    if appeal.assignee_user_id is not None:
        raise AppealsError.ALREADY_TAKEN.error(detail={"appeal": appeal.pk})
    person = getattr(actor, "person", None) if getattr(actor, "is_authenticated", False) else None
    if appeal.assignee_team_id is not None:
        eligible = person is not None and TeamMembership.objects.filter(
            team_id=appeal.assignee_team_id, person=person, left_on__isnull=True).exists()
    else:
        volunteer = getattr(person, "volunteer", None) if person is not None else None
        eligible = volunteer is not None and volunteer.status == VolunteerStatus.ACTIVE
    if not eligible:
        raise AppealsError.NOT_TEAM_MEMBER.error(detail={"appeal": appeal.pk})
    return _move(appeal, "take", actor, note, detail={"user": actor.pk}, assignee_user=actor)


@transaction.atomic
def appeal_start(*, appeal: Appeal, actor, note: str = "") -> Appeal:
    appeal = _lock(appeal)
    if appeal.assignee_user_id != getattr(actor, "pk", None):
        _require_handle(actor, appeal, "start")
    return _move(appeal, "start", actor, note)


@transaction.atomic
def appeal_resolve(*, appeal: Appeal, actor, note: str = "") -> Appeal:
    """处置: after-photos are uploaded with stage ``after``."""
    appeal = _lock(appeal)
    if appeal.assignee_user_id != getattr(actor, "pk", None):
        _require_handle(actor, appeal, "resolve")
    return _move(appeal, "resolve", actor, note, resolved_at=clock.now())


@transaction.atomic
def appeal_inform(*, appeal: Appeal, actor, note: str = "") -> Appeal:
    """答复: the owner tells the reporter the outcome (R-H3)."""
    appeal = _lock(appeal)
    _require_handle(actor, appeal, "inform")
    return _move(appeal, "inform", actor, note)


@transaction.atomic
def appeal_rate(*, appeal: Appeal, actor, rating: int, note: str = "") -> Appeal:
    """满意度 1–5, by the reporter or recorded by a handler from a call (R-H5)."""
    appeal = _lock(appeal)
    if appeal.reporter_user_id is None or appeal.reporter_user_id != getattr(actor, "pk", None):
        _require_handle(actor, appeal, "rate")
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise AppealsError.RATING_INVALID.error(detail={"rating": rating})
    return _move(appeal, "rate", actor, note, detail={"rating": rating}, rating=rating)


@transaction.atomic
def appeal_visit(*, appeal: Appeal, actor, satisfied: bool, note: str = "") -> Appeal:
    """回访 (R-H5): the owner calls back; an unsatisfied visit leads to 重办."""
    appeal = _lock(appeal)
    _require_handle(actor, appeal, "visit")
    return _move(appeal, "visit", actor, note, detail={"satisfied": satisfied}, visit_satisfied=satisfied)


def _unsatisfied(appeal: Appeal) -> bool:
    return (appeal.rating is not None and appeal.rating <= rules.UNSATISFIED_RATING) or appeal.visit_satisfied is False


@transaction.atomic
def appeal_close(*, appeal: Appeal, actor, note: str = "") -> Appeal:
    appeal = _lock(appeal)
    _require_handle(actor, appeal, "close")
    if appeal.state == AppealState.VISITED and _unsatisfied(appeal):
        raise AppealsError.CLOSE_UNSATISFIED.error(detail={"rating": appeal.rating})
    return _move(appeal, "close", actor, note)


@transaction.atomic
def appeal_reopen(*, appeal: Appeal, actor, note: str = "") -> Appeal:
    """重办 (R-H5) when the rating is ≤ 2 or the return visit was unsatisfied; a new reply limit starts."""
    appeal = _lock(appeal)
    _require_handle(actor, appeal, "reopen")
    if appeal.state in rules.TRANSITIONS["reopen"][0] and not _unsatisfied(appeal):
        raise AppealsError.REOPEN_NOT_DUE.error(detail={"rating": appeal.rating})
    limit = rules.limit_for(category=appeal.category, urgency=appeal.urgency, at=clock.now())
    return _move(appeal, "reopen", actor, note, reopen_count=appeal.reopen_count + 1, rating=None,
                 visit_satisfied=None, assignee_unit=None, assignee_team=None, assignee_user=None,
                 resolved_at=None, extended_days=0,
                 reply_due_at=Calendar().add_working_days(clock.now(), limit.reply_working_days))


@transaction.atomic
def appeal_reject(*, appeal: Appeal, actor, reason: str, note: str = "") -> Appeal:
    """不予受理 only for an R-H2 reason, which the reporter is told."""
    appeal = _lock(appeal)
    _require_handle(actor, appeal, "reject")
    if reason not in RejectReason.values:
        raise AppealsError.REJECT_REASON.error(detail={"reason": reason, "allowed": list(RejectReason.values)})
    return _move(appeal, "reject", actor, note, detail={"reason": reason}, reject_reason=reason)


@transaction.atomic
def appeal_merge(*, appeal: Appeal, actor, into: Appeal, note: str = "") -> Appeal:
    """A duplicate points at the appeal that is kept."""
    appeal = _lock(appeal)
    _require_handle(actor, appeal, "merge")
    if into.pk == appeal.pk or into.state in rules.FINISHED or not scoping.can(actor, perms.HANDLE, into.unit):
        raise AppealsError.MERGE_TARGET.error(detail={"into": into.pk})
    return _move(appeal, "merge", actor, note, detail={"into": into.pk, "into_number": into.number},
                 merged_into=into)


# --- photos -----------------------------------------------------------------------------------------------------

def _gps_degrees(values, ref) -> Decimal | None:
    try:
        d, m, s = (float(v) for v in values)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    value = d + m / 60 + s / 3600
    if ref in ("S", "W"):
        value = -value
    return Decimal(f"{value:.6f}")


def _read_gps(image: Image.Image) -> tuple[Decimal | None, Decimal | None]:
    gps = image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    if not gps:
        return None, None
    return (_gps_degrees(gps.get(2), gps.get(1)), _gps_degrees(gps.get(4), gps.get(3)))


def clean_photo(upload) -> tuple[ContentFile, dict]:
    """Check type and size (the shared upload guard), read the EXIF GPS, and re-encode the pixels without any
    metadata."""
    uploads.check_size(upload, max_bytes=photo_max_bytes(), too_large=AppealsError.PHOTO_TOO_LARGE)
    image = uploads.image_open(upload, formats=PHOTO_FORMATS, invalid=AppealsError.PHOTO_INVALID)
    fmt = image.format
    lat, lng = _read_gps(image)
    clean = Image.frombytes(image.mode, image.size, image.tobytes())  # pixels only: no EXIF, no GPS
    if image.mode == "P" and image.getpalette():
        clean.putpalette(image.getpalette())
    out = io.BytesIO()
    clean.save(out, format=fmt)
    ext = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}[fmt]
    return ContentFile(out.getvalue(), name=f"photo.{ext}"), {"width": image.width, "height": image.height,
                                                              "gps_latitude": lat, "gps_longitude": lng}


@transaction.atomic
def appeal_photo_add(*, appeal: Appeal, actor, upload, stage: str = PhotoStage.BEFORE) -> AppealPhoto:
    """Before-photos by the reporter while the appeal is open; after-photos by handlers (处置)."""
    if stage not in PhotoStage.values:
        raise AppealsError.PHOTO_INVALID.error(detail={"stage": stage})
    is_reporter = appeal.reporter_user_id is not None and appeal.reporter_user_id == getattr(actor, "pk", None)
    if not (is_reporter and stage == PhotoStage.BEFORE) and appeal.assignee_user_id != getattr(actor, "pk", None):
        scoping.require(actor, perms.HANDLE, appeal.unit)
    if appeal.state in rules.FINISHED:
        raise AppealsError.BAD_TRANSITION.error(detail={"state": appeal.state, "action": "photo"})
    content, meta = clean_photo(upload)
    photo = AppealPhoto(appeal=appeal, stage=stage, uploaded_by=actor, created_at=clock.now(), **meta)
    photo.file.save(content.name, content, save=False)
    photo.save()
    if meta["gps_latitude"] is not None and appeal.latitude is None:
        Appeal.objects.filter(pk=appeal.pk).update(latitude=meta["gps_latitude"], longitude=meta["gps_longitude"])
    return photo


# --- extension and return (R-H4) --------------------------------------------------------------------------------

def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise AppealsError.REASON_REQUIRED.error()
    return reason


@transaction.atomic
def appeal_extend(*, appeal: Appeal, actor, days: int, reason: str) -> Appeal:
    """延期 (R-H4): the owner or a supervisor moves the reply limit on by ``days`` working days, with a reason; all
    extensions of one reply limit add up to at most ``rules.MAX_EXTENSION_WORKING_DAYS``."""
    appeal = _lock(appeal)
    _check_state(appeal, "extend")
    _require_handle(actor, appeal, "extend")
    reason = _reason(reason)
    if not isinstance(days, int) or isinstance(days, bool) or days < 1:
        raise AppealsError.EXTENSION_DAYS.error(detail={"days": days})
    total = appeal.extended_days + days
    if total > rules.MAX_EXTENSION_WORKING_DAYS:
        raise AppealsError.EXTENSION_EXCEEDED.error(detail={"max": rules.MAX_EXTENSION_WORKING_DAYS,
                                                            "used": appeal.extended_days, "asked": days})
    due = Calendar().add_working_days(appeal.reply_due_at, days)
    return _move(appeal, "extend", actor, reason,
                 detail={"days": days, "total": total, "from_due": appeal.reply_due_at.isoformat(),
                         "to_due": due.isoformat()},
                 reply_due_at=due, extended_days=total)


@transaction.atomic
def appeal_return(*, appeal: Appeal, actor, reason: str) -> Appeal:
    """退回 (R-H4): the receiver of an order dispatched to the wrong unit sends it back to the owner, with a reason,
    within ``rules.RETURN_WINDOW_WORKING_DAYS`` working days of the dispatch; the appeal is accepted again."""
    appeal = _lock(appeal)
    appeal = Appeal.objects.select_related("unit", "category", "owner", "assignee_unit", "assignee_team__unit") \
        .get(pk=appeal.pk)
    _check_state(appeal, "return")
    if not selectors.appeal_may_return(appeal=appeal, actor=actor):
        raise AppealsError.NOT_RECIPIENT.error(detail={"appeal": appeal.pk})
    reason = _reason(reason)
    window_end = Calendar().add_working_days(appeal.dispatched_at, rules.RETURN_WINDOW_WORKING_DAYS) \
        if appeal.dispatched_at else None
    if window_end is None or clock.now() > window_end:
        raise AppealsError.RETURN_WINDOW.error(detail={"window_end": window_end.isoformat() if window_end else None})
    assignee = appeal.assignee_user or appeal.assignee_team or appeal.assignee_unit
    appeal = _move(appeal, "return", actor, reason,
                   detail={"unit": appeal.assignee_unit_id, "team": appeal.assignee_team_id,
                           "user": appeal.assignee_user_id},
                   assignee_unit=None, assignee_team=None, assignee_user=None)
    if appeal.owner_id:
        notification_create(user=appeal.owner, kind="appeals.returned",
                            title=_("工单%(number)s被退回") % {"number": appeal.number},
                            body=_("%(assignee)s退回了派单，理由：%(reason)s") % {"assignee": str(assignee),
                                                                          "reason": reason},
                            url=reverse("appeals:detail", args=[appeal.pk]))
    return appeal


# --- escalation one tier up (小事不出网格，大事不出街道) ----------------------------------------------------------

def escalation_target(unit: Unit) -> Unit | None:
    """The nearest ancestor of the next tier (grid → community → street → district); None at the top."""
    tier = rules.ESCALATION_LADDER.get(unit.kind)
    if tier is None:
        return None
    ancestors = list(Unit.objects.filter(path__in=unit.ancestors_paths()).order_by("-depth", "-path"))
    return next((u for u in ancestors if u.kind == tier), None) or (unit.parent if unit.parent_id else None)


def _notify_escalation(appeal: Appeal, to_unit: Unit, from_unit: Unit, reason: str) -> None:
    """Everyone holding ``appeals.supervise`` or ``appeals.handle`` at the target unit itself."""
    from gongzhi.accounts.models import RoleAssignment
    from gongzhi.accounts.permissions import roles_with

    roles = roles_with(perms.SUPERVISE) | roles_with(perms.HANDLE)
    users = {ra.user for ra in RoleAssignment.objects.filter(unit=to_unit, revoked_at__isnull=True, role__in=roles)
             .select_related("user").order_by("user_id")}
    for user in sorted(users, key=lambda u: u.pk):
        notification_create(
            user=user, kind="appeals.escalated",
            title=_("诉求%(number)s已升级至%(unit)s督办") % {"number": appeal.number, "unit": to_unit.name},
            body=_("由%(from_unit)s升级：%(reason)s") % {"from_unit": from_unit.name, "reason": reason},
            url=reverse("appeals:detail", args=[appeal.pk]))


def _escalate(appeal: Appeal, actor, reason: str, *, due: str | None, manual: bool) -> Appeal:
    """Caller holds the row lock and has checked the state."""
    from_unit = appeal.level_unit or appeal.unit
    to_unit = escalation_target(from_unit)
    if to_unit is None:
        raise AppealsError.TOP_TIER.error(detail={"unit": from_unit.name})
    appeal = _move(appeal, "escalate", actor, reason,
                   detail={"from_unit": from_unit.pk, "from_unit_name": from_unit.name, "to_unit": to_unit.pk,
                           "to_unit_name": to_unit.name, "due": due, "manual": manual},
                   level_unit=to_unit)
    events.publish(appeal_events.ESCALATED, appeal=appeal, from_unit=from_unit, to_unit=to_unit)
    _notify_escalation(appeal, to_unit, from_unit, reason)
    return appeal


@transaction.atomic
def appeal_escalate(*, appeal: Appeal, actor, reason: str) -> Appeal:
    """升级 by hand: the owner (or a supervisor) moves a matter one tier up, with a reason. An appeal nobody has
    accepted yet has no owner, so only a supervisor may escalate it."""
    appeal = _lock(appeal)
    appeal = Appeal.objects.select_related("unit", "category", "owner", "level_unit").get(pk=appeal.pk)
    _check_state(appeal, "escalate")
    _require_handle(actor, appeal, "escalate")
    if appeal.owner_id is None:
        scoping.require(actor, perms.SUPERVISE, appeal.unit)
    return _escalate(appeal, actor, _reason(reason), due=None, manual=True)


# --- 督办 (R-H5, R-H8) --------------------------------------------------------------------------------------------

@transaction.atomic
def overdue_supervise(now=None) -> int:
    """The periodic job: on every red (overdue) appeal, once per current deadline, record a 督办 event and escalate
    it one tier (unless it is already at the top); returns the number of appeals supervised.

    A deadline is "current" for the state it guards: a waiting appeal's accept limit, an accepted one's reply limit;
    an extension or a reopened appeal gets a new reply limit and so may be supervised and escalated again. Appeals
    are locked one by one in primary-key order, so a second run at the same time waits and then finds the events."""
    from .selectors import overdue_q

    count = 0
    for pk in Appeal.objects.filter(overdue_q()).order_by("pk").values_list("pk", flat=True):
        appeal = Appeal.objects.select_for_update(of=("self",)).select_related(
            "unit", "category", "owner", "level_unit").filter(overdue_q(), pk=pk).first()
        if appeal is None:  # handled meanwhile
            continue
        due = appeal.accept_due_at if appeal.state == AppealState.SUBMITTED else appeal.reply_due_at
        key = due.isoformat()
        if not appeal.events.filter(action="supervise", detail__due=key).exists():
            level = appeal.level_unit or appeal.unit
            _event(appeal, "supervise", appeal.state, None, "", due=key, tier=level.kind)
            count += 1
        if appeal.state in rules.TRANSITIONS["escalate"][0] and escalation_target(appeal.level_unit or appeal.unit) \
                and not appeal.events.filter(action="escalate", detail__due=key).exists():
            _escalate(appeal, None, str(_("超期未办，自动升级督办")), due=key, manual=False)
    return count


# --- configuration: holidays and time limits (R-H8, R-U3) --------------------------------------------------------

@transaction.atomic
def holiday_create(*, actor, date, name: str, workday: bool = False) -> Holiday:
    """A day off (or a 调休 working weekend day, ``workday=True``) in the working-day calendar; one row per date."""
    scoping.require(actor, perms.SUPERVISE)
    name = (name or "").strip()
    if not name:
        raise AppealsError.HOLIDAY_NAME.error()
    if Holiday.objects.filter(date=date).exists():
        raise AppealsError.HOLIDAY_EXISTS.error(detail={"date": date.isoformat()})
    try:
        with transaction.atomic():
            return Holiday.objects.create(date=date, name=name[:40], workday=bool(workday))
    except IntegrityError:
        raise AppealsError.HOLIDAY_EXISTS.error(detail={"date": date.isoformat()}) from None


def _positive(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 10_000


@transaction.atomic
def time_limit_create(*, actor, urgency: str, accept_working_hours: int, dispatch_working_hours: int,
                      reply_working_days: int, category_code: str = "", effective_from=None,
                      note: str = "") -> TimeLimit:
    """A new version of a limit (append-only): in force from ``effective_from`` (default now) for new deadlines."""
    scoping.require(actor, perms.SUPERVISE)
    category = None
    if category_code:
        category = Category.objects.filter(code=category_code).first()
        if category is None:
            raise AppealsError.CATEGORY_UNKNOWN.error(detail={"category": category_code})
    hours = {"accept_working_hours": accept_working_hours, "dispatch_working_hours": dispatch_working_hours,
             "reply_working_days": reply_working_days}
    bad = [k for k, v in hours.items() if not _positive(v)]
    if urgency not in Urgency.values or bad:
        raise AppealsError.LIMIT_INVALID.error(detail={"fields": bad, "urgency": urgency})
    now = clock.now()
    return TimeLimit.objects.create(category=category, urgency=urgency, **hours, effective_from=effective_from or now,
                                    note=(note or "").strip()[:200], created_by=actor, created_at=now)
