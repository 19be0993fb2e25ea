"""Check-in/check-out and the append-only service records (志愿服务记录) that hours, certificates and figures come from.

``Attendance`` is the clock: one row per volunteer, activity and service day (multi-day activities sign in and out
daily, R-V4); a check-out is filled in once and never guessed. ``ServiceRecord`` rows are confirmed facts (R-V5):
hours the organiser confirmed from an attendance, or a marked back-entry (补录). A correction or revocation is a new
row pointing at the one it replaces (``supersedes``), with actor and reason (R-V6); the current records are those
nobody supersedes, minus revocations.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class CheckMethod(models.TextChoices):
    QR = "qr", _("扫码签到")
    GEO = "geo", _("定位签到")
    ORGANISER = "organiser", _("组织者代签")


class Attendance(models.Model):
    activity = models.ForeignKey("activities.Activity", on_delete=models.PROTECT, related_name="attendances")
    signup = models.ForeignKey("activities.Signup", on_delete=models.PROTECT, related_name="attendances")
    volunteer = models.ForeignKey("people.VolunteerProfile", on_delete=models.PROTECT, related_name="attendances")
    day = models.DateField(_("服务日期"))
    checked_in_at = models.DateTimeField(_("签到时间"))
    in_method = models.CharField(_("签到方式"), max_length=16, choices=CheckMethod.choices)
    in_latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    in_longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    checked_out_at = models.DateTimeField(_("签退时间"), null=True, blank=True)
    out_method = models.CharField(_("签退方式"), max_length=16, choices=CheckMethod.choices, blank=True)
    out_latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    out_longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("签到记录")
        verbose_name_plural = _("签到记录")
        ordering = ["activity", "day", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "volunteer", "day"], name="hours_one_attendance_per_day"),
            models.CheckConstraint(
                condition=Q(checked_out_at__isnull=True) | Q(checked_out_at__gte=models.F("checked_in_at")),
                name="hours_out_after_in",
            ),
        ]

    def __str__(self):
        return f"{self.activity_id}:{self.volunteer_id}:{self.day}"


class RecordKind(models.TextChoices):
    ORIGINAL = "original", _("原始记录")
    CORRECTION = "correction", _("更正")
    REVOCATION = "revocation", _("撤销")


class RecordSource(models.TextChoices):
    CHECKIN = "checkin", _("签到签退（信用时长）")
    BACK_ENTRY = "back_entry", _("补录")


class ServiceRecordQuerySet(models.QuerySet):
    def current(self) -> ServiceRecordQuerySet:
        """The records that count now: originals and corrections nobody superseded (revocations never count)."""
        return self.filter(kind__in=(RecordKind.ORIGINAL, RecordKind.CORRECTION), superseded_by__isnull=True)


class ServiceRecord(models.Model):
    """One confirmed piece of service. Never updated or deleted: corrections and revocations are new rows."""

    volunteer = models.ForeignKey("people.VolunteerProfile", on_delete=models.PROTECT, related_name="service_records")
    activity = models.ForeignKey("activities.Activity", on_delete=models.PROTECT, related_name="service_records")
    attendance = models.ForeignKey(Attendance, null=True, blank=True, on_delete=models.PROTECT, related_name="records")
    # Copied from the activity when the record is written, so figures and scoping need no join on 10 M rows.
    unit_path = models.CharField(max_length=24, db_index=True, editable=False)
    day = models.DateField(_("服务日期"))
    started_at = models.DateTimeField(_("开始"), null=True, blank=True)
    ended_at = models.DateTimeField(_("结束"), null=True, blank=True)
    hours = models.DecimalField(_("服务时长（小时）"), max_digits=8, decimal_places=4)
    content = models.CharField(_("服务内容"), max_length=300, blank=True)
    source = models.CharField(_("来源"), max_length=16, choices=RecordSource.choices)
    kind = models.CharField(_("类型"), max_length=16, choices=RecordKind.choices, default=RecordKind.ORIGINAL)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    reason = models.CharField(_("更正/撤销理由"), max_length=300, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(_("确认时间"))

    objects = ServiceRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("志愿服务记录")
        verbose_name_plural = _("志愿服务记录")
        ordering = ["day", "pk"]
        indexes = [
            models.Index(fields=["volunteer", "day"], name="hours_record_volunteer_day"),
            models.Index(fields=["activity", "volunteer"], name="hours_record_activity"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gte=0), name="hours_record_hours_nonnegative"),
            models.CheckConstraint(
                condition=Q(kind=RecordKind.ORIGINAL, supersedes__isnull=True)
                | (~Q(kind=RecordKind.ORIGINAL) & Q(supersedes__isnull=False)),
                name="hours_record_correction_points_back",
            ),
            models.UniqueConstraint(fields=["attendance"], condition=Q(kind=RecordKind.ORIGINAL),
                                    name="hours_one_original_per_attendance"),
        ]

    def __str__(self):
        return f"{self.volunteer_id} {self.day} {self.hours}h ({self.kind})"


class Dispute(models.Model):
    """A volunteer's objection to one of their service records (R-V6). Append-only: the organiser's answer is a
    :class:`DisputeResolution` row, optionally pointing at the correction it led to."""

    record = models.ForeignKey(ServiceRecord, on_delete=models.PROTECT, related_name="disputes")
    reason = models.CharField(_("异议理由"), max_length=300)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(_("提出时间"))

    class Meta:
        verbose_name = _("服务记录异议")
        verbose_name_plural = _("服务记录异议")
        ordering = ["-opened_at", "-pk"]

    def __str__(self):
        return f"{self.record_id}: {self.reason[:20]}"

    @property
    def status(self) -> str:
        return DisputeStatus.RESOLVED if hasattr(self, "resolution") else DisputeStatus.OPEN

    def get_status_display(self) -> str:
        return DisputeStatus(self.status).label


class DisputeStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    RESOLVED = "resolved", _("已处理")


class DisputeResolution(models.Model):
    """How the organiser answered a dispute: a note, and the correction row when hours changed."""

    dispute = models.OneToOneField(Dispute, on_delete=models.PROTECT, related_name="resolution")
    note = models.CharField(_("处理说明"), max_length=300)
    correction = models.ForeignKey(ServiceRecord, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    resolved_at = models.DateTimeField(_("处理时间"))

    class Meta:
        verbose_name = _("异议处理")
        verbose_name_plural = _("异议处理")

    def __str__(self):
        return f"{self.dispute_id}: {self.note[:20]}"
