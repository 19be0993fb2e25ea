"""Writes for training: courses, sessions, enrolments and append-only attendance marks. Every function is atomic.

Capacity is enforced under the session's row lock (``_lock_session``); attendance corrections lock the enrolments
in primary-key order (``_lock_enrolments``), so concurrent organisers never deadlock nor fork a mark's history.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone

from gongzhi.accounts import scoping
from gongzhi.core import clock
from gongzhi.core.ids import MAX_ID
from gongzhi.org.divisions import UnitKind
from gongzhi.org.models import Unit
from gongzhi.people.models import Skill, VolunteerProfile, VolunteerStatus

from . import permissions as perms
from .errors import TrainingError
from .models import AttendanceMark, Course, CourseLevel, Enrolment, Session, SessionStatus

COURSE_UNIT_KINDS = (UnitKind.DISTRICT, UnitKind.STREET, UnitKind.COMMUNITY, UnitKind.VILLAGE)
MAX_CAPACITY = 1000
MAX_HOURS = Decimal("200")


@dataclass
class CourseInput:
    """A course as the edge parsed it; the service re-checks every rule."""

    unit: Unit
    title: str
    level: str = CourseLevel.GENERAL
    skill: str = ""
    description: str = ""
    hours: Decimal = Decimal("2")
    active: bool = True


@dataclass
class MarkInput:
    enrolment_id: int
    attended: bool
    passed: bool | None = None
    score: Decimal | None = None
    note: str = ""


def is_open_to(course: Course, volunteer: VolunteerProfile) -> bool:
    """A course is open to the volunteers registered in its unit's subtree (district → all, street → its communities)."""
    return volunteer.unit.path.startswith(course.unit.path)


def _clean_course(data: CourseInput) -> dict:
    title = " ".join((data.title or "").split())
    if not title or len(title) > 120:
        raise TrainingError.TITLE_INVALID.error(detail={"field": "title"})
    if data.level not in CourseLevel.values:
        raise TrainingError.LEVEL_UNKNOWN.error(detail={"field": "level"})
    if data.unit.kind not in COURSE_UNIT_KINDS:
        raise TrainingError.UNIT_INVALID.error(detail={"field": "unit"})
    skill = None
    if data.skill:
        skill = Skill.objects.filter(code=data.skill).first() or Skill.objects.filter(name=data.skill).first()
        if skill is None:
            raise TrainingError.SKILL_UNKNOWN.error(detail={"field": "skill"})
    try:
        hours = Decimal(data.hours)
    except (InvalidOperation, TypeError, ValueError):
        raise TrainingError.HOURS_INVALID.error(detail={"field": "hours"}) from None
    if not hours.is_finite() or hours <= 0 or hours > MAX_HOURS:
        raise TrainingError.HOURS_INVALID.error(detail={"field": "hours"})
    return {"unit": data.unit, "title": title, "level": data.level, "skill": skill,
            "description": (data.description or "").strip()[:4000], "hours": hours.quantize(Decimal("0.1")),
            "active": bool(data.active)}


def _title_taken(unit: Unit, title: str, exclude_pk: int | None = None) -> bool:
    qs = Course.objects.filter(unit=unit, title=title)
    return qs.exclude(pk=exclude_pk).exists() if exclude_pk else qs.exists()


@transaction.atomic
def course_create(*, data: CourseInput, actor) -> Course:
    """Open a course at a unit the actor manages."""
    scoping.require(actor, perms.MANAGE, data.unit)
    values = _clean_course(data)
    if _title_taken(data.unit, values["title"]):
        raise TrainingError.TITLE_DUPLICATE.error(detail={"field": "title"})
    return Course.objects.create(**values, created_by=actor)


@transaction.atomic
def course_update(*, course: Course, data: CourseInput, actor) -> Course:
    """Change a course; the old and the new unit must both be in the actor's manage scope."""
    scoping.require(actor, perms.MANAGE, course.unit)
    scoping.require(actor, perms.MANAGE, data.unit)
    values = _clean_course(data)
    course = Course.objects.select_for_update().get(pk=course.pk)
    if _title_taken(data.unit, values["title"], exclude_pk=course.pk):
        raise TrainingError.TITLE_DUPLICATE.error(detail={"field": "title"})
    for key, value in values.items():
        setattr(course, key, value)
    course.save()
    return course


SESSION_YEARS = (2000, 2100)


def _session_time(value: dt.datetime, field: str) -> dt.datetime:
    """A time without offset is local time; a year outside ``SESSION_YEARS`` cannot be a real session (and year 1 or
    9999 would overflow when stored in UTC)."""
    if not SESSION_YEARS[0] <= value.year <= SESSION_YEARS[1]:
        raise TrainingError.TIME_OUT_OF_RANGE.error(detail={"field": field})
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _clean_session_fields(*, starts_at: dt.datetime, ends_at: dt.datetime, capacity: int, place: str
                          ) -> tuple[dt.datetime, dt.datetime]:
    starts_at, ends_at = _session_time(starts_at, "starts_at"), _session_time(ends_at, "ends_at")
    if ends_at <= starts_at:
        raise TrainingError.TIMES_INVALID.error(detail={"field": "ends_at"})
    if not 1 <= capacity <= MAX_CAPACITY:
        raise TrainingError.CAPACITY_INVALID.error(detail={"field": "capacity"})
    if not (place or "").strip():
        raise TrainingError.PLACE_REQUIRED.error(detail={"field": "place"})
    return starts_at, ends_at


@transaction.atomic
def session_create(*, course: Course, actor, starts_at: dt.datetime, ends_at: dt.datetime, place: str,
                   capacity: int, trainer: str = "") -> Session:
    """Schedule a session of an open course."""
    scoping.require(actor, perms.MANAGE, course.unit)
    if not course.active:
        raise TrainingError.COURSE_INACTIVE.error()
    starts_at, ends_at = _clean_session_fields(starts_at=starts_at, ends_at=ends_at, capacity=capacity, place=place)
    return Session.objects.create(course=course, starts_at=starts_at, ends_at=ends_at, place=place.strip()[:200],
                                  trainer=(trainer or "").strip()[:80], capacity=capacity, created_by=actor)


def _lock_session(session: Session) -> Session:
    """The one row lock of this app's capacity rule."""
    return Session.objects.select_for_update().select_related("course", "course__unit").get(pk=session.pk)


@transaction.atomic
def session_cancel(*, session: Session, actor, reason: str = "") -> Session:
    """Cancel a scheduled session; one whose attendance is already recorded stays (its marks are history)."""
    scoping.require(actor, perms.MANAGE, session.course.unit)
    session = _lock_session(session)
    if session.status == SessionStatus.CANCELLED:
        raise TrainingError.SESSION_CANCELLED.error()
    if session.status == SessionStatus.HELD:
        raise TrainingError.SESSION_HELD.error()
    session.status = SessionStatus.CANCELLED
    session.cancel_reason = (reason or "").strip()[:200]
    session.cancelled_by = actor
    session.cancelled_at = clock.now()
    session.save(update_fields=["status", "cancel_reason", "cancelled_by", "cancelled_at"])
    return session


@transaction.atomic
def enrolment_create(*, session: Session, volunteer: VolunteerProfile, actor) -> Enrolment:
    """Give a volunteer a place: the volunteer themself, or a worker who manages both the course and the volunteer."""
    own = volunteer.person.user_id is not None and volunteer.person.user_id == actor.pk
    if not own:
        scoping.require(actor, perms.MANAGE, session.course.unit)
        scoping.require(actor, perms.MANAGE, volunteer.unit)
    session = _lock_session(session)
    if session.status == SessionStatus.CANCELLED:
        raise TrainingError.SESSION_CANCELLED.error()
    if session.status != SessionStatus.SCHEDULED or session.starts_at <= clock.now():
        raise TrainingError.SESSION_NOT_OPEN.error()
    if volunteer.status != VolunteerStatus.ACTIVE:
        raise TrainingError.VOLUNTEER_NOT_ACTIVE.error(detail={"status": volunteer.status})
    if not is_open_to(session.course, volunteer):
        raise TrainingError.NOT_OPEN_TO_VOLUNTEER.error()
    if Enrolment.objects.filter(session=session, volunteer=volunteer).exists():
        raise TrainingError.ALREADY_ENROLLED.error()
    if session.enrolled_count >= session.capacity:
        raise TrainingError.SESSION_FULL.error(detail={"capacity": session.capacity})
    try:
        with transaction.atomic():
            enrolment = Enrolment.objects.create(session=session, volunteer=volunteer, enrolled_at=clock.now(),
                                                 enrolled_by=actor)
    except IntegrityError:  # the same volunteer enrolled concurrently through another path
        raise TrainingError.ALREADY_ENROLLED.error() from None
    session.enrolled_count += 1
    session.save(update_fields=["enrolled_count"])
    return enrolment


def _lock_enrolments(session: Session, ids: list[int]) -> dict[int, Enrolment]:
    rows = Enrolment.objects.select_for_update().filter(session=session, pk__in=ids).order_by("pk")
    return {e.pk: e for e in rows}


def _clean_mark(m: MarkInput) -> tuple[bool | None, Decimal | None]:
    score = m.score
    if score is not None:
        try:
            score = Decimal(score)
        except (InvalidOperation, TypeError, ValueError):
            raise TrainingError.SCORE_INVALID.error(detail={"enrolment_id": m.enrolment_id}) from None
        if not score.is_finite() or score < 0 or score > 100:
            raise TrainingError.SCORE_INVALID.error(detail={"field": "score", "enrolment_id": m.enrolment_id})
        score = score.quantize(Decimal("0.1"))
    if not m.attended and (score is not None or m.passed):
        raise TrainingError.ABSENT_WITH_RESULT.error(detail={"enrolment_id": m.enrolment_id})
    return m.passed, score


@transaction.atomic
def attendance_mark(*, session: Session, marks: list[MarkInput], actor,
                    expected: dict[int, int | None] | None = None) -> list[AttendanceMark]:
    """Record attendance for enrolments of a session that has started; an enrolment already marked gets a correction
    row superseding its current mark. ``expected`` (enrolment id → current mark id the caller saw) refuses a
    correction of a mark someone else changed meanwhile. All or nothing."""
    scoping.require(actor, perms.MANAGE, session.course.unit)
    session = _lock_session(session)
    if session.status == SessionStatus.CANCELLED:
        raise TrainingError.SESSION_CANCELLED.error()
    now = clock.now()
    if session.starts_at > now:
        raise TrainingError.NOT_STARTED.error()
    if not marks:
        raise TrainingError.MARKS_EMPTY.error()
    ids = [m.enrolment_id for m in marks]
    if len(set(ids)) != len(ids):
        raise TrainingError.MARKS_REPEATED.error()
    cleaned = [_clean_mark(m) for m in marks]
    beyond = [i for i in ids if not 0 < i <= MAX_ID]  # names no row (and SQLite cannot even bind it)
    if beyond:
        raise TrainingError.ENROLMENT_UNKNOWN.error(detail={"enrolment_ids": beyond[:20]})
    enrolments = _lock_enrolments(session, ids)
    unknown = [i for i in ids if i not in enrolments]
    if unknown:
        raise TrainingError.ENROLMENT_UNKNOWN.error(detail={"enrolment_ids": unknown[:20]})
    current = {m.enrolment_id: m for m in AttendanceMark.objects.current().filter(enrolment_id__in=ids)}
    rows = []
    for m, (passed, score) in zip(marks, cleaned, strict=True):
        previous = current.get(m.enrolment_id)
        if expected is not None and m.enrolment_id in expected:
            if expected[m.enrolment_id] != (previous.pk if previous else None):
                raise TrainingError.MARK_STALE.error(detail={"enrolment_id": m.enrolment_id})
        if previous is not None and (previous.attended, previous.passed, previous.score, previous.note) == (
                m.attended, passed, score, (m.note or "").strip()[:200]):
            continue  # nothing changed: no correction row
        rows.append(AttendanceMark(enrolment=enrolments[m.enrolment_id], attended=m.attended, passed=passed,
                                   score=score, note=(m.note or "").strip()[:200], supersedes=previous,
                                   marked_by=actor, marked_at=now))
    for row in rows:
        row.save()
    if session.status == SessionStatus.SCHEDULED:
        session.status = SessionStatus.HELD
        session.save(update_fields=["status"])
    return rows
