"""Turn training rows into the dicts the API schemas share."""

from __future__ import annotations

from .models import AttendanceMark, Course, Enrolment, Session
from .selectors import TrainingSummary, can_manage, current_mark


def course_out(course: Course, actor) -> dict:
    return {
        "id": course.pk, "unit_id": course.unit_id, "unit_name": course.unit.name, "title": course.title,
        "level": course.level, "level_name": str(course.get_level_display()),
        "skill": course.skill.name if course.skill else None, "description": course.description,
        "hours": course.hours, "active": course.active, "can_manage": can_manage(actor, course),
    }


def session_out(s: Session) -> dict:
    return {
        "id": s.pk, "course_id": s.course_id, "course_title": s.course.title, "level": s.course.level,
        "unit_name": s.course.unit.name, "starts_at": s.starts_at, "ends_at": s.ends_at, "place": s.place,
        "trainer": s.trainer, "capacity": s.capacity, "enrolled": s.enrolled_count, "places_left": s.places_left,
        "status": s.status, "status_name": str(s.get_status_display()), "cancel_reason": s.cancel_reason,
    }


def mark_out(m: AttendanceMark, *, current: bool | None = None) -> dict:
    if current is None:
        current = not hasattr(m, "superseded_by")
    return {
        "id": m.pk, "enrolment_id": m.enrolment_id, "volunteer_id": m.enrolment.volunteer_id, "attended": m.attended,
        "passed": m.passed, "score": m.score, "note": m.note, "supersedes_id": m.supersedes_id, "current": current,
        "marked_by": m.marked_by.display_name or m.marked_by.username, "marked_at": m.marked_at,
    }


def enrolment_out(e: Enrolment) -> dict:
    mark = current_mark(e)
    return {
        "id": e.pk, "session_id": e.session_id, "volunteer_id": e.volunteer_id, "volunteer_number": e.volunteer.number,
        "volunteer_name": e.volunteer.person.name, "unit_name": e.volunteer.unit.name, "enrolled_at": e.enrolled_at,
        "self_enrolled": e.enrolled_by_id == e.volunteer.person.user_id,
        "mark": mark_out(mark, current=True) if mark else None,
    }


def summary_out(volunteer_id: int | None, summary: TrainingSummary | None, history: list[Enrolment]) -> dict:
    if summary is None:
        return {"volunteer_id": None, "courses_completed": 0, "sessions_attended": 0, "hours": 0, "levels": [],
                "history": []}
    rows = []
    for e in history:
        mark = current_mark(e)
        rows.append({
            "enrolment_id": e.pk, "session_id": e.session_id, "course_id": e.session.course_id,
            "course_title": e.session.course.title, "level": e.session.course.level, "starts_at": e.session.starts_at,
            "status": e.session.status, "attended": mark.attended if mark else None,
            "passed": mark.passed if mark else None, "score": mark.score if mark else None,
        })
    return {
        "volunteer_id": volunteer_id, "courses_completed": summary.courses_completed,
        "sessions_attended": summary.sessions_attended, "hours": summary.hours,
        "levels": [{"level": lv.level, "label": lv.label, "count": lv.count, "hours": lv.hours,
                    "courses": [{"course_id": c.course_id, "title": c.title, "unit_name": c.unit_name,
                                 "hours": str(c.hours), "last_on": c.last_on.isoformat(),
                                 "score": str(c.score) if c.score is not None else None, "passed": c.passed}
                                for c in lv.courses]} for lv in summary.levels],
        "history": rows,
    }
