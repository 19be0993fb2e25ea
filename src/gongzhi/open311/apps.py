from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Open311Config(AppConfig):
    """Open311 GeoReport v2 over the appeals app: existing Open311 clients file and follow requests unchanged."""

    name = "gongzhi.open311"
    label = "open311"
    verbose_name = _("Open311接口")

    def ready(self):
        from . import permissions  # noqa: F401
