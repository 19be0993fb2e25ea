import datetime as dt

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PointsConfig(AppConfig):
    """The points ledger, earning and deduction rules, and the public board (the shops are ``supermarket``)."""

    name = "gongzhi.points"
    label = "points"
    verbose_name = _("积分与积分超市")

    def ready(self):
        from gongzhi.core import jobs

        from . import events, permissions  # noqa: F401
        from .services import clearing_job

        events.connect()
        jobs.register("points.clearing", every=dt.timedelta(hours=6), fn=clearing_job)
