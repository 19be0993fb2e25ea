from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Shared kernel: domain errors, field encryption, pagination, the demo orchestrator and the CLI commands."""

    name = "gongzhi.core"
    label = "core"
    verbose_name = _("核心")
