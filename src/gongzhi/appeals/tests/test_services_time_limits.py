"""Time limits on a working-day calendar (R-H3, R-H8): weekends and holidays do not count; yellow and red warnings."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from gongzhi.appeals import selectors, services
from gongzhi.appeals.calendar import Calendar
from gongzhi.appeals.models import Holiday

from .conftest import MONDAY_10


def local(*args):
    return timezone.make_aware(dt.datetime(*args))


def test_reply_due_five_working_days_after_accept_skipping_the_weekend(world, make_appeal, at):
    """R-H3: accepted Thursday 10:00 → due the next Thursday 10:00 (Sat/Sun do not count)."""
    appeal = make_appeal()
    at(local(2030, 5, 9, 10, 0))  # Thursday
    appeal = services.appeal_accept(appeal=appeal, actor=world.user("grid"))
    assert timezone.localtime(appeal.reply_due_at) == local(2030, 5, 16, 10, 0)


def test_holiday_pushes_the_deadline_and_a_makeup_saturday_counts(world, make_appeal, at):
    """R-H8: the Holiday table: 劳动节 Monday is off; a 调休 Saturday is a working day."""
    Holiday.objects.create(date=dt.date(2030, 5, 13), name="劳动节调休")
    Holiday.objects.create(date=dt.date(2030, 5, 11), name="调休上班", workday=True)
    appeal = make_appeal()
    at(local(2030, 5, 9, 10, 0))
    appeal = services.appeal_accept(appeal=appeal, actor=world.user("grid"))
    # Fri 10, Sat 11 (workday), Mon 13 off, Tue 14, Wed 15, Thu 16 → 5th working day is Thu 16? count: 10,11,14,15,16
    assert timezone.localtime(appeal.reply_due_at) == local(2030, 5, 16, 10, 0)
    Holiday.objects.filter(date=dt.date(2030, 5, 11)).delete()
    assert Calendar().add_working_days(local(2030, 5, 9, 10, 0), 5) == local(2030, 5, 17, 10, 0)


def test_accept_limit_in_working_hours_crosses_the_night_and_weekend(world, make_appeal, at):
    """Submitted Friday 15:00, normal urgency (8 working hours, 09:00–17:00) → Monday 15:00."""
    at(local(2030, 5, 10, 15, 0))
    appeal = make_appeal()
    assert timezone.localtime(appeal.accept_due_at) == local(2030, 5, 13, 15, 0)
    urgent = make_appeal(urgency="urgent")
    assert timezone.localtime(urgent.accept_due_at) == local(2030, 5, 10, 17, 0)


def test_submitted_out_of_hours_starts_at_the_next_working_morning(world, make_appeal, at):
    at(local(2030, 5, 11, 22, 0))  # Saturday night
    appeal = make_appeal(urgency="emergency")
    assert timezone.localtime(appeal.accept_due_at) == local(2030, 5, 13, 10, 0)


def test_yellow_one_working_day_before_and_red_when_overdue(world, make_appeal, at):
    """R-H8: yellow with ≤ 1 working day left, red from the first overdue moment; finished appeals carry none."""
    appeal = services.appeal_accept(appeal=make_appeal(), actor=world.user("grid"))  # Mon 10:00 → due Mon 13 10:00
    assert selectors.warning(appeal) == ""
    at(local(2030, 5, 10, 11, 0))  # Friday: next working day is Monday → within one working day
    assert selectors.warning(appeal) == "yellow"
    at(local(2030, 5, 13, 10, 1))
    assert selectors.warning(appeal) == "red"
    assert list(selectors.appeal_list(actor=world.user("grid"), overdue=True)) == [appeal]
    assert list(selectors.appeal_list(actor=world.user("grid"), overdue=False)) == []


def test_a_waiting_appeal_is_red_after_its_accept_limit(world, make_appeal, at):
    appeal = make_appeal()
    at(MONDAY_10 + dt.timedelta(days=1, hours=1))
    assert selectors.warning(appeal) == "red"


def test_overdue_appeals_get_one_supervision_event(world, make_appeal, at):
    """R-H5/R-H8 督办: the periodic job records a 督办 event on red items, once per deadline."""
    from gongzhi.appeals.models import AppealEvent
    from gongzhi.core import jobs

    waiting = make_appeal()
    accepted = services.appeal_accept(appeal=make_appeal(), actor=world.user("grid"))
    assert "appeals.supervise_overdue" in jobs.registered()
    assert services.overdue_supervise() == 0
    at(local(2030, 5, 8, 10, 0))  # waiting is past its 8 working hours, accepted still has time
    assert services.overdue_supervise() == 1
    assert services.overdue_supervise() == 0
    at(local(2030, 5, 14, 10, 0))
    assert services.overdue_supervise() == 1
    supervised = AppealEvent.objects.filter(action="supervise")
    assert {e.appeal_id for e in supervised} == {waiting.pk, accepted.pk}
    assert all(e.from_state == e.to_state for e in supervised)
