from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecognitionConfig(AppConfig):
    """Star levels, service certificates with public verification, ratings, incentive scores and honours."""

    name = "gongzhi.recognition"
    label = "recognition"
    verbose_name = _("星级、证明与激励")

    def ready(self):
        from . import permissions  # noqa: F401
