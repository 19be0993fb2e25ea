from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Figures by tier and period, kept fast by incrementally maintained rollups."""

    name = "gongzhi.reports"
    label = "reports"
    verbose_name = _("统计报表")

    def ready(self):
        from . import permissions  # noqa: F401
