"""Star levels, service certificates with public verification, ratings, incentive scores and honours.

Rules are tables (``StarThreshold``, ``IncentiveFormula``); what was decided is append-only history (``StarAward``,
``Rating``, ``Honour``, ``CertificateEvent``). A certificate's contents are frozen in ``snapshot`` when it is issued,
so a later correction of a service record never changes an issued 志愿服务证明 (R-V7).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

STAR_LEVELS = range(1, 6)


class StarThreshold(models.Model):
    """Hours needed for a star level (R-V8). ``unit`` empty = the district default; a unit's own rows (e.g. the
    Beijing variant 100/200/500/800/1000) apply to its whole subtree."""

    unit = models.ForeignKey("org.Unit", verbose_name=_("适用单元（空 = 全区默认）"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField(_("星级"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    min_hours = models.DecimalField(_("累计时长（小时）"), max_digits=8, decimal_places=2)

    class Meta:
        verbose_name = _("星级时长标准")
        verbose_name_plural = _("星级时长标准")
        ordering = ["unit_id", "level"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "level"], name="recognition_threshold_unit_level"),
            models.UniqueConstraint(fields=["level"], condition=Q(unit__isnull=True),
                                    name="recognition_threshold_default_level"),
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=5), name="recognition_threshold_level_range"),
            models.CheckConstraint(condition=Q(min_hours__gt=0), name="recognition_threshold_positive"),
        ]

    def __str__(self):
        return f"{self.level}★ ≥ {self.min_hours}h"

    def clean(self):
        """Levels are earned in order: a higher level never needs fewer hours than a lower one."""
        siblings = StarThreshold.objects.filter(unit=self.unit).exclude(pk=self.pk)
        lower = siblings.filter(level__lt=self.level, min_hours__gte=self.min_hours).exists()
        higher = siblings.filter(level__gt=self.level, min_hours__lte=self.min_hours).exists()
        if lower or higher:
            raise ValidationError({"min_hours": _("高星级所需时长必须多于低星级")})


class StarCandidateList(models.Model):
    """A published candidate list (候选名单公示) of one unit, counting hours up to ``period_end`` (R-V8)."""

    unit = models.ForeignKey("org.Unit", verbose_name=_("单元"), on_delete=models.PROTECT, related_name="+")
    period_end = models.DateField(_("时长统计截止日期"))
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(_("公示时间"))

    class Meta:
        verbose_name = _("星级候选名单")
        verbose_name_plural = _("星级候选名单")
        ordering = ["-published_at", "-pk"]

    def __str__(self):
        return f"{self.unit_id} ≤{self.period_end}"


class StarCandidate(models.Model):
    """One volunteer on a published list: their current level and the level their hours reach."""

    candidate_list = models.ForeignKey(StarCandidateList, on_delete=models.PROTECT, related_name="entries")
    volunteer = models.ForeignKey("people.VolunteerProfile", on_delete=models.PROTECT, related_name="+")
    current_level = models.PositiveSmallIntegerField(_("现有星级"))
    level = models.PositiveSmallIntegerField(_("拟认定星级"))
    hours = models.DecimalField(_("累计时长"), max_digits=10, decimal_places=4)

    class Meta:
        ordering = ["candidate_list", "-level", "-hours", "pk"]
        constraints = [models.UniqueConstraint(fields=["candidate_list", "volunteer"],
                                               name="recognition_candidate_once")]

    def __str__(self):
        return f"{self.volunteer_id} → {self.level}★"


class AwardKind(models.TextChoices):
    AWARD = "award", _("认定")
    REVOCATION = "revocation", _("撤销")


class StarAward(models.Model):
    """A volunteer's star level changed. Append-only: the latest row is the current level; a revocation is a row."""

    volunteer = models.ForeignKey("people.VolunteerProfile", on_delete=models.PROTECT, related_name="star_awards")
    kind = models.CharField(_("类型"), max_length=16, choices=AwardKind.choices, default=AwardKind.AWARD)
    level = models.PositiveSmallIntegerField(_("星级"))  # the level the volunteer holds after this row
    hours_at_award = models.DecimalField(_("认定时累计时长"), max_digits=10, decimal_places=4)
    candidate = models.ForeignKey(StarCandidate, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("理由"), max_length=200, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(_("审批时间"))

    class Meta:
        verbose_name = _("星级认定")
        verbose_name_plural = _("星级认定")
        ordering = ["volunteer", "approved_at", "pk"]
        constraints = [models.CheckConstraint(condition=Q(level__lte=5), name="recognition_award_level_range")]

    def __str__(self):
        return f"{self.volunteer_id} {self.kind} {self.level}★"


class CertificateStatus(models.TextChoices):
    REQUESTED = "requested", _("已申请")
    ACCEPTED = "accepted", _("已受理")
    ISSUED = "issued", _("已开具")
    REVOKED = "revoked", _("已作废")


class Certificate(models.Model):
    """A 志愿服务证明 (R-V7): 申请 → 受理 → 开具, free of charge. ``snapshot`` holds everything the certificate shows,
    frozen at issue; the verification code lets anyone check it on the public page."""

    volunteer = models.ForeignKey("people.VolunteerProfile", on_delete=models.PROTECT, related_name="service_certificates")
    unit = models.ForeignKey("org.Unit", verbose_name=_("出具单位"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("状态"), max_length=16, choices=CertificateStatus.choices,
                              default=CertificateStatus.REQUESTED)
    period_start = models.DateField(_("服务起始日期"))
    period_end = models.DateField(_("服务截止日期"))
    purpose = models.CharField(_("用途"), max_length=200, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("申请时间"))
    number = models.CharField(_("证明编号"), max_length=40, unique=True, null=True, blank=True)
    verify_code = models.CharField(_("验证码"), max_length=16, unique=True, null=True, blank=True)
    snapshot = models.JSONField(_("证明内容"), default=dict, blank=True)
    issued_at = models.DateTimeField(_("开具时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("志愿服务证明")
        verbose_name_plural = _("志愿服务证明")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")),
                                   name="recognition_certificate_period"),
            models.CheckConstraint(
                condition=Q(status__in=["requested", "accepted"]) | Q(verify_code__isnull=False, number__isnull=False),
                name="recognition_issued_has_code",
            ),
        ]

    def __str__(self):
        return self.number or f"#{self.pk}"


class CertificateEvent(models.Model):
    """A certificate status transition with actor and note. Append-only."""

    certificate = models.ForeignKey(Certificate, on_delete=models.PROTECT, related_name="events")
    from_status = models.CharField(max_length=16, choices=CertificateStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=CertificateStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.certificate_id} {self.from_status}→{self.to_status}"


class RaterKind(models.TextChoices):
    ORGANISER = "organiser", _("组织方评价")
    BENEFICIARY = "beneficiary", _("服务对象评价（代录）")


class Rating(models.Model):
    """A 1–5 rating of a volunteer's service on an activity (评价情况, R-V2). Append-only: a re-rating by the same
    rater is a new row that ``supersedes`` the old one."""

    activity = models.ForeignKey("activities.Activity", on_delete=models.PROTECT, related_name="+")
    volunteer = models.ForeignKey("people.VolunteerProfile", on_delete=models.PROTECT, related_name="ratings")
    unit_path = models.CharField(max_length=24, db_index=True, editable=False)
    score = models.PositiveSmallIntegerField(_("评分"))
    rater_kind = models.CharField(_("评价人"), max_length=16, choices=RaterKind.choices)
    beneficiary_label = models.CharField(_("服务对象"), max_length=50, blank=True)
    comment = models.CharField(_("评语"), max_length=300, blank=True)
    supersedes = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="superseded_by")
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("服务评价")
        verbose_name_plural = _("服务评价")
        ordering = ["-rated_at", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(score__gte=1, score__lte=5),
                                              name="recognition_rating_range")]

    def __str__(self):
        return f"{self.activity_id}:{self.volunteer_id}={self.score}"


class IncentiveFormula(models.Model):
    """The 奖励制度 formula, versioned: score = hours × w_hours + activities × w_activity + honours × w_honour
    + average satisfaction × w_satisfaction. The newest version in force applies."""

    version = models.PositiveIntegerField(_("版本"), unique=True)
    weight_hours = models.DecimalField(_("每小时服务时长得分"), max_digits=8, decimal_places=3)
    weight_activity = models.DecimalField(_("每参加一场活动得分"), max_digits=8, decimal_places=3)
    weight_honour = models.DecimalField(_("每项表彰得分"), max_digits=8, decimal_places=3)
    weight_satisfaction = models.DecimalField(_("满意度每1分得分"), max_digits=8, decimal_places=3)
    valid_from = models.DateField(_("施行日期"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("激励积分公式")
        verbose_name_plural = _("激励积分公式")
        ordering = ["-version"]

    def __str__(self):
        return f"v{self.version}"


class HonourList(models.Model):
    """A published honours list (e.g. 2025年度优秀志愿者) of a unit: the 表彰奖励情况 of R-V2."""

    unit = models.ForeignKey("org.Unit", verbose_name=_("单元"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("称号"), max_length=60)
    formula = models.ForeignKey(IncentiveFormula, on_delete=models.PROTECT, related_name="+")
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField()

    class Meta:
        verbose_name = _("表彰名单")
        verbose_name_plural = _("表彰名单")
        ordering = ["-year", "-published_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["unit", "year", "title"], name="recognition_honour_list_once")]

    def __str__(self):
        return f"{self.year} {self.title}"


class Honour(models.Model):
    """One volunteer honoured on a list, with the score that placed them. Append-only."""

    honour_list = models.ForeignKey(HonourList, on_delete=models.PROTECT, related_name="honours")
    volunteer = models.ForeignKey("people.VolunteerProfile", on_delete=models.PROTECT, related_name="honours")
    rank = models.PositiveSmallIntegerField(_("名次"))
    score = models.DecimalField(_("激励积分"), max_digits=12, decimal_places=3)

    class Meta:
        verbose_name = _("表彰")
        verbose_name_plural = _("表彰")
        ordering = ["honour_list", "rank"]
        constraints = [models.UniqueConstraint(fields=["honour_list", "volunteer"], name="recognition_honour_once")]

    def __str__(self):
        return f"{self.honour_list_id} #{self.rank} {self.volunteer_id}"
