"""Volunteer projects and activities, sign-ups with capacity and waitlist, beneficiaries, insurance (R-V9, R-V10).

Status changes of activities and sign-ups are append-only history rows (``ActivityEvent``, ``SignupEvent``); the
``status`` columns are the current state those rows lead to, written only by ``activities.services``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Category(models.Model):
    """A configurable activity category (扶弱助残, 儿童关爱 ...). ``dangerous`` ones never admit minors (R-V9) and need
    accident insurance before publishing (R-V10)."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=40, unique=True)
    dangerous = models.BooleanField(_("有风险（须投保，未成年人不得参加）"), default=False)
    sort = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("活动类别")
        verbose_name_plural = _("活动类别")
        ordering = ["sort", "code"]

    def __str__(self):
        return self.name


class Project(models.Model):
    """A long-running project (天更蓝水更清, 钢城无孤 ...) that dated activities belong to."""

    name = models.CharField(_("项目名称"), max_length=120)
    unit = models.ForeignKey("org.Unit", verbose_name=_("所属单元"), on_delete=models.PROTECT, related_name="projects")
    organiser = models.ForeignKey(
        "org.Organisation", verbose_name=_("组织方"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="projects",
    )
    category = models.ForeignKey(Category, verbose_name=_("类别"), on_delete=models.PROTECT, related_name="projects")
    description = models.TextField(_("项目简介"), blank=True)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"), null=True, blank=True)
    active = models.BooleanField(_("进行中"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("志愿服务项目")
        verbose_name_plural = _("志愿服务项目")
        ordering = ["-starts_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="activities_project_unique_name"),
            models.CheckConstraint(condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                                   name="activities_project_dates"),
        ]

    def __str__(self):
        return self.name


class ActivityStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("报名中")
    ONGOING = "ongoing", _("进行中")
    FINISHED = "finished", _("已结束")
    CANCELLED = "cancelled", _("已取消")


class Audience(models.TextChoices):
    TEAM = "team", _("仅本队队员")
    COMMUNITY = "community", _("本社区/村志愿者")
    PUBLIC = "public", _("所有志愿者")


class Activity(models.Model):
    """A dated activity. Hours are clipped to ``starts_at``–``ends_at`` (R-V4); ``unit`` is the organising unit that
    records and confirms them (R-V5) and whose figures they count in."""

    project = models.ForeignKey(
        Project, verbose_name=_("所属项目"), null=True, blank=True, on_delete=models.PROTECT, related_name="activities"
    )
    title = models.CharField(_("活动名称"), max_length=120)
    category = models.ForeignKey(Category, verbose_name=_("类别"), on_delete=models.PROTECT, related_name="activities")
    description = models.TextField(_("活动内容"), blank=True)
    unit = models.ForeignKey("org.Unit", verbose_name=_("组织单元"), on_delete=models.PROTECT, related_name="activities")
    organiser = models.ForeignKey(
        "org.Organisation", verbose_name=_("组织方（队伍或组织）"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="activities",
    )
    address = models.CharField(_("活动地点"), max_length=200, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    checkin_radius_m = models.PositiveIntegerField(_("签到半径（米）"), default=300)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    capacity = models.PositiveIntegerField(_("招募人数"))
    requires_approval = models.BooleanField(_("报名须审核"), default=False)
    audience = models.CharField(_("招募范围"), max_length=16, choices=Audience.choices, default=Audience.COMMUNITY)
    min_age = models.PositiveSmallIntegerField(_("最低年龄"), default=0)
    skills = models.ManyToManyField("people.Skill", verbose_name=_("所需技能"), blank=True, related_name="activities")
    status = models.CharField(_("状态"), max_length=16, choices=ActivityStatus.choices, default=ActivityStatus.DRAFT)
    # Counters kept by the sign-up services under the activity's row lock (never over capacity).
    confirmed_count = models.PositiveIntegerField(default=0, editable=False)
    waitlist_count = models.PositiveIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("志愿服务活动")
        verbose_name_plural = _("志愿服务活动")
        ordering = ["-starts_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "starts_at"], name="activities_status_start"),
            models.Index(fields=["unit", "starts_at"], name="activities_unit_start"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="activities_window"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="activities_capacity_positive"),
            models.CheckConstraint(condition=Q(confirmed_count__lte=models.F("capacity")),
                                   name="activities_never_over_capacity"),
        ]

    def __str__(self):
        return self.title

    @property
    def duration_hours(self):
        return (self.ends_at - self.starts_at).total_seconds() / 3600


class ActivityEvent(models.Model):
    """An activity status transition (publish, start, finish, cancel) with actor and reason. Append-only."""

    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="events")
    from_status = models.CharField(max_length=16, choices=ActivityStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=ActivityStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.activity_id} {self.from_status}→{self.to_status}"


class SignupStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    CONFIRMED = "confirmed", _("已录用")
    WAITLISTED = "waitlisted", _("候补")
    CANCELLED = "cancelled", _("已取消")
    REJECTED = "rejected", _("未录用")


ACTIVE_SIGNUP = (SignupStatus.PENDING, SignupStatus.CONFIRMED, SignupStatus.WAITLISTED)
SIGNUP_KEY_MAX = 80  # the longest idempotency key a sign-up request may carry (as for points awards)


class Signup(models.Model):
    """A volunteer's sign-up. One live sign-up per volunteer and activity; the waitlist is ordered by ``pk``.

    ``idempotency_key`` is the client's name for the request that made it (empty when none was sent): unique per
    volunteer, so a retried or double-submitted request finds this row instead of making a second one."""

    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="signups")
    volunteer = models.ForeignKey("people.VolunteerProfile", on_delete=models.PROTECT, related_name="signups")
    status = models.CharField(_("状态"), max_length=16, choices=SignupStatus.choices)
    # R-V9: a minor serves only with a guardian's consent or a guardian present, recorded here.
    guardian_name = models.CharField(_("监护人"), max_length=50, blank=True)
    guardian_consent = models.ForeignKey(
        "people.ConsentRecord", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    guardian_present = models.BooleanField(_("监护人陪同"), default=False)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    idempotency_key = models.CharField(_("请求编号"), max_length=SIGNUP_KEY_MAX, blank=True, default="")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("报名")
        verbose_name_plural = _("报名")
        ordering = ["activity", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "volunteer"], condition=Q(status__in=ACTIVE_SIGNUP),
                                    name="activities_one_live_signup"),
            models.UniqueConstraint(fields=["volunteer", "idempotency_key"], condition=~Q(idempotency_key=""),
                                    name="activities_signup_key_once"),
        ]
        indexes = [models.Index(fields=["activity", "status"], name="activities_signup_status")]

    def __str__(self):
        return f"{self.activity_id}:{self.volunteer_id}:{self.status}"


class SignupEvent(models.Model):
    """A sign-up status transition (applied, approved, waitlisted, promoted, cancelled ...). Append-only."""

    signup = models.ForeignKey(Signup, on_delete=models.PROTECT, related_name="events")
    from_status = models.CharField(max_length=16, choices=SignupStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=SignupStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.signup_id} {self.from_status}→{self.to_status}"


class BeneficiaryGroup(models.TextChoices):
    GENERAL = "general", _("群众")
    ELDERLY = "elderly", _("老人")
    CHILDREN = "children", _("儿童")
    DISABLED = "disabled", _("残疾人")
    STUDENTS = "students", _("学生")
    NEW_EMPLOYMENT = "new_employment", _("新就业群体")
    OTHER = "other", _("其他")


class BeneficiaryCount(models.Model):
    """惠及人次 of an activity for one group. Append-only: a correction is a new row that ``supersedes`` the old one;
    the current figure is the sum of rows nobody supersedes."""

    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="beneficiaries")
    group = models.CharField(_("服务对象"), max_length=24, choices=BeneficiaryGroup.choices,
                             default=BeneficiaryGroup.GENERAL)
    count = models.PositiveIntegerField(_("惠及人次"))
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("惠及人次")
        verbose_name_plural = _("惠及人次")
        ordering = ["activity", "pk"]

    def __str__(self):
        return f"{self.activity_id}:{self.group}={self.count}"


class InsurancePolicy(models.Model):
    """Accident insurance (意外险, R-V10): covers the confirmed volunteers of the listed activities, or of every
    activity of ``unit``'s subtree when ``activities`` is empty, on the days from ``starts_on`` to ``ends_on``."""

    unit = models.ForeignKey("org.Unit", verbose_name=_("投保单元"), on_delete=models.PROTECT, related_name="+")
    insurer = models.CharField(_("保险公司"), max_length=100)
    policy_number = models.CharField(_("保单号"), max_length=60, unique=True)
    starts_on = models.DateField(_("保障开始"))
    ends_on = models.DateField(_("保障结束"))
    activities = models.ManyToManyField(Activity, verbose_name=_("适用活动"), blank=True, related_name="policies")
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("志愿服务意外险")
        verbose_name_plural = _("志愿服务意外险")
        ordering = ["-starts_on", "pk"]
        constraints = [models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")),
                                              name="activities_policy_dates")]

    def __str__(self):
        return f"{self.insurer} {self.policy_number}"
