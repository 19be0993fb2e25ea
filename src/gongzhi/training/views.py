"""Training pages. Thin: parse input, call ``training.selectors`` / ``training.services``, render.

Domain errors on a form go onto the form (400); not-found / forbidden propagate to ``web.middleware``.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from gongzhi.accounts import scoping
from gongzhi.core import clock
from gongzhi.core.errors import CommonError, DomainError
from gongzhi.people import selectors as people_selectors
from gongzhi.people.models import VolunteerProfile
from gongzhi.web.middleware import attach_to_form, render_domain_error

from . import permissions as perms
from . import selectors, services
from .errors import TrainingError
from .forms import CancelForm, CourseForm, EnrolForm, SessionForm
from .models import CourseLevel, SessionStatus


def _is_htmx(request) -> bool:
    return bool(request.headers.get("HX-Request"))


def _enrolled_ids(actor, sessions) -> set[int]:
    volunteer = selectors.own_volunteer(actor)
    if volunteer is None:
        return set()
    return set(volunteer.training_enrolments.filter(session__in=sessions).values_list("session_id", flat=True))


@login_required
@require_http_methods(["GET", "POST"])
def course_list(request):
    """Courses and upcoming sessions; managers open a course here, volunteers enrol from the session list."""
    actor = request.user
    can_create = scoping.has_anywhere(actor, perms.MANAGE)
    form = CourseForm(request.POST or None, actor=actor) if can_create else None
    status = 200
    if request.method == "POST":
        if form is None:
            raise CommonError.FORBIDDEN.error(detail={"permission": perms.MANAGE})
        status = 400
        if form.is_valid():
            try:
                course = services.course_create(data=form.to_input(), actor=actor)
            except DomainError as err:
                status = attach_to_form(form, err)
            else:
                messages.success(request, _("已开设课程 %(title)s") % {"title": course.title})
                return redirect("training:course", pk=course.pk)
    level = request.GET.get("level") or None
    if level not in CourseLevel.values:
        level = None
    courses = list(selectors.course_list(actor=actor, level=level)[:200])
    upcoming = list(selectors.session_list(actor=actor, upcoming=True)[:50])
    ctx = {"courses": courses, "upcoming": upcoming, "enrolled": _enrolled_ids(actor, upcoming), "form": form,
           "levels": CourseLevel.choices, "level": level, "volunteer": selectors.own_volunteer(actor)}
    return render(request, "training/list.html", ctx, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def course_detail(request, pk: int):
    """A course with its sessions; the organiser schedules a session here."""
    actor = request.user
    course = selectors.course_get(actor=actor, pk=pk)
    can_manage = selectors.can_manage(actor, course)
    form = SessionForm(request.POST or None) if can_manage else None
    status = 200
    if request.method == "POST":
        if form is None:
            raise CommonError.FORBIDDEN.error(detail={"permission": perms.MANAGE})
        status = 400
        if form.is_valid():
            try:
                session = services.session_create(course=course, actor=actor, **form.cleaned_data)
            except DomainError as err:
                status = attach_to_form(form, err)
            else:
                messages.success(request, _("已新开场次"))
                return redirect("training:session", pk=session.pk)
    sessions = list(selectors.session_list(actor=actor, course=course)[:100])
    ctx = {"course": course, "sessions": sessions, "form": form, "can_manage": can_manage,
           "enrolled": _enrolled_ids(actor, sessions), "volunteer": selectors.own_volunteer(actor)}
    return render(request, "training/course.html", ctx, status=status)


def _session_context(request, session, **extra) -> dict:
    actor = request.user
    course = session.course
    can_manage = selectors.can_manage(actor, course)
    roster = list(selectors.enrolment_list(actor=actor, session=session))
    for e in roster:
        e.mark = selectors.current_mark(e)
    ctx = {
        "session": session, "course": course, "can_manage": can_manage,
        "can_view_roster": selectors.can_view_roster(actor, course), "roster": roster,
        "own": selectors.own_enrolment(actor=actor, session=session), "volunteer": selectors.own_volunteer(actor),
        "cancel_form": CancelForm(), "enrol_form": EnrolForm(), "roster_errors": [], "enrolled": set(),
        "can_mark": can_manage and session.status != SessionStatus.CANCELLED and session.starts_at <= clock.now(),
    }
    ctx.update(extra)
    return ctx


@login_required
def session_detail(request, pk: int):
    """A session; the volunteer enrols; the organiser sees the roster with attendance checkboxes."""
    session = selectors.session_get(actor=request.user, pk=pk)
    return render(request, "training/session.html", _session_context(request, session))


@login_required
@require_POST
def session_enrol(request, pk: int):
    """Enrol oneself (no number) or, as a worker, the volunteer with the given 志愿者编号."""
    actor = request.user
    session = selectors.session_get(actor=actor, pk=pk)
    number = (request.POST.get("number") or "").strip().upper()
    if number:
        form = EnrolForm(request.POST)
        profile = VolunteerProfile.objects.filter(number=number).only("pk").first()
        try:
            if profile is None:
                raise CommonError.NOT_FOUND.error()
            volunteer = people_selectors.volunteer_get(actor=actor, pk=profile.pk)
            services.enrolment_create(session=session, volunteer=volunteer, actor=actor)
        except DomainError as err:
            if err.status == 404:  # an unknown or invisible number is a form error here, not a missing page
                err = CommonError.NOT_FOUND.error(message=_("未找到该编号的在册志愿者"))
                form.add_error("number", str(err.message))
            else:
                attach_to_form(form, err)
            session = selectors.session_get(actor=actor, pk=pk)
            return render(request, "training/session.html", _session_context(request, session, enrol_form=form),
                          status=400)
        messages.success(request, _("已为 %(name)s 报名") % {"name": volunteer.person.name})
        return redirect("training:session", pk=session.pk)
    volunteer = selectors.own_volunteer(actor)
    try:
        if volunteer is None:
            raise TrainingError.NOT_A_VOLUNTEER.error()
        services.enrolment_create(session=session, volunteer=volunteer, actor=actor)
    except DomainError as err:
        if _is_htmx(request) and err.status not in (401, 403, 404):
            return render(request, "training/_enrol.html", {"s": session, "error": err.message}, status=409)
        return render_domain_error(request, err)
    session = selectors.session_get(actor=actor, pk=pk)
    if _is_htmx(request):
        return render(request, "training/_enrol.html", {"s": session, "enrolled": {session.pk}})
    messages.success(request, _("报名成功：%(title)s") % {"title": session.course.title})
    return redirect("training:session", pk=session.pk)


@login_required
@require_POST
def session_cancel(request, pk: int):
    actor = request.user
    session = selectors.session_for_manage(actor=actor, pk=pk)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            services.session_cancel(session=session, actor=actor, reason=form.cleaned_data["reason"])
        except DomainError as err:
            attach_to_form(form, err)
        else:
            messages.success(request, _("已取消该场次"))
            return redirect("training:session", pk=session.pk)
    return render(request, "training/session.html", _session_context(request, session, cancel_form=form), status=400)


def _parse_roster(post, roster) -> tuple[list[services.MarkInput], dict[int, int | None]]:
    """One mark per roster row: ``attended_<id>`` checkbox, ``passed_<id>`` (yes/no/blank), ``score_<id>``, and the
    current mark id the organiser saw (``seen_<id>``) so a concurrent correction is refused, not overwritten."""
    marks, expected = [], {}
    for e in roster:
        raw_score = (post.get(f"score_{e.pk}") or "").strip()
        try:
            score = Decimal(raw_score) if raw_score else None
        except InvalidOperation:
            raise TrainingError.SCORE_INVALID.error(detail={"enrolment_id": e.pk}) from None
        passed = {"yes": True, "no": False}.get(post.get(f"passed_{e.pk}") or "")
        marks.append(services.MarkInput(enrolment_id=e.pk, attended=bool(post.get(f"attended_{e.pk}")),
                                        passed=passed, score=score, note=(post.get(f"note_{e.pk}") or "")[:200]))
        seen = (post.get(f"seen_{e.pk}") or "").strip()
        expected[e.pk] = int(seen) if seen.isdigit() else None
    return marks, expected


@login_required
@require_POST
def session_attendance(request, pk: int):
    """The organiser submits the roster; changed rows become new marks (corrections supersede, R-V6)."""
    actor = request.user
    session = selectors.session_for_manage(actor=actor, pk=pk)
    roster = list(selectors.enrolment_list(actor=actor, session=session))
    try:
        marks, expected = _parse_roster(request.POST, roster)
        rows = services.attendance_mark(session=session, marks=marks, actor=actor, expected=expected)
    except DomainError as err:
        if err.status in (401, 403, 404):
            raise
        session = selectors.session_get(actor=actor, pk=pk)
        ctx = _session_context(request, session, roster_errors=[err.message])
        template = "training/_roster.html" if _is_htmx(request) else "training/session.html"
        return render(request, template, ctx, status=400)
    session = selectors.session_get(actor=actor, pk=pk)
    note = _("已保存签到：%(n)s 条新记录") % {"n": len(rows)}
    if _is_htmx(request):
        return render(request, "training/_roster.html", _session_context(request, session, saved=note))
    messages.success(request, note)
    return redirect("training:session", pk=session.pk)


@login_required
def my_training(request):
    """My training record by level (R-V2 培训情况) and my upcoming sessions."""
    volunteer = selectors.own_volunteer(request.user)
    ctx = {"volunteer": volunteer}
    if volunteer is not None:
        history = list(selectors.volunteer_training_history(volunteer))
        for e in history:
            e.mark = selectors.current_mark(e)
        ctx.update(summary=selectors.volunteer_training_summary(volunteer), history=history)
    return render(request, "training/mine.html", ctx)
