"""What the points app listens to (it publishes nothing yet).

``hours.record_added(record, replaced)`` → :func:`gongzhi.points.services.on_record_added`: the record's chain is
brought to what its newest row is worth (award, difference, or reversal with clawback), in the hours transaction.
``appeals.report_accepted(appeal)`` → :func:`on_report_accepted`: the reporter of an accepted 随手拍 earns the
``report_accepted`` item of the rule set in force (骑手量化积分榜), once per report. The event is named by its string:
points neither imports appeals nor needs it installed.
"""

from __future__ import annotations

from gongzhi.core import events

REPORT_ACCEPTED = "appeals.report_accepted"


def on_report_accepted(*, appeal) -> None:
    """Award the reporter (their resident record, or the one linked to the account that filed it); anonymous → none."""
    from gongzhi.people.models import Person

    from .services import award_for_report

    person = appeal.reporter_person
    if person is None and appeal.reporter_user_id:
        person = Person.objects.filter(user_id=appeal.reporter_user_id).first()
    if person is None:
        return
    award_for_report(person=person, unit=appeal.unit, source_id=appeal.pk, actor=appeal.owner)


def connect() -> None:
    from gongzhi.hours.events import RECORD_ADDED

    from .services import on_record_added

    events.subscribe(RECORD_ADDED, on_record_added)
    events.subscribe(REPORT_ACCEPTED, on_report_accepted)
