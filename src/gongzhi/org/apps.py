from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    """The district → street → community/village → grid tree and the organisations attached to it."""

    name = "gongzhi.org"
    label = "org"
    verbose_name = _("组织架构")

    def ready(self):
        from . import permissions  # noqa: F401  (registers named permissions)
