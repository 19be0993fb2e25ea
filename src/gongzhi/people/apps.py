from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    """Residents, households, special-group tags, consents, volunteers and their screening, team membership."""

    name = "gongzhi.people"
    label = "people"
    verbose_name = _("人员")

    def ready(self):
        from . import permissions  # noqa: F401
