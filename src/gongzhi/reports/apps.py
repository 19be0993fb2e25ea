from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Figures by tier and period, kept fast by incrementally maintained rollups."""

    name = "gongzhi.reports"
    label = "reports"
    verbose_name = _("统计报表")

    def ready(self):
        from gongzhi.core import events

        from . import (
            permissions,  # noqa: F401
            registry,
            rollups,
        )

        # In-transaction: the rollups commit or roll back with the fact that moved them.
        events.subscribe("hours.record_added", rollups.on_record_added)
        events.subscribe("activities.status_changed", rollups.on_status_changed)
        events.subscribe("activities.beneficiaries_recorded", rollups.on_beneficiaries_recorded)
        events.subscribe("people.volunteer_status_changed", registry.on_volunteer_status_changed)
        events.subscribe("org.organisation_changed", registry.on_organisation_changed)
