from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """In-app notifications and the outbox that hands messages to pluggable senders."""

    name = "gongzhi.notifications"
    label = "notifications"
    verbose_name = _("消息通知")

    def ready(self):
        from . import permissions  # noqa: F401
