"""The access log: every unmasked read or export of personal data (R-P3), kept at least six months (R-P4)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AccessChannel(models.TextChoices):
    PAGE = "page", _("页面")
    API = "api", _("接口")
    EXPORT = "export", _("导出")
    ADMIN = "admin", _("后台")


class AccessLog(models.Model):
    """Append-only. ``unit_path`` is the subject's unit, so admins see the log for their own subtree."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    subject_type = models.CharField(max_length=40)
    subject_id = models.BigIntegerField(null=True, blank=True)
    subject_label = models.CharField(max_length=80, blank=True)
    unit_path = models.CharField(max_length=24, db_index=True)
    fields = models.JSONField(default=list)
    channel = models.CharField(max_length=8, choices=AccessChannel.choices)
    purpose = models.CharField(_("用途"), max_length=200, blank=True)
    record_count = models.PositiveIntegerField(default=1)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("个人信息访问日志")
        verbose_name_plural = _("个人信息访问日志")
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.actor_id} {self.subject_type}:{self.subject_id} {self.channel}"
