from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Running gongzhi in production: the server command, health checks, request logs, backup and restore."""

    name = "gongzhi.ops"
    label = "ops"
    verbose_name = _("运维")
