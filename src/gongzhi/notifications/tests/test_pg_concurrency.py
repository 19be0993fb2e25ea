"""PostgreSQL only: several dispatchers (and job runners) at once never send one message twice or run a job twice."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections

from gongzhi.accounts.services import user_create
from gongzhi.core import jobs
from gongzhi.notifications.models import OutboxMessage, OutboxStatus
from gongzhi.notifications.services import notification_create, outbox_dispatch

from .conftest import T0

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks with SKIP LOCKED need PostgreSQL"),
]


def _in_threads(n: int, fn) -> list:
    """Run ``fn()`` in ``n`` threads started together; each closes its own connection."""
    barrier, results, errors = threading.Barrier(n), [], []

    def run():
        try:
            barrier.wait()
            results.append(fn())
        except Exception as exc:  # surfaced in the test below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    return results


def test_two_dispatchers_send_each_message_exactly_once(memory):
    """Two threads dispatch the same 60 due messages in small batches at once: each is sent exactly once."""
    memory.reset(delay=0.002)
    user = user_create(username="t-pg-outbox", password="x-pass-123", display_name="并发")
    for i in range(60):
        notification_create(user=user, kind="reminder", title=f"提醒{i}", channels=["memory"])
    now = T0 + dt.timedelta(days=400)

    def drain():
        total = 0
        while sent := outbox_dispatch(now=now, limit=7):
            total += sent
        return total

    results = _in_threads(2, drain)
    ids = set(OutboxMessage.objects.values_list("pk", flat=True))
    assert sorted(memory.sent) == sorted(ids)  # every message once, none twice
    assert sum(results) == 60
    assert all(r > 0 for r in results), results  # both dispatchers really took part
    assert set(OutboxMessage.objects.values_list("status", "attempts")) == {(OutboxStatus.SENT, 1)}


def test_concurrent_runners_run_a_job_once(monkeypatch):
    """Four runners at the same moment: the conditional UPDATE gives the lease to one; the job runs once."""
    monkeypatch.setattr(jobs, "_jobs", {})
    monkeypatch.delenv("REDIS_URL", raising=False)
    calls = []
    jobs.register("t.pg", every=dt.timedelta(minutes=1), fn=lambda now: calls.append(now) or 1)
    results = _in_threads(4, lambda: jobs.run_due(now=T0))
    assert len(calls) == 1
    assert sorted(results, key=len) == [{}, {}, {}, {"t.pg": 1}]
