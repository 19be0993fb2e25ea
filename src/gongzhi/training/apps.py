from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    """Training courses and sessions with attendance (分级分类培训)."""

    name = "gongzhi.training"
    label = "training"
    verbose_name = _("志愿者培训")

    def ready(self):
        from . import permissions  # noqa: F401
