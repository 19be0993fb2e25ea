"""Writes for projects, activities, sign-ups, beneficiaries and insurance. Every function is atomic.

Capacity is enforced under the activity's row lock (:func:`_lock_activity`, the one place this app locks): a sign-up,
cancellation, approval or capacity change reads and writes ``confirmed_count`` / ``waitlist_count`` while holding it,
so parallel sign-ups queue on the row and never exceed capacity (the database check constraint is the last guard).
Status changes append ``ActivityEvent`` / ``SignupEvent`` rows and publish the events in :mod:`.events`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields, replace
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.accounts import scoping
from gongzhi.core import clock, events
from gongzhi.core.errors import CommonError
from gongzhi.notifications.services import notification_create
from gongzhi.org.models import Organisation, OrgKind, Unit
from gongzhi.people.identity import age_on
from gongzhi.people.models import ConsentPurpose, ConsentRecord, Skill, VolunteerProfile, VolunteerStatus
from gongzhi.people.rules import volunteer_rules

from . import events as activity_events
from . import permissions as perms
from . import selectors
from .errors import ActivitiesError
from .models import (
    ACTIVE_SIGNUP,
    SIGNUP_KEY_MAX,
    Activity,
    ActivityEvent,
    ActivityStatus,
    Audience,
    BeneficiaryCount,
    BeneficiaryGroup,
    Category,
    InsurancePolicy,
    Project,
    Signup,
    SignupEvent,
    SignupStatus,
)

MAX_CAPACITY = 100_000
MAX_BENEFICIARIES = 100_000


def activity_url(activity: Activity) -> str:
    return reverse("activities:detail", args=[activity.pk])


def _lock_activity(activity: Activity | int) -> Activity:
    """The activity's row lock: every capacity and status change of an activity and its sign-ups happens under it."""
    pk = activity if isinstance(activity, int) else activity.pk
    return (Activity.objects.select_for_update(of=("self",)).select_related("unit", "category", "organiser")
            .get(pk=pk))


# --- projects ------------------------------------------------------------------------------------------------


def _clean_text(raw: str, limit: int, error) -> str:
    text = " ".join((raw or "").split())
    if not text or len(text) > limit:
        raise error.error(detail={"field": "title" if error is ActivitiesError.TITLE_INVALID else "name"})
    return text


def _require_category(category: Category | None) -> Category:
    if category is None or not category.active:
        raise ActivitiesError.CATEGORY_UNKNOWN.error(detail={"field": "category"})
    return category


@transaction.atomic
def project_create(*, name: str, unit: Unit, category: Category, starts_on: dt.date, actor,
                   ends_on: dt.date | None = None, organiser: Organisation | None = None,
                   description: str = "") -> Project:
    """A long-running project in a unit the actor may organise for."""
    name = _clean_text(name, 120, ActivitiesError.NAME_INVALID)
    _require_category(category)
    _check_organiser(organiser, unit)
    selectors.require_organise(actor, unit=unit, organiser=organiser)
    if ends_on is not None and ends_on < starts_on:
        raise ActivitiesError.PROJECT_DATES_INVALID.error(detail={"field": "ends_on"})
    if Project.objects.filter(unit=unit, name=name).exists():
        raise ActivitiesError.PROJECT_DUPLICATE.error(detail={"field": "name"})
    return Project.objects.create(name=name, unit=unit, category=category, organiser=organiser,
                                  description=(description or "")[:5000], starts_on=starts_on, ends_on=ends_on,
                                  created_by=actor)


# --- activities ----------------------------------------------------------------------------------------------


@dataclass
class ActivityInput:
    """Validated-at-the-edge shape of an activity; :func:`_validate` re-checks every rule."""

    title: str
    category: Category
    unit: Unit
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int
    project: Project | None = None
    organiser: Organisation | None = None
    description: str = ""
    address: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    checkin_radius_m: int = 300
    requires_approval: bool = False
    audience: str = Audience.COMMUNITY
    min_age: int = 0
    skills: list[Skill] = field(default_factory=list)

    @classmethod
    def from_activity(cls, a: Activity) -> ActivityInput:
        values = {f.name: getattr(a, f.name) for f in fields(cls) if f.name != "skills"}
        return cls(**values, skills=list(a.skills.all()))

    def with_changes(self, **changes) -> ActivityInput:
        return replace(self, **changes)


# Once published, only these may change (capacity only upwards).
EDITABLE_AFTER_PUBLISH = {"description", "address", "capacity"}


def _check_organiser(organiser: Organisation | None, unit: Unit) -> None:
    if organiser is None:
        return
    if not (unit.path.startswith(organiser.unit.path) or organiser.unit.path.startswith(unit.path)):
        raise ActivitiesError.ORGANISER_INVALID.error(detail={"field": "organiser"})


ACTIVITY_YEARS = (2000, 2100)


def _window_time(value: dt.datetime | None, name: str) -> dt.datetime | None:
    """A time without offset is local time; a year outside ``ACTIVITY_YEARS`` cannot be a real activity (and year 1
    or 9999 would overflow when stored in UTC)."""
    if value is None:
        return None
    if not ACTIVITY_YEARS[0] <= value.year <= ACTIVITY_YEARS[1]:
        raise ActivitiesError.TIME_OUT_OF_RANGE.error(detail={"field": name})
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _validate(data: ActivityInput) -> ActivityInput:
    title = _clean_text(data.title, 120, ActivitiesError.TITLE_INVALID)
    _require_category(data.category)
    data = data.with_changes(starts_at=_window_time(data.starts_at, "starts_at"),
                             ends_at=_window_time(data.ends_at, "ends_at"))
    if data.starts_at is None or data.ends_at is None or data.ends_at <= data.starts_at:
        raise ActivitiesError.WINDOW_INVALID.error(detail={"field": "ends_at"})
    if not isinstance(data.capacity, int) or not 1 <= data.capacity <= MAX_CAPACITY:
        raise ActivitiesError.CAPACITY_INVALID.error(detail={"field": "capacity"})
    for name, bound in (("latitude", 90), ("longitude", 180)):
        value = getattr(data, name)
        if value is not None and not -bound <= Decimal(value) <= bound:
            raise ActivitiesError.COORDINATES_INVALID.error(detail={"field": name})
    if data.audience not in Audience.values:
        raise ActivitiesError.AUDIENCE_INVALID.error(detail={"field": "audience"})
    if not 0 <= int(data.min_age) <= 100:
        raise ActivitiesError.MIN_AGE_INVALID.error(detail={"field": "min_age"})
    if not 10 <= int(data.checkin_radius_m) <= 50_000:
        raise ActivitiesError.COORDINATES_INVALID.error(detail={"field": "checkin_radius_m"})
    _check_organiser(data.organiser, data.unit)
    if data.audience == Audience.TEAM and (data.organiser is None or data.organiser.kind != OrgKind.TEAM):
        raise ActivitiesError.TEAM_AUDIENCE_NEEDS_TEAM.error(detail={"field": "organiser"})
    if data.project is not None and not data.unit.path.startswith(data.project.unit.path):
        raise ActivitiesError.PROJECT_UNIT_MISMATCH.error(detail={"field": "project"})
    return data.with_changes(title=title, description=(data.description or "")[:5000],
                             address=(data.address or "").strip()[:200])


def _transition_event(activity: Activity, *, to: str, actor, reason: str = "") -> None:
    from_status = activity.status
    ActivityEvent.objects.create(activity=activity, from_status=from_status, to_status=to, actor=actor,
                                 reason=reason[:200], at=clock.now())
    activity.status = to
    activity.save(update_fields=["status", "updated_at"])
    events.publish(activity_events.STATUS_CHANGED, activity=activity, from_status=from_status, to_status=to)


@transaction.atomic
def activity_create(*, data: ActivityInput, actor) -> Activity:
    """A draft activity in a unit the actor may organise for (a team leader: for a team they lead)."""
    data = _validate(data)
    selectors.require_organise(actor, unit=data.unit, organiser=data.organiser)
    values = {f.name: getattr(data, f.name) for f in fields(ActivityInput) if f.name != "skills"}
    activity = Activity.objects.create(**values, status=ActivityStatus.DRAFT, created_by=actor)
    activity.skills.set(data.skills)
    ActivityEvent.objects.create(activity=activity, from_status="", to_status=ActivityStatus.DRAFT, actor=actor,
                                 at=clock.now())
    return activity


@transaction.atomic
def activity_update(*, activity: Activity, data: ActivityInput, actor) -> Activity:
    """Drafts change freely; once published only the description, the address and a larger capacity."""
    selectors.require_organise(actor, unit=activity.unit, organiser=activity.organiser)
    activity = _lock_activity(activity)
    data = _validate(data)
    current = ActivityInput.from_activity(activity)
    changed = {f.name for f in fields(ActivityInput) if getattr(current, f.name) != getattr(data, f.name)}
    if "skills" in changed and {s.pk for s in current.skills} == {s.pk for s in data.skills}:
        changed.discard("skills")
    if activity.status in (ActivityStatus.FINISHED, ActivityStatus.CANCELLED):
        raise ActivitiesError.BAD_TRANSITION.error(detail={"status": activity.status})
    if activity.status != ActivityStatus.DRAFT:
        locked = sorted(changed - EDITABLE_AFTER_PUBLISH)
        if locked:
            raise ActivitiesError.PUBLISHED_LOCKED.error(detail={"fields": locked})
        if data.capacity < activity.capacity:
            raise ActivitiesError.CAPACITY_DECREASE.error(detail={"field": "capacity"})
    if data.unit != activity.unit or data.organiser != activity.organiser:
        selectors.require_organise(actor, unit=data.unit, organiser=data.organiser)
    for name in changed - {"skills"}:
        setattr(activity, name, getattr(data, name))
    activity.save()
    if "skills" in changed:
        activity.skills.set(data.skills)
    if activity.status != ActivityStatus.DRAFT and "capacity" in changed:
        _promote_waitlisted(activity, actor=actor)
    return activity


def _require_status(activity: Activity, allowed: tuple[str, ...], action: str) -> None:
    if activity.status not in allowed:
        raise ActivitiesError.BAD_TRANSITION.error(detail={"status": activity.status, "action": action})


@transaction.atomic
def activity_publish(*, activity: Activity, actor) -> Activity:
    """Open a draft for sign-up. R-V10: a dangerous category needs a policy covering its dates and unit first."""
    selectors.require_organise(actor, unit=activity.unit, organiser=activity.organiser)
    activity = _lock_activity(activity)
    _require_status(activity, (ActivityStatus.DRAFT,), "publish")
    if activity.category.dangerous and selectors.covering_policy(activity) is None:
        raise ActivitiesError.INSURANCE_REQUIRED.error(detail={"category": activity.category.code})
    _transition_event(activity, to=ActivityStatus.PUBLISHED, actor=actor)
    return activity


@transaction.atomic
def activity_start(*, activity: Activity, actor) -> Activity:
    selectors.require_organise(actor, unit=activity.unit, organiser=activity.organiser)
    activity = _lock_activity(activity)
    _require_status(activity, (ActivityStatus.PUBLISHED,), "start")
    _transition_event(activity, to=ActivityStatus.ONGOING, actor=actor)
    return activity


@transaction.atomic
def activity_finish(*, activity: Activity, actor) -> Activity:
    selectors.require_organise(actor, unit=activity.unit, organiser=activity.organiser)
    activity = _lock_activity(activity)
    _require_status(activity, (ActivityStatus.ONGOING,), "finish")
    _transition_event(activity, to=ActivityStatus.FINISHED, actor=actor)
    return activity


@transaction.atomic
def activity_cancel(*, activity: Activity, actor, reason: str) -> Activity:
    """Cancel with a reason; every live sign-up is cancelled and its volunteer told."""
    selectors.require_organise(actor, unit=activity.unit, organiser=activity.organiser)
    reason = (reason or "").strip()
    if not reason:
        raise ActivitiesError.REASON_REQUIRED.error(detail={"field": "reason"})
    activity = _lock_activity(activity)
    _require_status(activity, (ActivityStatus.DRAFT, ActivityStatus.PUBLISHED, ActivityStatus.ONGOING), "cancel")
    live = list(activity.signups.filter(status__in=ACTIVE_SIGNUP).select_related("volunteer__person__user")
                .order_by("pk"))
    for signup in live:
        _signup_set(signup, SignupStatus.CANCELLED, actor=actor, reason=reason, notify=False)
    activity.confirmed_count = 0
    activity.waitlist_count = 0
    activity.save(update_fields=["confirmed_count", "waitlist_count", "updated_at"])
    _transition_event(activity, to=ActivityStatus.CANCELLED, actor=actor, reason=reason)
    start = timezone.localtime(activity.starts_at)
    for signup in live:
        user = signup.volunteer.person.user
        if user is not None:
            notification_create(
                user=user, kind="activity_cancelled", url=activity_url(activity),
                title=_("活动“%(title)s”已取消") % {"title": activity.title},
                body=_("原定于%(when)s开始的活动已取消，原因：%(reason)s") % {
                    "when": start.strftime("%Y-%m-%d %H:%M"), "reason": reason},
            )
    return activity


# --- sign-ups ------------------------------------------------------------------------------------------------

NOTICES = {
    # status reached → (notification kind, title template)
    "confirmed": ("signup_confirmed", gettext_lazy("您已成功报名“%(title)s”")),
    "waitlisted": ("signup_waitlisted", gettext_lazy("“%(title)s”名额已满，您已进入候补")),
    "promoted": ("signup_promoted", gettext_lazy("候补成功：您已被录用参加“%(title)s”")),
    "pending": ("signup_pending", gettext_lazy("您报名的“%(title)s”正在等待组织方审核")),
    "rejected": ("signup_rejected", gettext_lazy("您报名的“%(title)s”未被录用")),
    "cancelled": ("signup_cancelled", gettext_lazy("您在“%(title)s”的报名已取消")),
}


def _notify(signup: Signup, notice: str, *, body: str = "") -> None:
    user_id = signup.volunteer.person.user_id
    if user_id is None:
        return
    kind, title = NOTICES[notice]
    activity = signup.activity
    when = timezone.localtime(activity.starts_at).strftime("%Y-%m-%d %H:%M")
    notification_create(
        user=signup.volunteer.person.user, kind=kind, url=activity_url(activity),
        title=str(title) % {"title": activity.title},
        body=body or _("活动时间：%(when)s；地点：%(address)s") % {"when": when, "address": activity.address or "—"},
    )


def _signup_set(signup: Signup, to: str, *, actor, reason: str = "", notify: bool = True,
                notice: str | None = None) -> None:
    """Move a sign-up to ``to`` (caller holds the activity lock and adjusts the counters)."""
    from_status = signup.status
    now = clock.now()
    SignupEvent.objects.create(signup=signup, from_status=from_status, to_status=to, actor=actor,
                               reason=(reason or "")[:200], at=now)
    signup.status = to
    signup.updated_at = now
    signup.save(update_fields=["status", "updated_at"])
    events.publish(activity_events.SIGNUP_CHANGED, signup=signup, from_status=from_status, to_status=to)
    if notify:
        _notify(signup, notice or to)


def _take_place(activity: Activity) -> str:
    """Confirmed if a place is free, else waitlisted; the counter moves in the caller's transaction."""
    if activity.confirmed_count < activity.capacity:
        activity.confirmed_count += 1
        return SignupStatus.CONFIRMED
    activity.waitlist_count += 1
    return SignupStatus.WAITLISTED


def _promote_waitlisted(activity: Activity, *, actor) -> int:
    """Fill free places from the waitlist in sign-up order (caller holds the lock)."""
    promoted = 0
    free = activity.capacity - activity.confirmed_count
    if free > 0:
        for signup in (activity.signups.filter(status=SignupStatus.WAITLISTED)
                       .select_related("volunteer__person__user").order_by("pk")[:free]):
            signup.activity = activity
            _signup_set(signup, SignupStatus.CONFIRMED, actor=actor, reason=_("候补自动递补"), notice="promoted")
            activity.confirmed_count += 1
            activity.waitlist_count -= 1
            promoted += 1
    activity.save(update_fields=["confirmed_count", "waitlist_count", "updated_at"])
    return promoted


def _is_self(actor, volunteer: VolunteerProfile) -> bool:
    return volunteer.person.user_id is not None and volunteer.person.user_id == actor.pk


def _latest_guardian_consent(volunteer: VolunteerProfile) -> ConsentRecord | None:
    latest = (ConsentRecord.objects.filter(person=volunteer.person, purpose=ConsentPurpose.GUARDIAN)
              .order_by("-recorded_at", "-pk").first())
    return latest if latest is not None and latest.granted else None


def _check_age(activity: Activity, volunteer: VolunteerProfile, *, actor, guardian_name: str,
               guardian_present: bool) -> ConsentRecord | None:
    """Minimum age and R-V9 (minors 8–17 only with guardian consent or presence, never dangerous work)."""
    birth = volunteer.person.birth_date
    if birth is None:
        return None
    rules = volunteer_rules()
    age = age_on(birth, timezone.localtime(activity.starts_at).date())
    if age < rules.min_age:
        raise ActivitiesError.MINOR_TOO_YOUNG.error(detail={"min_age": rules.min_age})
    if age < activity.min_age:
        raise ActivitiesError.TOO_YOUNG_FOR_ACTIVITY.error(detail={"min_age": activity.min_age})
    if age >= rules.guardian_consent_below:
        return None
    if activity.category.dangerous:
        raise ActivitiesError.MINOR_DANGEROUS.error()
    if guardian_name:
        return ConsentRecord.objects.create(
            person=volunteer.person, purpose=ConsentPurpose.GUARDIAN, granted=True, guardian_name=guardian_name[:50],
            recorded_by=actor, note=f"activity:{activity.pk}",
        )
    if guardian_present:
        return None
    consent = _latest_guardian_consent(volunteer)
    if consent is None:
        raise ActivitiesError.GUARDIAN_REQUIRED.error(detail={"field": "guardian_name"})
    return consent


def _signup_key(idempotency_key: str | None) -> str:
    """The request's key as stored ("" for none); a blank or over-long one is refused (400)."""
    if not idempotency_key:
        return ""
    if len(idempotency_key) > SIGNUP_KEY_MAX or not idempotency_key.strip():
        raise CommonError.BAD_REQUEST.error(detail={"field": "idempotency_key"})
    return idempotency_key


def _signup_replay(*, key: str, activity: Activity, volunteer: VolunteerProfile, actor) -> Signup | None:
    """The sign-up an earlier request with ``key`` made for this volunteer, or the actor made for anyone; refused
    (409) when it was for another activity or another volunteer."""
    found = (Signup.objects.filter(Q(volunteer=volunteer) | Q(created_by=actor), idempotency_key=key)
             .order_by("pk").first())
    if found is None:
        return None
    if (found.activity_id, found.volunteer_id) != (activity.pk, volunteer.pk):
        raise ActivitiesError.IDEMPOTENCY_CONFLICT.error(detail={"field": "idempotency_key", "idempotency_key": key})
    found.activity = activity
    found.replayed = True
    return found


@transaction.atomic
def signup_create(*, activity: Activity, volunteer: VolunteerProfile, actor, guardian_name: str = "",
                  guardian_present: bool = False, note: str = "", idempotency_key: str | None = None) -> Signup:
    """Sign a volunteer up (themselves, or an organiser for them): confirmed, pending approval, or waitlisted.

    With ``idempotency_key``, a repeat of the request (a retry that got no answer, a form sent twice) returns the
    sign-up the first one made, as it stands now, marked ``replayed``, and changes nothing; the other fields of the
    repeat are not compared. The key is looked up under the activity lock, so two parallel first attempts for the
    same activity make one sign-up; across activities the database's one-key-per-volunteer constraint decides.
    """
    key = _signup_key(idempotency_key)
    if not _is_self(actor, volunteer):
        selectors.require_organise(actor, unit=activity.unit, organiser=activity.organiser)
    activity = _lock_activity(activity)
    if key:
        found = _signup_replay(key=key, activity=activity, volunteer=volunteer, actor=actor)
        if found is not None:
            return found
    if volunteer.status != VolunteerStatus.ACTIVE:
        raise ActivitiesError.VOLUNTEER_NOT_ACTIVE.error(detail={"status": volunteer.status})
    if activity.status not in selectors.OPEN_STATUSES:
        raise ActivitiesError.NOT_OPEN.error(detail={"status": activity.status})
    if not selectors.audience_allows(activity, home=volunteer.unit, person=volunteer.person):
        raise ActivitiesError.AUDIENCE_REFUSED.error(detail={"audience": activity.audience})
    guardian_name = " ".join((guardian_name or "").split())[:50]
    consent = _check_age(activity, volunteer, actor=actor, guardian_name=guardian_name,
                         guardian_present=guardian_present)
    if Signup.objects.filter(activity=activity, volunteer=volunteer, status__in=ACTIVE_SIGNUP).exists():
        raise ActivitiesError.ALREADY_SIGNED_UP.error()
    status = SignupStatus.PENDING if activity.requires_approval else _take_place(activity)
    now = clock.now()
    try:
        with transaction.atomic():
            signup = Signup.objects.create(
                activity=activity, volunteer=volunteer, status=status, guardian_name=guardian_name,
                guardian_consent=consent, guardian_present=bool(guardian_present), note=(note or "")[:200],
                idempotency_key=key, created_by=actor, created_at=now, updated_at=now,
            )
    except IntegrityError:
        # A concurrent request with the same key committed first (we waited on its index entry): answer as a
        # retry would, or refuse it for another activity.
        found = _signup_replay(key=key, activity=activity, volunteer=volunteer, actor=actor) if key else None
        if found is not None:
            return found
        raise ActivitiesError.ALREADY_SIGNED_UP.error() from None
    activity.save(update_fields=["confirmed_count", "waitlist_count", "updated_at"])
    SignupEvent.objects.create(signup=signup, from_status="", to_status=status, actor=actor, at=now)
    events.publish(activity_events.SIGNUP_CHANGED, signup=signup, from_status="", to_status=status)
    _notify(signup, status)
    signup.replayed = False
    return signup


def _relock(signup: Signup) -> tuple[Activity, Signup]:
    activity = _lock_activity(signup.activity_id)
    signup = Signup.objects.select_related("volunteer", "volunteer__person", "volunteer__person__user").get(
        pk=signup.pk)
    signup.activity = activity
    return activity, signup


@transaction.atomic
def signup_cancel(*, signup: Signup, actor, reason: str = "") -> Signup:
    """The volunteer or an organiser cancels; a freed place goes to the first on the waitlist."""
    if not _is_self(actor, signup.volunteer):
        selectors.require_organise(actor, unit=signup.activity.unit, organiser=signup.activity.organiser)
    activity, signup = _relock(signup)
    if signup.status not in ACTIVE_SIGNUP:
        raise ActivitiesError.SIGNUP_BAD_TRANSITION.error(detail={"status": signup.status})
    if activity.status not in selectors.OPEN_STATUSES:
        raise ActivitiesError.NOT_OPEN.error(detail={"status": activity.status})
    was = signup.status
    _signup_set(signup, SignupStatus.CANCELLED, actor=actor, reason=reason)
    if was == SignupStatus.CONFIRMED:
        activity.confirmed_count -= 1
    elif was == SignupStatus.WAITLISTED:
        activity.waitlist_count -= 1
    _promote_waitlisted(activity, actor=actor)
    return signup


@transaction.atomic
def signup_approve(*, signup: Signup, actor) -> Signup:
    """An organiser admits a pending sign-up: confirmed if a place is free, else waitlisted."""
    selectors.require_organise(actor, unit=signup.activity.unit, organiser=signup.activity.organiser)
    activity, signup = _relock(signup)
    if signup.status != SignupStatus.PENDING:
        raise ActivitiesError.SIGNUP_BAD_TRANSITION.error(detail={"status": signup.status})
    if activity.status not in selectors.OPEN_STATUSES:
        raise ActivitiesError.NOT_OPEN.error(detail={"status": activity.status})
    to = _take_place(activity)
    activity.save(update_fields=["confirmed_count", "waitlist_count", "updated_at"])
    _signup_set(signup, to, actor=actor, reason=_("组织方审核通过"))
    return signup


@transaction.atomic
def signup_reject(*, signup: Signup, actor, reason: str = "") -> Signup:
    """An organiser turns down a pending or waitlisted sign-up."""
    selectors.require_organise(actor, unit=signup.activity.unit, organiser=signup.activity.organiser)
    activity, signup = _relock(signup)
    if signup.status not in (SignupStatus.PENDING, SignupStatus.WAITLISTED):
        raise ActivitiesError.SIGNUP_BAD_TRANSITION.error(detail={"status": signup.status})
    if signup.status == SignupStatus.WAITLISTED:
        activity.waitlist_count -= 1
        activity.save(update_fields=["waitlist_count", "updated_at"])
    _signup_set(signup, SignupStatus.REJECTED, actor=actor, reason=reason)
    return signup


# --- beneficiaries -------------------------------------------------------------------------------------------


@transaction.atomic
def beneficiaries_record(*, activity: Activity, group: str, count: int, actor, note: str = "") -> BeneficiaryCount:
    """Append the 惠及人次 of one group, superseding the current figure for that group (append-only)."""
    selectors.require_organise(actor, unit=activity.unit, organiser=activity.organiser)
    if group not in BeneficiaryGroup.values:
        raise ActivitiesError.GROUP_INVALID.error(detail={"field": "group"})
    if not isinstance(count, int) or isinstance(count, bool) or not 0 <= count <= MAX_BENEFICIARIES:
        raise ActivitiesError.COUNT_INVALID.error(detail={"field": "count"})
    activity = _lock_activity(activity)
    if activity.status not in (ActivityStatus.ONGOING, ActivityStatus.FINISHED):
        raise ActivitiesError.BENEFICIARIES_CLOSED.error(detail={"status": activity.status})
    replaced = BeneficiaryCount.objects.filter(activity=activity, group=group, superseded_by__isnull=True).first()
    row = BeneficiaryCount.objects.create(activity=activity, group=group, count=count, supersedes=replaced,
                                          note=(note or "")[:200], recorded_by=actor, recorded_at=clock.now())
    events.publish(activity_events.BENEFICIARIES_RECORDED, row=row, replaced=replaced)
    return row


# --- insurance -----------------------------------------------------------------------------------------------


@transaction.atomic
def insurance_policy_create(*, unit: Unit, insurer: str, policy_number: str, starts_on: dt.date, ends_on: dt.date,
                            actor, activities: list[Activity] | None = None, note: str = "") -> InsurancePolicy:
    """R-V10: record an accident-insurance policy for a unit's subtree or for named activities in it."""
    scoping.require(actor, perms.INSURANCE, unit)
    insurer = " ".join((insurer or "").split())[:100]
    policy_number = (policy_number or "").strip()[:60]
    if not insurer or not policy_number:
        raise ActivitiesError.POLICY_FIELD_REQUIRED.error(detail={"field": "insurer" if not insurer else "policy_number"})
    if ends_on < starts_on:
        raise ActivitiesError.POLICY_DATES_INVALID.error(detail={"field": "ends_on"})
    activities = list(activities or [])
    outside = [a.pk for a in activities if not a.unit.path.startswith(unit.path)]
    if outside:
        raise ActivitiesError.POLICY_ACTIVITY_OUTSIDE.error(detail={"field": "activities", "ids": outside})
    if InsurancePolicy.objects.filter(policy_number=policy_number).exists():
        raise ActivitiesError.POLICY_DUPLICATE.error(detail={"field": "policy_number"})
    policy = InsurancePolicy.objects.create(unit=unit, insurer=insurer, policy_number=policy_number,
                                            starts_on=starts_on, ends_on=ends_on, note=(note or "")[:200],
                                            created_by=actor)
    policy.activities.set(activities)
    return policy


# --- reminders -----------------------------------------------------------------------------------------------


def reminder_hours() -> int:
    from django.conf import settings

    return int(getattr(settings, "ACTIVITY_REMINDER_HOURS", 24))


def reminders_send(now: dt.datetime) -> int:
    """Tell each confirmed volunteer once, about ``ACTIVITY_REMINDER_HOURS`` before start (idempotent)."""
    from gongzhi.notifications.models import Notification

    horizon = now + dt.timedelta(hours=reminder_hours())
    due = Activity.objects.filter(status=ActivityStatus.PUBLISHED, starts_at__gt=now, starts_at__lte=horizon)
    sent = 0
    for activity in due.order_by("starts_at", "pk"):
        url = activity_url(activity)
        with transaction.atomic():
            signups = (activity.signups.filter(status=SignupStatus.CONFIRMED, volunteer__person__user__isnull=False)
                       .select_related("volunteer__person__user").order_by("pk"))
            reminded = set(Notification.objects.filter(kind="activity_reminder", url=url).values_list(
                "user_id", flat=True))
            start = timezone.localtime(activity.starts_at)
            for signup in signups:
                user = signup.volunteer.person.user
                if user.pk in reminded:
                    continue
                notification_create(
                    user=user, kind="activity_reminder", url=url,
                    title=_("活动提醒：“%(title)s”即将开始") % {"title": activity.title},
                    body=_("活动将于%(when)s开始，地点：%(address)s，请准时参加。") % {
                        "when": start.strftime("%Y-%m-%d %H:%M"), "address": activity.address or "—"},
                )
                reminded.add(user.pk)
                sent += 1
    return sent


def require_volunteer(actor) -> VolunteerProfile:
    """The acting user's own volunteer profile (409 when they have none)."""
    me = selectors.reader(actor)
    if me.volunteer is None:
        raise ActivitiesError.NOT_VOLUNTEER.error()
    return me.volunteer

