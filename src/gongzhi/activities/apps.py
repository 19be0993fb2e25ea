import datetime as dt

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    """Projects, activities, sign-ups with capacity and waitlist, beneficiaries and insurance."""

    name = "gongzhi.activities"
    label = "activities"
    verbose_name = _("志愿服务活动")

    def ready(self):
        from gongzhi.core import jobs

        from . import permissions  # noqa: F401
        from .services import reminders_send

        jobs.register("activities.reminders", every=dt.timedelta(minutes=5), fn=reminders_send)
