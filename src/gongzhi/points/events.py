"""What the points app listens to (it publishes nothing yet).

``hours.record_added(record, replaced)`` → :func:`gongzhi.points.services.on_record_added`: the record's chain is
brought to what its newest row is worth (award, difference, or reversal with clawback), in the hours transaction.
The appeals app, when it exists, calls :func:`gongzhi.points.services.award_for_report` for an accepted 随手拍.
"""

from __future__ import annotations

from gongzhi.core import events


def connect() -> None:
    from gongzhi.hours.events import RECORD_ADDED

    from .services import on_record_added

    events.subscribe(RECORD_ADDED, on_record_added)
