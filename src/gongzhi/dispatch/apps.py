import datetime as dt

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DispatchConfig(AppConfig):
    """The order board: 社工派单 + 志愿者接单 — open tasks, one taker, suggested assignees, response figures."""

    name = "gongzhi.dispatch"
    label = "dispatch"
    verbose_name = _("派单接单")

    def ready(self):
        from gongzhi.core import events, jobs

        from . import (
            permissions,  # noqa: F401
            services,
        )

        events.subscribe("appeals.state_changed", services.on_appeal_state_changed)
        jobs.register("dispatch.candidate_loads", every=dt.timedelta(days=1), fn=services.candidate_loads_expire)
