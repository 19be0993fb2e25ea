from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    """The three lists (需求清单、资源清单、项目清单) and the matches between them."""

    name = "gongzhi.matching"
    label = "matching"
    verbose_name = _("三张清单")

    def ready(self):
        from gongzhi.core import links

        from . import links as matching_links
        from . import permissions  # noqa: F401

        links.register("appeals.appeal", matching_links.appeal_links)
