from django.apps import AppConfig


class WebConfig(AppConfig):
    """The page shell: base layout, login, the per-role home page, static assets (htmx, CSS)."""

    name = "gongzhi.web"
    label = "web"
    verbose_name = "页面"
