"""Open311 client applications (API keys) and the link from a request filed through Open311 to its appeal."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiClient(models.Model):
    """An application allowed to POST service requests. Only a digest of its key is stored; the key is shown once.

    It files into ``unit``'s subtree as ``acting_user`` (a dedicated login without phone or person, so nothing of a
    real user's is copied into the appeals it files). Revoking keeps the row (``active`` False, who and when)."""

    name = models.CharField(_("应用名称"), max_length=80)
    key_prefix = models.CharField(_("密钥前缀"), max_length=8, db_index=True)
    key_digest = models.CharField(_("密钥摘要"), max_length=64, unique=True)
    unit = models.ForeignKey("org.Unit", verbose_name=_("可提交的辖区"), on_delete=models.PROTECT,
                             related_name="open311_clients")
    acting_user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("代为提交的账号"),
                                    on_delete=models.PROTECT, related_name="open311_clients")
    active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(_("签发时间"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("签发人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("吊销人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("Open311接入应用")
        verbose_name_plural = _("Open311接入应用")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.name} ({self.key_prefix}…)"


class Open311Request(models.Model):
    """What an Open311 POST carried beyond the appeal: the client, the token it got back, media and contact fields.

    The reporter's name and phone go into the appeal (encrypted there); the e-mail is kept here, encrypted too."""

    appeal = models.OneToOneField("appeals.Appeal", on_delete=models.PROTECT, related_name="open311_link")
    client = models.ForeignKey(ApiClient, on_delete=models.PROTECT, related_name="requests")
    token = models.CharField(_("令牌"), max_length=40, unique=True)
    media_url = models.URLField(_("媒体链接"), max_length=500, blank=True)
    email_enc = models.TextField(_("邮箱（加密）"), blank=True)
    account_id = models.CharField(_("客户端账号"), max_length=100, blank=True)
    device_id = models.CharField(_("设备标识"), max_length=100, blank=True)
    attributes = models.JSONField(_("附加属性"), default=dict, blank=True)
    created_at = models.DateTimeField(_("提交时间"))

    class Meta:
        verbose_name = _("Open311提交记录")
        verbose_name_plural = _("Open311提交记录")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.token
