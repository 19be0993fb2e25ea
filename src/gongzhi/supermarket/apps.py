from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupermarketConfig(AppConfig):
    """The points supermarket: merchants, catalogue, counter and order redemptions, receipts, settlements."""

    name = "gongzhi.supermarket"
    label = "supermarket"
    verbose_name = _("积分超市")

    def ready(self):
        from . import permissions  # noqa: F401
