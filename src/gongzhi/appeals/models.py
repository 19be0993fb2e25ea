"""Residents' requests (诉求): categories, the appeal work order, its append-only event history, photos, holidays."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CategoryKind(models.TextChoices):
    COMPONENT = "component", _("部件")
    EVENT = "event", _("事件")
    SERVICE = "service", _("民生服务")


class Category(models.Model):
    """A node of the category tree: GB/T 30428 部件/事件 major classes (R-U2) and livelihood services."""

    code = models.CharField(_("编码"), max_length=24, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    kind = models.CharField(_("类型"), max_length=12, choices=CategoryKind.choices)
    parent = models.ForeignKey("self", verbose_name=_("上级"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children")
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("诉求类别")
        verbose_name_plural = _("诉求类别")
        ordering = ["kind", "sort", "code"]

    def __str__(self):
        return self.name


class Channel(models.TextChoices):
    WALK_IN = "walk_in", _("来访")
    HOTLINE = "hotline_12345", _("12345热线转办")
    PHOTO_REPORT = "photo_report", _("随手拍")
    SECRETARY_MEETING = "secretary_meeting", _("书记有约")
    GRID_VISIT = "grid_visit", _("网格走访")
    OPEN311 = "open311", _("Open311接口")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("一般")
    URGENT = "urgent", _("紧急")
    EMERGENCY = "emergency", _("特急")


class AppealState(models.TextChoices):
    SUBMITTED = "submitted", _("待受理")
    ACCEPTED = "accepted", _("已受理")
    DISPATCHED = "dispatched", _("已派单")
    IN_PROGRESS = "in_progress", _("办理中")
    RESOLVED = "resolved", _("已处置")
    INFORMED = "informed", _("已答复")
    RATED = "rated", _("已评价")
    VISITED = "visited", _("已回访")
    CLOSED = "closed", _("已办结")
    REJECTED = "rejected", _("不予受理")
    MERGED = "merged", _("已合并")


class RejectReason(models.TextChoices):
    """R-H2: matters not accepted, with the reason given."""

    LITIGATION = "litigation", _("已进入诉讼程序")
    ARBITRATION = "arbitration", _("已进入仲裁程序")
    ADMIN_REVIEW = "administrative_review", _("已进入行政复议程序")
    PETITION = "petition", _("已进入信访或纪检程序")
    SECRETS = "secrets_privacy", _("涉及国家秘密、商业秘密或个人隐私")
    CONCLUDED = "already_concluded", _("已依法办结")


class Appeal(models.Model):
    """One work order (工单). State changes only through ``appeals.services``, each one leaving an AppealEvent."""

    number = models.CharField(_("工单编号"), max_length=24, unique=True)
    channel = models.CharField(_("来源渠道"), max_length=20, choices=Channel.choices)
    category = models.ForeignKey(Category, verbose_name=_("类别"), on_delete=models.PROTECT, related_name="appeals")
    description = models.TextField(_("诉求内容"))
    unit = models.ForeignKey("org.Unit", verbose_name=_("所属网格/社区"), on_delete=models.PROTECT,
                             related_name="appeals")
    address = models.CharField(_("地点"), max_length=200, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    reporter_user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("提交账号"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="appeals_reported")
    reporter_person = models.ForeignKey("people.Person", verbose_name=_("诉求人"), null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="appeals")
    reporter_name_enc = models.TextField(_("诉求人姓名（加密）"), blank=True)
    reporter_phone_enc = models.TextField(_("联系电话（加密）"), blank=True)
    anonymous = models.BooleanField(_("对外匿名"), default=False)
    urgency = models.CharField(_("紧急程度"), max_length=12, choices=Urgency.choices, default=Urgency.NORMAL)
    state = models.CharField(_("状态"), max_length=16, choices=AppealState.choices, default=AppealState.SUBMITTED)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("首问负责人"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="appeals_owned")
    assignee_unit = models.ForeignKey("org.Unit", verbose_name=_("承办单元"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="appeals_assigned")
    assignee_team = models.ForeignKey("org.Organisation", verbose_name=_("承办队伍"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="appeals_assigned")
    assignee_user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("承办人"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="appeals_assigned")
    submitted_at = models.DateTimeField(_("提交时间"))
    accept_due_at = models.DateTimeField(_("受理时限"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    reply_due_at = models.DateTimeField(_("答复时限"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("处置时间"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("满意度"), null=True, blank=True)
    visit_satisfied = models.BooleanField(_("回访满意"), null=True, blank=True)
    reject_reason = models.CharField(_("不予受理原因"), max_length=24, choices=RejectReason.choices, blank=True)
    merged_into = models.ForeignKey("self", verbose_name=_("合并至"), null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="duplicates")
    reopen_count = models.PositiveSmallIntegerField(_("重办次数"), default=0)
    dispatch_due_at = models.DateTimeField(_("派单时限"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("派单时间"), null=True, blank=True)
    extended_days = models.PositiveSmallIntegerField(_("已延期工作日"), default=0)
    level_unit = models.ForeignKey("org.Unit", verbose_name=_("当前责任层级"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="appeals_at_level",
                                   help_text=_("升级督办后承担责任的上一级单元；未升级时为空"))

    class Meta:
        verbose_name = _("诉求")
        verbose_name_plural = _("诉求")
        ordering = ["-submitted_at", "-pk"]
        indexes = [
            models.Index(fields=["state", "reply_due_at"], name="appeal_state_due"),
            # Open311 GET requests: newest first, optionally by service_code (category) or open/closed
            models.Index(fields=["submitted_at", "id"], name="appeal_submitted"),
            models.Index(fields=["category", "submitted_at"], name="appeal_category_submitted"),
            models.Index(fields=["unit", "submitted_at"], name="appeal_unit_submitted"),
            models.Index(fields=["level_unit", "state"], name="appeal_level_state"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                                   name="appeal_rating_1_5"),
        ]

    def __str__(self):
        return self.number


class AppealEvent(models.Model):
    """Append-only: one row per transition (and per 督办), with actor, time, note and from/to state (R-H1)."""

    appeal = models.ForeignKey(Appeal, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(_("动作"), max_length=16)
    from_state = models.CharField(_("原状态"), max_length=16, blank=True)
    to_state = models.CharField(_("新状态"), max_length=16)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    at = models.DateTimeField(_("时间"))
    note = models.CharField(_("说明"), max_length=500, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("诉求流转记录")
        verbose_name_plural = _("诉求流转记录")
        ordering = ["at", "pk"]
        indexes = [
            models.Index(fields=["at", "id"], name="appeal_event_at"),  # Open311 servicerequestupdates by time
            models.Index(fields=["appeal", "at"], name="appeal_event_appeal_at"),  # an appeal's history, last update
        ]

    def __str__(self):
        return f"{self.action}: {self.from_state} → {self.to_state}"


class PhotoStage(models.TextChoices):
    BEFORE = "before", _("处置前")
    AFTER = "after", _("处置后")


class AppealPhoto(models.Model):
    """A photo of the matter; the stored file has its EXIF removed, the GPS read from it is kept here."""

    appeal = models.ForeignKey(Appeal, on_delete=models.PROTECT, related_name="photos")
    stage = models.CharField(_("阶段"), max_length=8, choices=PhotoStage.choices, default=PhotoStage.BEFORE)
    file = models.FileField(_("照片"), upload_to="appeals/%Y/%m/")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    gps_latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    gps_longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("诉求照片")
        verbose_name_plural = _("诉求照片")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.file.name


class Holiday(models.Model):
    """The working-day calendar's exceptions: a public holiday, or a weekend made a working day (调休, workday=True)."""

    date = models.DateField(_("日期"), unique=True)
    name = models.CharField(_("名称"), max_length=40)
    workday = models.BooleanField(_("调休上班"), default=False)

    class Meta:
        verbose_name = _("节假日")
        verbose_name_plural = _("节假日")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {self.name}"


class TimeLimit(models.Model):
    """A configured time limit (R-H3, R-H8, R-U3): per urgency, optionally per category (a leaf or a major class).

    Append-only: a change is a new row with a later ``effective_from``; the most specific row in force wins (leaf over
    major class over none), and ``rules.LIMITS`` is the fallback when no row matches."""

    category = models.ForeignKey(Category, verbose_name=_("类别"), null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="time_limits", help_text=_("为空表示全部类别"))
    urgency = models.CharField(_("紧急程度"), max_length=12, choices=Urgency.choices)
    accept_working_hours = models.PositiveSmallIntegerField(_("受理时限（工作小时）"))
    dispatch_working_hours = models.PositiveSmallIntegerField(_("派单时限（工作小时）"))
    reply_working_days = models.PositiveSmallIntegerField(_("答复时限（工作日）"))
    effective_from = models.DateTimeField(_("生效时间"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("办理时限")
        verbose_name_plural = _("办理时限")
        ordering = ["urgency", "category__code", "-effective_from", "-pk"]
        indexes = [models.Index(fields=["urgency", "effective_from"], name="timelimit_urgency_from")]
        constraints = [
            models.CheckConstraint(condition=models.Q(accept_working_hours__gte=1, dispatch_working_hours__gte=1,
                                                      reply_working_days__gte=1), name="timelimit_positive"),
        ]

    def __str__(self):
        return f"{self.category or '*'} {self.urgency} {self.effective_from:%Y-%m-%d}"
