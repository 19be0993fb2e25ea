"""The roles a user can hold at a unit. A role at a unit covers that unit's subtree only."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Role(models.TextChoices):
    DISTRICT_ADMIN = "district_admin", _("区级管理员")
    STREET_ADMIN = "street_admin", _("街道管理员")
    COMMUNITY_WORKER = "community_worker", _("社区工作者")
    GRID_WORKER = "grid_worker", _("网格员")
    SOCIAL_WORKER = "social_worker", _("社工")
    TEAM_LEADER = "team_leader", _("志愿服务队队长")
    MEDIATOR = "mediator", _("调解员")
    OBSERVER = "observer", _("监督员")
    VOLUNTEER = "volunteer", pgettext_lazy("role", "志愿者")
    RESIDENT = "resident", pgettext_lazy("role", "居民")
    MERCHANT = "merchant", _("商户")


ADMIN_ROLES = frozenset({Role.DISTRICT_ADMIN, Role.STREET_ADMIN})
WORKER_ROLES = frozenset({Role.DISTRICT_ADMIN, Role.STREET_ADMIN, Role.COMMUNITY_WORKER, Role.GRID_WORKER, Role.SOCIAL_WORKER})
