"""Training courses and sessions with attendance (分级分类培训, R-V2 培训情况).

A course belongs to a unit and is open to the volunteers registered in that unit's subtree. Sessions are dated
runs of a course with a capacity; volunteers enrol in a session and the organiser marks attendance. Attendance marks
are append-only: a correction is a new row pointing at the mark it replaces, and a volunteer's training history is
their current (not superseded) marks.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class CourseLevel(models.TextChoices):
    """分级: the levels of the graded training system, lowest first."""

    GENERAL = "general", _("通识")
    BASIC = "basic", _("初级")
    INTERMEDIATE = "intermediate", _("中级")
    ADVANCED = "advanced", _("高级")


LEVEL_ORDER = {level: i for i, level in enumerate(CourseLevel.values)}


class Course(models.Model):
    """A training course offered by a unit (district, street or community) to the volunteers in its subtree."""

    unit = models.ForeignKey("org.Unit", verbose_name=_("开设单元"), on_delete=models.PROTECT, related_name="courses")
    title = models.CharField(_("课程名称"), max_length=120)
    level = models.CharField(_("级别"), max_length=16, choices=CourseLevel.choices, default=CourseLevel.GENERAL)
    skill = models.ForeignKey("people.Skill", verbose_name=_("技能类别"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="courses")
    description = models.TextField(_("课程简介"), blank=True)
    hours = models.DecimalField(_("学时"), max_digits=5, decimal_places=1, default=Decimal("2.0"))
    active = models.BooleanField(_("开放"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("培训课程")
        verbose_name_plural = _("培训课程")
        ordering = ["unit__path", "title"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "title"], name="training_course_unique_title"),
            models.CheckConstraint(condition=Q(hours__gt=0) & Q(hours__lte=200), name="training_course_hours_range"),
        ]

    def __str__(self):
        return self.title


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("待举办")
    HELD = "held", _("已举办")
    CANCELLED = "cancelled", _("已取消")


class Session(models.Model):
    """One dated run of a course. ``enrolled_count`` is kept under the session's row lock (capacity rule)."""

    course = models.ForeignKey(Course, verbose_name=_("课程"), on_delete=models.PROTECT, related_name="sessions")
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    place = models.CharField(_("地点"), max_length=200)
    trainer = models.CharField(_("授课人"), max_length=80, blank=True)
    capacity = models.PositiveIntegerField(_("名额"))
    enrolled_count = models.PositiveIntegerField(_("已报名"), default=0)
    status = models.CharField(_("状态"), max_length=16, choices=SessionStatus.choices, default=SessionStatus.SCHEDULED)
    cancel_reason = models.CharField(_("取消原因"), max_length=200, blank=True)
    cancelled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("培训场次")
        verbose_name_plural = _("培训场次")
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="training_session_ends_after"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="training_session_capacity_min"),
            models.CheckConstraint(condition=Q(enrolled_count__lte=models.F("capacity")),
                                   name="training_session_not_over_capacity"),
        ]
        indexes = [models.Index(fields=["status", "starts_at"], name="training_session_status_start")]

    def __str__(self):
        return f"{self.course.title} {self.starts_at:%Y-%m-%d}"

    @property
    def places_left(self) -> int:
        return max(0, self.capacity - self.enrolled_count)


class Enrolment(models.Model):
    """A volunteer's place in a session, taken by themselves or by a worker for them."""

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="enrolments")
    volunteer = models.ForeignKey("people.VolunteerProfile", on_delete=models.PROTECT, related_name="training_enrolments")
    enrolled_at = models.DateTimeField(_("报名时间"))
    enrolled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("培训报名")
        verbose_name_plural = _("培训报名")
        ordering = ["enrolled_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["session", "volunteer"], name="training_one_enrolment")]

    def __str__(self):
        return f"{self.session_id}:{self.volunteer_id}"


class AttendanceMarkQuerySet(models.QuerySet):
    def current(self) -> AttendanceMarkQuerySet:
        """Marks no later row supersedes: the attendance as it stands."""
        return self.filter(superseded_by__isnull=True)


class AttendanceMark(models.Model):
    """Attendance and result of one enrolment. Append-only: a correction is a new row with ``supersedes``."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="marks")
    attended = models.BooleanField(_("出勤"))
    passed = models.BooleanField(_("考核通过"), null=True, blank=True)
    score = models.DecimalField(_("成绩"), max_digits=4, decimal_places=1, null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    supersedes = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="superseded_by")
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    marked_at = models.DateTimeField(_("登记时间"))

    objects = AttendanceMarkQuerySet.as_manager()

    class Meta:
        verbose_name = _("培训签到")
        verbose_name_plural = _("培训签到")
        ordering = ["marked_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["enrolment"], condition=Q(supersedes__isnull=True),
                                    name="training_one_original_mark"),
            models.CheckConstraint(condition=Q(score__isnull=True) | (Q(score__gte=0) & Q(score__lte=100)),
                                   name="training_mark_score_range"),
            models.CheckConstraint(condition=Q(attended=True) | (Q(score__isnull=True) & ~Q(passed=True)),
                                   name="training_mark_absent_no_result"),
        ]

    def __str__(self):
        return f"{self.enrolment_id} {'+' if self.attended else '-'}"
