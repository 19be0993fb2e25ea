"""The reminder job: each confirmed volunteer with a login is told once, about 24 hours before the start."""

from __future__ import annotations

import datetime as dt

from gongzhi.activities.services import reminders_send, signup_create
from gongzhi.core import jobs
from gongzhi.notifications.models import Notification

from .conftest import START, make_volunteer


def test_reminders_job_is_registered():
    job = jobs.registered()["activities.reminders"]
    assert job.every == dt.timedelta(minutes=5) and job.fn is reminders_send


def test_reminder_sent_once_about_a_day_before(world, make_activity, volunteer_user, new_login, monkeypatch):
    activity = make_activity(capacity=2)
    signup_create(activity=activity, volunteer=volunteer_user, actor=world.user("volunteer"))
    no_login = make_volunteer(world, "无账号", world.community_a)
    signup_create(activity=activity, volunteer=no_login, actor=world.user("community"))
    waiting, waiting_profile = new_login("候补者")
    assert waiting.post(f"activities/{activity.pk}/signups").json()["status"] == "waitlisted"
    monkeypatch.setattr("gongzhi.core.clock.now", lambda: START - dt.timedelta(hours=30))
    assert reminders_send(START - dt.timedelta(hours=30)) == 0  # too early
    assert reminders_send(START - dt.timedelta(hours=23, minutes=55)) == 1
    assert reminders_send(START - dt.timedelta(hours=23, minutes=50)) == 0  # never twice
    assert reminders_send(START - dt.timedelta(hours=1)) == 0
    notes = Notification.objects.filter(kind="activity_reminder")
    assert [n.user_id for n in notes] == [world.user("volunteer").pk]
    assert activity.title in notes[0].title
    assert reminders_send(START + dt.timedelta(minutes=1)) == 0  # started: nothing more


def test_reminder_hours_are_configurable(world, make_activity, volunteer_user, settings):
    settings.ACTIVITY_REMINDER_HOURS = 2
    activity = make_activity()
    signup_create(activity=activity, volunteer=volunteer_user, actor=world.user("volunteer"))
    assert reminders_send(START - dt.timedelta(hours=3)) == 0
    assert reminders_send(START - dt.timedelta(hours=2)) == 1
