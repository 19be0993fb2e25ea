"""Two 督办 jobs at once (PostgreSQL row locks): each red appeal is supervised and escalated exactly once."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from gongzhi.appeals import services
from gongzhi.appeals.models import AppealEvent

from .conftest import submit

pytestmark = [pytest.mark.postgres_only,
              pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")]

THREADS = 4


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # keeps the migration-seeded categories
def test_parallel_jobs_escalate_each_red_appeal_once(world, at):
    appeals = [submit(world) for _ in range(3)]
    at(timezone.make_aware(dt.datetime(2030, 5, 8, 10, 0)))  # all past their 8 working hours to accept
    barrier = threading.Barrier(THREADS)
    counts: list[int] = []

    def run():
        try:
            barrier.wait()
            counts.append(services.overdue_supervise())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sum(counts) == 3 and len(counts) == THREADS
    for appeal in appeals:
        assert AppealEvent.objects.filter(appeal=appeal, action="supervise").count() == 1
        assert AppealEvent.objects.filter(appeal=appeal, action="escalate").count() == 1
        appeal.refresh_from_db()
        assert appeal.level_unit == world.community_a
