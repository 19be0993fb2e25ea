import datetime as dt

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """In-app notifications and the outbox that hands messages to pluggable senders."""

    name = "gongzhi.notifications"
    label = "notifications"
    verbose_name = _("消息通知")

    def ready(self):
        from gongzhi.core import jobs

        from . import permissions  # noqa: F401
        from .services import outbox_job

        jobs.register("notifications.outbox", every=dt.timedelta(seconds=30), fn=outbox_job)
