"""Figures by tier and period, kept fast by incrementally maintained rollups (see ``rollups.py``).

Three tables, all derived (``gongzhi rollups --rebuild`` recomputes them from the base tables):

- ``Rollup``: counters per (unit path, grain, period, category code; '' = every category). A row exists for the
  organising unit of a fact and every ancestor up to the root, so a unit's figures are one row, whatever its depth.
- ``VolunteerPresence``: (unit path, grain, period, volunteer) with the number of current service records behind it;
  ``Rollup.volunteers`` (category '') moves only when a reference count goes 0→1 or 1→0: exact distinct volunteers.
- ``ParticipationRef``: (activity, volunteer) with the number of current records; a 人次 is one volunteer in one
  activity with at least one current record, counted on 0→1 and uncounted on 1→0.

And one kept the same way for the dashboard's "registered now" figures (``registry.py``):

- ``RegisteredCount``: active volunteers, organisations and teams at a unit path, counting every unit below it.
"""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class Grain(models.TextChoices):
    MONTH = "m", _("月")
    QUARTER = "q", _("季度")
    YEAR = "y", _("年")
    ALL = "a", _("累计")


ALL_PERIOD = "all"
E4 = Decimal("0.0001")


def hours_to_e4(hours) -> int:
    return int((Decimal(hours) / E4).to_integral_value())


def hours_from_e4(value: int) -> Decimal:
    return (Decimal(value) * E4).quantize(E4)


class Rollup(models.Model):
    unit_path = models.CharField(max_length=24)
    grain = models.CharField(max_length=1, choices=Grain.choices)
    period = models.CharField(max_length=7)  # "2025-03", "2025-Q1", "2025" or "all"
    category = models.CharField(max_length=40, blank=True)  # activities.Category.code; '' = every category
    activities = models.IntegerField(_("开展活动场次"), default=0)
    participations = models.IntegerField(_("志愿者参与人次"), default=0)
    volunteers = models.IntegerField(_("参与志愿者人数"), default=0)  # only on category '' rows
    records = models.IntegerField(_("服务记录数"), default=0)
    # Hours in ten-thousandths of an hour (ServiceRecord.hours has 4 decimal places): exact integer sums on every
    # database (SQLite keeps decimals as floats) and cheap upserts.
    hours_e4 = models.BigIntegerField(default=0)
    beneficiaries = models.BigIntegerField(_("惠及群众人次"), default=0)

    class Meta:
        verbose_name = _("统计汇总")
        verbose_name_plural = _("统计汇总")
        constraints = [models.UniqueConstraint(fields=["unit_path", "grain", "period", "category"],
                                               name="reports_rollup_key")]

    def __str__(self):
        return f"{self.unit_path}/{self.grain}/{self.period}/{self.category or '*'}"

    @property
    def hours(self) -> Decimal:
        return hours_from_e4(self.hours_e4)


class VolunteerPresence(models.Model):
    unit_path = models.CharField(max_length=24)
    grain = models.CharField(max_length=1, choices=Grain.choices)
    period = models.CharField(max_length=7)
    volunteer_id = models.BigIntegerField()
    refs = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit_path", "grain", "period", "volunteer_id"],
                                               name="reports_presence_key")]

    def __str__(self):
        return f"{self.unit_path}/{self.grain}/{self.period}/{self.volunteer_id}×{self.refs}"


class ParticipationRef(models.Model):
    activity_id = models.BigIntegerField()
    volunteer_id = models.BigIntegerField()
    refs = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["activity_id", "volunteer_id"],
                                               name="reports_participation_key")]

    def __str__(self):
        return f"{self.activity_id}/{self.volunteer_id}×{self.refs}"


class RegisteredCount(models.Model):
    """Registered now at ``unit_path`` and below: a row for the unit of each volunteer or organisation and for
    every ancestor, so a unit's count is one row (``registry.py`` keeps it; ``--rebuild`` recomputes it)."""

    unit_path = models.CharField(max_length=24, unique=True)
    volunteers = models.IntegerField(_("注册志愿者（名）"), default=0)
    organisations = models.IntegerField(_("志愿服务组织（个）"), default=0)
    teams = models.IntegerField(_("志愿服务队伍（支）"), default=0)

    class Meta:
        verbose_name = _("注册数汇总")
        verbose_name_plural = _("注册数汇总")

    def __str__(self):
        return f"{self.unit_path}: {self.volunteers}/{self.organisations}/{self.teams}"
