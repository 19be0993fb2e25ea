"""Operational state of the shared kernel: one lease row per periodic job (who may run it now, how it last went)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class JobLease(models.Model):
    """A periodic job's lease and last run. Taken with one conditional UPDATE so two processes never run a job at once.

    This is a working row (overwritten each run), not history: the job's own effects are the records that matter.
    """

    name = models.CharField(_("任务"), max_length=80, unique=True)
    leased_until = models.DateTimeField(_("占用至"))
    holder = models.CharField(_("执行者"), max_length=120, blank=True)
    last_run_at = models.DateTimeField(_("上次运行"), null=True, blank=True)
    last_ok = models.BooleanField(_("上次成功"), null=True, blank=True)
    last_result = models.CharField(_("上次结果"), max_length=300, blank=True)
    runs = models.PositiveIntegerField(_("运行次数"), default=0)
    failures = models.PositiveIntegerField(_("失败次数"), default=0)

    class Meta:
        verbose_name = _("定时任务")
        verbose_name_plural = _("定时任务")
        ordering = ["name"]

    def __str__(self):
        return self.name
