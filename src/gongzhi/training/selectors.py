"""Reads for training, scoped in one place.

Workers holding ``training.view`` see the courses (and their sessions, rosters and marks) of units in their subtree.
A volunteer sees the active courses open to them — those of their own unit and of the units above it (community,
street, district) — and, of rosters and marks, only their own rows. Anyone else is refused (403).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet

from gongzhi.accounts import scoping
from gongzhi.core import clock
from gongzhi.core.errors import CommonError
from gongzhi.people.models import VolunteerProfile

from . import permissions as perms
from .models import LEVEL_ORDER, AttendanceMark, Course, CourseLevel, Enrolment, Session, SessionStatus

COURSE_PATH = "unit__path"
SESSION_PATH = "course__unit__path"


def own_volunteer(actor) -> VolunteerProfile | None:
    """The actor's own volunteer profile (any status)."""
    if not getattr(actor, "is_authenticated", False):
        return None
    return VolunteerProfile.objects.select_related("person", "unit").filter(person__user_id=actor.pk).first()


def _open_paths(volunteer: VolunteerProfile) -> list[str]:
    return [*volunteer.unit.ancestors_paths(), volunteer.unit.path]


def _course_q(actor, prefix: str = "") -> Q:
    """Courses the actor may see: the worker's subtrees, plus the active courses open to the actor as a volunteer."""
    q = scoping.scope_q(actor, perms.VIEW, prefix + COURSE_PATH) if scoping.has_anywhere(actor, perms.VIEW) else Q(
        pk__in=[])
    volunteer = own_volunteer(actor)
    if volunteer is not None:
        q |= Q(**{f"{prefix}unit__path__in": _open_paths(volunteer), f"{prefix}active": True})
    return q


def _require_reader(actor) -> None:
    if not (scoping.has_anywhere(actor, perms.VIEW) or own_volunteer(actor) is not None):
        raise CommonError.FORBIDDEN.error(detail={"permission": perms.VIEW})


def can_manage(actor, course: Course) -> bool:
    return scoping.can(actor, perms.MANAGE, course.unit)


def can_view_roster(actor, course: Course) -> bool:
    return scoping.can(actor, perms.VIEW, course.unit)


def course_list(*, actor, level: str | None = None, q: str = "", active: bool | None = None) -> QuerySet:
    _require_reader(actor)
    qs = Course.objects.filter(_course_q(actor)).select_related("unit", "skill")
    if level:
        qs = qs.filter(level=level)
    if q:
        qs = qs.filter(title__contains=q.strip())
    if active is not None:
        qs = qs.filter(active=active)
    return qs.order_by("unit__path", "title", "pk")


def course_get(*, actor, pk: int) -> Course:
    _require_reader(actor)
    course = Course.objects.filter(_course_q(actor), pk=pk).select_related("unit", "skill").first()
    if course is None:
        raise CommonError.NOT_FOUND.error()
    return course


def course_for_manage(*, actor, pk: int) -> Course:
    """A course the actor may change: visible (else 404) and in their manage scope (else 403)."""
    course = course_get(actor=actor, pk=pk)
    scoping.require(actor, perms.MANAGE, course.unit)
    return course


def _sessions() -> QuerySet:
    return Session.objects.select_related("course", "course__unit", "course__skill")


def session_list(*, actor, course: Course | None = None, upcoming: bool | None = None,
                 status: str | None = None) -> QuerySet:
    _require_reader(actor)
    qs = _sessions().filter(_course_q(actor, "course__"))
    if course is not None:
        qs = qs.filter(course=course)
    if status:
        qs = qs.filter(status=status)
    now = clock.now()
    if upcoming is True:
        return qs.filter(starts_at__gt=now).exclude(status=SessionStatus.CANCELLED).order_by("starts_at", "pk")
    if upcoming is False:
        qs = qs.filter(starts_at__lte=now)
    return qs.order_by("-starts_at", "-pk")


def session_get(*, actor, pk: int) -> Session:
    _require_reader(actor)
    session = _sessions().filter(_course_q(actor, "course__"), pk=pk).first()
    if session is None:
        raise CommonError.NOT_FOUND.error()
    return session


def session_for_manage(*, actor, pk: int) -> Session:
    session = session_get(actor=actor, pk=pk)
    scoping.require(actor, perms.MANAGE, session.course.unit)
    return session


def _current_marks() -> Prefetch:
    return Prefetch("marks", queryset=AttendanceMark.objects.current().select_related("marked_by"),
                    to_attr="current_marks")


def enrolment_list(*, actor, session: Session) -> QuerySet:
    """The roster for workers who see the course's unit; a volunteer gets only their own enrolment."""
    qs = Enrolment.objects.filter(session=session).select_related(
        "volunteer", "volunteer__person", "volunteer__unit", "enrolled_by").prefetch_related(_current_marks())
    if not can_view_roster(actor, session.course):
        volunteer = own_volunteer(actor)
        qs = qs.filter(volunteer=volunteer) if volunteer is not None else qs.none()
    return qs.order_by("volunteer__person__name_pinyin", "pk")


def own_enrolment(*, actor, session: Session) -> Enrolment | None:
    volunteer = own_volunteer(actor)
    if volunteer is None:
        return None
    return Enrolment.objects.filter(session=session, volunteer=volunteer).prefetch_related(_current_marks()).first()


def mark_list(*, actor, session: Session) -> QuerySet:
    """Every mark of the session, corrections included (history), with the same visibility as the roster."""
    qs = AttendanceMark.objects.filter(enrolment__session=session).select_related(
        "enrolment", "enrolment__volunteer", "enrolment__volunteer__person", "marked_by", "superseded_by")
    if not can_view_roster(actor, session.course):
        volunteer = own_volunteer(actor)
        qs = qs.filter(enrolment__volunteer=volunteer) if volunteer is not None else qs.none()
    return qs.order_by("marked_at", "pk")


def current_mark(enrolment: Enrolment) -> AttendanceMark | None:
    marks = getattr(enrolment, "current_marks", None)
    if marks is None:
        return AttendanceMark.objects.current().filter(enrolment=enrolment).first()
    return marks[0] if marks else None


# --- a volunteer's training record (R-V2 培训情况) -------------------------------------------------------------


@dataclass
class CourseDone:
    course_id: int
    title: str
    unit_name: str
    hours: Decimal
    last_on: object
    score: Decimal | None
    passed: bool | None


@dataclass
class LevelSummary:
    level: str
    label: str
    courses: list[CourseDone] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.courses)

    @property
    def hours(self) -> Decimal:
        return sum((c.hours for c in self.courses), Decimal("0"))


@dataclass
class TrainingSummary:
    levels: list[LevelSummary]
    sessions_attended: int
    courses_completed: int
    hours: Decimal
    upcoming: list[Enrolment]


def volunteer_training_summary(volunteer: VolunteerProfile) -> TrainingSummary:
    """Courses completed by level, from the volunteer's current marks: attended and not failed (a course without an
    assessment counts once attended). Each course counts once, with its latest session; its 学时 count once."""
    marks = (AttendanceMark.objects.current().filter(enrolment__volunteer=volunteer, attended=True)
             .exclude(passed=False)
             .select_related("enrolment__session__course__unit").order_by("enrolment__session__starts_at", "pk"))
    done: dict[int, CourseDone] = {}
    attended = 0
    for m in marks:
        attended += 1
        s = m.enrolment.session
        c = s.course
        done[c.pk] = CourseDone(course_id=c.pk, title=c.title, unit_name=c.unit.name, hours=c.hours,
                                last_on=s.starts_at, score=m.score, passed=m.passed)
    by_level: dict[str, list[CourseDone]] = defaultdict(list)
    levels = dict(Course.objects.filter(pk__in=done).values_list("pk", "level"))
    for pk, item in done.items():
        by_level[levels[pk]].append(item)
    rows = [LevelSummary(level=lv, label=str(label), courses=sorted(by_level.get(lv, []), key=lambda c: c.last_on))
            for lv, label in sorted(CourseLevel.choices, key=lambda x: LEVEL_ORDER[x[0]])]
    upcoming = list(Enrolment.objects.filter(volunteer=volunteer, session__starts_at__gt=clock.now(),
                                             session__status=SessionStatus.SCHEDULED)
                    .select_related("session", "session__course", "session__course__unit")
                    .order_by("session__starts_at"))
    return TrainingSummary(levels=rows, sessions_attended=attended, courses_completed=len(done),
                           hours=sum((c.hours for c in done.values()), Decimal("0")), upcoming=upcoming)


def volunteer_training_history(volunteer: VolunteerProfile) -> QuerySet:
    """Every enrolment of the volunteer with its current mark, newest first."""
    return (Enrolment.objects.filter(volunteer=volunteer)
            .select_related("session", "session__course", "session__course__unit")
            .prefetch_related(_current_marks()).order_by("-session__starts_at", "-pk"))
