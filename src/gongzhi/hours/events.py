"""Events the hours app publishes (the contract other apps subscribe to; see ``gongzhi.core.events``).

``hours.record_added(record: ServiceRecord, replaced: ServiceRecord | None)`` — published in-transaction every time a
ServiceRecord row is written by ``hours.services``: an original (``replaced`` None), a correction or a revocation
(``replaced`` is the row it supersedes; a revocation has ``hours`` 0 and means "replaced no longer counts").
Reports keep their rollups from it, recognition its star levels and points their postings. Demo bulk writes do not
publish: the reports app recomputes its rollups at the end of the demo run.
"""

from __future__ import annotations

from gongzhi.core import events

RECORD_ADDED = "hours.record_added"


def record_added(*, record, replaced=None) -> None:
    events.publish(RECORD_ADDED, record=record, replaced=replaced)
