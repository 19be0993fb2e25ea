"""In-app notifications and the outbox of messages waiting for an outside channel (SMS, WeChat ...).

A notification is written in the same transaction as the change it tells about; outbox rows are handed to the
configured senders by a periodic job after commit, with retries, so a sender that is down loses nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("类型"), max_length=40)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("时间"))
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"], name="notifications_user_unread")]

    def __str__(self):
        return self.title


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")


class OutboxMessage(models.Model):
    """One message for one outside channel; the sender is chosen by ``channel`` from settings."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="outbox")
    channel = models.CharField(_("渠道"), max_length=24)
    status = models.CharField(_("状态"), max_length=16, choices=OutboxStatus.choices, default=OutboxStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("待发消息")
        verbose_name_plural = _("待发消息")
        ordering = ["pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="notifications_outbox_due")]

    def __str__(self):
        return f"{self.channel}:{self.notification_id}:{self.status}"
