from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppealsConfig(AppConfig):
    """Residents' requests (诉求) from every channel, their lifecycle, time limits and escalation (R-H1–R-H8)."""

    name = "gongzhi.appeals"
    label = "appeals"
    verbose_name = _("群众诉求")

    def ready(self):
        import datetime as dt

        from gongzhi.core import jobs

        from . import permissions  # noqa: F401
        from .services import overdue_supervise

        jobs.register("appeals.supervise_overdue", every=dt.timedelta(minutes=15), fn=overdue_supervise)
