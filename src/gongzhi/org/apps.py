from django.apps import AppConfig


class OrgConfig(AppConfig):
    """The district → street → community/village → grid tree and the organisations attached to it."""

    name = "gongzhi.org"
    label = "org"
    verbose_name = "组织架构"

    def ready(self):
        from . import permissions  # noqa: F401  (registers named permissions)
