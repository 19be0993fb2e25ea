from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HoursConfig(AppConfig):
    """Check-in/check-out and the append-only service records that hours come from (R-V4–R-V6)."""

    name = "gongzhi.hours"
    label = "hours"
    verbose_name = _("服务记录与时长")

    def ready(self):
        from . import permissions  # noqa: F401
