from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Users, roles at units, API tokens, and the one scoping module every query path uses."""

    name = "gongzhi.accounts"
    label = "accounts"
    verbose_name = _("账号与权限")

    def ready(self):
        from . import permissions  # noqa: F401
