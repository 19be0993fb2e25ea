"""Fifty volunteers sign up at once for ten places: exactly ten confirmed, forty waitlisted, counters agree.

Real parallel transactions need PostgreSQL's row locks (SQLite serialises writers by locking the whole file).
"""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.db import connection, connections

from gongzhi.activities.models import Activity, Signup
from gongzhi.activities.services import signup_create
from gongzhi.core.errors import DomainError

from .conftest import make_volunteer

# serialized_rollback: seeded rows (tags, categories) are restored after any earlier flushing test
pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif("postgresql" not in settings.DATABASES["default"]["ENGINE"], reason="needs PostgreSQL"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_fifty_parallel_signups_for_ten_places(world, make_activity):
    assert connection.vendor == "postgresql"
    activity = make_activity(capacity=10)
    volunteers = [make_volunteer(world, f"志愿者{i:02d}", world.community_a) for i in range(50)]
    actor = world.user("community")
    barrier = threading.Barrier(len(volunteers))
    errors: list[BaseException] = []

    def sign_up(volunteer):
        try:
            barrier.wait()
            signup_create(activity=Activity.objects.get(pk=activity.pk), volunteer=volunteer, actor=actor)
        except (DomainError, Exception) as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sign_up, args=(v,)) for v in volunteers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    statuses = list(Signup.objects.filter(activity=activity).values_list("status", flat=True))
    assert statuses.count("confirmed") == 10
    assert statuses.count("waitlisted") == 40
    activity.refresh_from_db()
    assert (activity.confirmed_count, activity.waitlist_count) == (10, 40)
