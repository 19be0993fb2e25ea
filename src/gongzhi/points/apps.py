from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PointsConfig(AppConfig):
    """The points ledger, earning and deduction rules, the points supermarket and its public board."""

    name = "gongzhi.points"
    label = "points"
    verbose_name = _("积分与积分超市")

    def ready(self):
        from . import permissions  # noqa: F401
