"""Training API: courses, sessions, enrolments, attendance marks and the caller's own training record."""

from __future__ import annotations

from ninja import Query, Router, Schema, Status

from gongzhi.core.errors import CommonError
from gongzhi.core.pagination import paginate
from gongzhi.org import selectors as org_selectors
from gongzhi.people import selectors as people_selectors

from . import presenters, selectors, services
from .errors import TrainingError
from .models import SessionStatus
from .schemas import (
    CancelIn,
    CourseIn,
    CourseOut,
    EnrolIn,
    EnrolmentOut,
    MarkBatchIn,
    MarkOut,
    MyTrainingOut,
    SessionIn,
    SessionOut,
)

router = Router(tags=["training"])


class Paged(Schema):
    count: int
    page: int
    page_size: int
    pages: int


class CoursePage(Paged):
    items: list[CourseOut]


class SessionPage(Paged):
    items: list[SessionOut]


class CourseFilter(Schema):
    level: str | None = None
    q: str = ""
    active: bool | None = None
    page: int = 1
    page_size: int = 50


class SessionFilter(Schema):
    course: int | None = None
    upcoming: bool | None = None
    status: str | None = None
    page: int = 1
    page_size: int = 50


def _paged(page, present):
    return {"items": [present(x) for x in page.items], "count": page.count, "page": page.page,
            "page_size": page.page_size, "pages": page.pages}


def _course_input(actor, payload: CourseIn) -> services.CourseInput:
    unit = org_selectors.unit_get(actor=actor, pk=payload.unit_id)
    return services.CourseInput(unit=unit, title=payload.title, level=payload.level, skill=payload.skill,
                                description=payload.description, hours=payload.hours, active=payload.active)


@router.get("/training/courses", response=CoursePage, summary="培训课程（工作人员：辖区；志愿者：面向本人开放的课程）")
def course_list(request, filters: Query[CourseFilter]):
    qs = selectors.course_list(actor=request.auth, level=filters.level, q=filters.q, active=filters.active)
    page = paginate(qs, page=filters.page, page_size=filters.page_size)
    return _paged(page, lambda c: presenters.course_out(c, request.auth))


@router.post("/training/courses", response={201: CourseOut}, summary="开设培训课程")
def course_create(request, payload: CourseIn):
    course = services.course_create(data=_course_input(request.auth, payload), actor=request.auth)
    return Status(201, presenters.course_out(selectors.course_get(actor=request.auth, pk=course.pk), request.auth))


@router.get("/training/courses/{int:course_id}", response=CourseOut, summary="课程详情")
def course_detail(request, course_id: int):
    return presenters.course_out(selectors.course_get(actor=request.auth, pk=course_id), request.auth)


@router.put("/training/courses/{int:course_id}", response=CourseOut, summary="修改课程")
def course_update(request, course_id: int, payload: CourseIn):
    course = selectors.course_for_manage(actor=request.auth, pk=course_id)
    services.course_update(course=course, data=_course_input(request.auth, payload), actor=request.auth)
    return presenters.course_out(selectors.course_get(actor=request.auth, pk=course_id), request.auth)


@router.get("/training/sessions", response=SessionPage, summary="培训场次（upcoming=true 仅未开始的）")
def session_list(request, filters: Query[SessionFilter]):
    if filters.status and filters.status not in SessionStatus.values:
        raise CommonError.VALIDATION.error(detail=[{"loc": ["query", "status"], "msg": "unknown status"}])
    course = selectors.course_get(actor=request.auth, pk=filters.course) if filters.course else None
    qs = selectors.session_list(actor=request.auth, course=course, upcoming=filters.upcoming, status=filters.status)
    return _paged(paginate(qs, page=filters.page, page_size=filters.page_size), presenters.session_out)


@router.post("/training/courses/{int:course_id}/sessions", response={201: SessionOut}, summary="新开培训场次")
def session_create(request, course_id: int, payload: SessionIn):
    course = selectors.course_for_manage(actor=request.auth, pk=course_id)
    session = services.session_create(course=course, actor=request.auth, starts_at=payload.starts_at,
                                      ends_at=payload.ends_at, place=payload.place, capacity=payload.capacity,
                                      trainer=payload.trainer)
    return Status(201, presenters.session_out(selectors.session_get(actor=request.auth, pk=session.pk)))


@router.get("/training/sessions/{int:session_id}", response=SessionOut, summary="场次详情")
def session_detail(request, session_id: int):
    return presenters.session_out(selectors.session_get(actor=request.auth, pk=session_id))


@router.post("/training/sessions/{int:session_id}/cancel", response=SessionOut, summary="取消场次")
def session_cancel(request, session_id: int, payload: CancelIn):
    session = selectors.session_for_manage(actor=request.auth, pk=session_id)
    services.session_cancel(session=session, actor=request.auth, reason=payload.reason)
    return presenters.session_out(selectors.session_get(actor=request.auth, pk=session_id))


@router.post("/training/sessions/{int:session_id}/enrolments", response={201: EnrolmentOut},
             summary="报名（不填 volunteer_id 为本人报名；工作人员可代辖区志愿者报名）")
def enrolment_create(request, session_id: int, payload: EnrolIn):
    session = selectors.session_get(actor=request.auth, pk=session_id)
    if payload.volunteer_id is None:
        volunteer = selectors.own_volunteer(request.auth)
        if volunteer is None:
            raise TrainingError.NOT_A_VOLUNTEER.error()
    else:
        volunteer = people_selectors.volunteer_get(actor=request.auth, pk=payload.volunteer_id)
    enrolment = services.enrolment_create(session=session, volunteer=volunteer, actor=request.auth)
    rows = selectors.enrolment_list(actor=request.auth, session=session).filter(pk=enrolment.pk)
    return Status(201, presenters.enrolment_out(rows.get()))


@router.get("/training/sessions/{int:session_id}/enrolments", response=list[EnrolmentOut],
            summary="报名名单及当前签到（志愿者仅见本人）")
def enrolment_list(request, session_id: int):
    session = selectors.session_get(actor=request.auth, pk=session_id)
    return [presenters.enrolment_out(e) for e in selectors.enrolment_list(actor=request.auth, session=session)]


@router.post("/training/sessions/{int:session_id}/attendance", response={201: list[MarkOut]},
             summary="批量登记签到与成绩；已登记的学员追加更正记录")
def attendance_mark(request, session_id: int, payload: MarkBatchIn):
    session = selectors.session_for_manage(actor=request.auth, pk=session_id)
    marks = [services.MarkInput(enrolment_id=m.enrolment_id, attended=m.attended, passed=m.passed, score=m.score,
                                note=m.note) for m in payload.marks]
    expected = {m.enrolment_id: m.expected_mark_id for m in payload.marks if m.expected_mark_id is not None}
    rows = services.attendance_mark(session=session, marks=marks, actor=request.auth, expected=expected or None)
    return Status(201, [presenters.mark_out(m, current=True) for m in rows])


@router.get("/training/sessions/{int:session_id}/attendance", response=list[MarkOut],
            summary="签到记录（含更正历史）")
def mark_list(request, session_id: int):
    session = selectors.session_get(actor=request.auth, pk=session_id)
    return [presenters.mark_out(m) for m in selectors.mark_list(actor=request.auth, session=session)]


@router.get("/me/training", response=MyTrainingOut, summary="我的培训记录（按级别）")
def my_training(request):
    volunteer = selectors.own_volunteer(request.auth)
    if volunteer is None:
        return presenters.summary_out(None, None, [])
    return presenters.summary_out(volunteer.pk, selectors.volunteer_training_summary(volunteer),
                                  list(selectors.volunteer_training_history(volunteer)))
