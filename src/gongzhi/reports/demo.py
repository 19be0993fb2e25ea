"""The reports part of the 钢城区 demo: rebuild the rollups from what the other apps wrote.

Runs last (INSTALLED_APPS order). The activities and hours demos write with ``bulk_create`` and publish no events,
so the incremental rollups know nothing of their rows; one set-based rebuild makes the dashboards right.
"""

from __future__ import annotations

from gongzhi.activities.models import Activity, ActivityStatus
from gongzhi.hours.models import ServiceRecord

from . import rollups
from .models import ALL_PERIOD, Grain, Rollup


def is_loaded() -> bool:
    """The rollups already agree with the base tables on the root's all-time record and activity counts (so a demo
    app added later, whose rows the rollups miss, triggers a rebuild on the next load)."""
    roots = Rollup.objects.filter(grain=Grain.ALL, period=ALL_PERIOD, category="", unit_path__in=_root_paths())
    records = sum(r.records for r in roots)
    held = sum(r.activities for r in roots)
    return (records, held) == (ServiceRecord.objects.current().count(),
                               Activity.objects.filter(status=ActivityStatus.FINISHED).count())


def _root_paths() -> list[str]:
    from gongzhi.org.models import Unit

    return list(Unit.objects.filter(parent__isnull=True).values_list("path", flat=True))


def contribute(ctx) -> None:
    counts = rollups.rebuild()
    ctx.count("统计汇总行", counts["rollups"])
