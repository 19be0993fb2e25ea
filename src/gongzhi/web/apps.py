from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    """The page shell: base layout, login, the per-role home page, static assets (htmx, CSS)."""

    name = "gongzhi.web"
    label = "web"
    verbose_name = _("页面")
