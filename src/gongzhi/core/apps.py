from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared kernel: domain errors, field encryption, pagination, the demo orchestrator and the CLI commands."""

    name = "gongzhi.core"
    label = "core"
    verbose_name = "核心"
