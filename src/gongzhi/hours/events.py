"""Events the hours app publishes (the contract other apps subscribe to; see ``gongzhi.core.events``).

``hours.record_added(record: ServiceRecord, replaced: ServiceRecord | None)`` — published in-transaction every time a
ServiceRecord row is written by ``hours.services``: an original (``replaced`` None), a correction or a revocation
(``replaced`` is the row it supersedes; a revocation has ``hours`` 0 and means "replaced no longer counts").
``just_written`` is True when the row was inserted in the publisher's own transaction a moment ago (so nothing
supersedes it yet and no other transaction has seen its id); a re-delivered event says False, and subscribers then
check what they would otherwise know. Reports keep their rollups from it, recognition its star levels and points their postings. Demo bulk writes do not
publish: the reports app recomputes its rollups at the end of the demo run.
"""

from __future__ import annotations

from gongzhi.core import events

RECORD_ADDED = "hours.record_added"


def record_added(*, record, replaced=None, just_written: bool = False) -> None:
    events.publish(RECORD_ADDED, record=record, replaced=replaced, just_written=just_written)
