from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    """Personal-data protection (PIPL, R-P1–R-P4): masking rules and the log of every unmasked read."""

    name = "gongzhi.privacy"
    label = "privacy"
    verbose_name = _("个人信息保护")

    def ready(self):
        from . import permissions  # noqa: F401
