"""Periodic jobs: apps register what must run every so often; one runner runs what is due.

An app registers in its ``AppConfig.ready``::

    jobs.register("activities.reminders", every=dt.timedelta(minutes=5), fn=reminders_send)

``fn(now)`` does its own work in its own transactions and returns a count (for logs). The runner (``gongzhi jobs``)
works in the embedded default with no extra server and takes a lease per job so that several app processes never
run the same job at once:

- by default the lease is a :class:`~gongzhi.core.models.JobLease` row, taken with one conditional
  ``UPDATE ... WHERE leased_until < now AND (last run is older than the interval)`` — atomic on SQLite and PostgreSQL;
- when ``REDIS_URL`` is configured the lease is a Redis key (``SET NX PX``), released only by its holder; the
  ``redis`` package is imported only then. The row still records the last run either way.

A lease outlives a crashed runner by at most ``JOB_LEASE_SECONDS`` (default 600). Ways to run the jobs:
``gongzhi jobs --once`` (cron), ``gongzhi jobs --loop`` (a separate process), or :func:`start_background_runner`
(a daemon thread inside the single embedded process).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import close_old_connections, connection
from django.db.models import F, Q

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    every: dt.timedelta
    fn: Callable[[dt.datetime], int]


_jobs: dict[str, Job] = {}


def register(name: str, *, every: dt.timedelta, fn: Callable[[dt.datetime], int]) -> Job:
    job = Job(name=name, every=every, fn=fn)
    _jobs[name] = job
    return job


def registered() -> dict[str, Job]:
    return dict(_jobs)


# --- leases ----------------------------------------------------------------------------------------------------

NEVER = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)  # "not leased" / "never ran"
REDIS_MISSING = (
    "REDIS_URL is set, so periodic-job leases use Redis, but the Python package 'redis' is not installed. "
    "Install it (pip install redis) or unset REDIS_URL to keep the leases in the database."
)


def lease_ttl() -> dt.timedelta:
    return dt.timedelta(seconds=int(getattr(settings, "JOB_LEASE_SECONDS", 600)))


def redis_url() -> str:
    """``settings.REDIS_URL``, else the environment variable (the settings package may not name it)."""
    return getattr(settings, "REDIS_URL", None) or os.environ.get("REDIS_URL", "")


def holder_id() -> str:
    """Who holds a lease: host, process and a random suffix (two runners in one process are still two holders)."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _is_due(job: Job, now: dt.datetime) -> Q:
    return Q(last_run_at__isnull=True) | Q(last_run_at__lte=now - job.every)


def _ensure_row(job: Job) -> None:
    """The job's row, created once (a concurrent creator is ignored). Reads first: on SQLite a write would queue
    behind every other writer each round for nothing."""
    from .models import JobLease

    if not JobLease.objects.filter(name=job.name).exists():
        JobLease.objects.bulk_create([JobLease(name=job.name, leased_until=NEVER)], ignore_conflicts=True)


class DatabaseLeases:
    """The default: one conditional UPDATE takes the lease only if it is free and the job is due."""

    def acquire(self, job: Job, *, now: dt.datetime, holder: str) -> bool:
        from .models import JobLease

        _ensure_row(job)
        free_and_due = JobLease.objects.filter(_is_due(job, now), name=job.name, leased_until__lt=now)
        if not free_and_due.exists():  # the common case, answered by a read
            return False
        # the conditional UPDATE is the lease: of several runners that saw it free, exactly one changes the row
        return free_and_due.update(leased_until=now + lease_ttl(), holder=holder) == 1

    def release(self, job: Job, *, holder: str) -> None:
        """Nothing beyond :func:`_record`, which clears the row's lease."""


class RedisLeases:
    """A Redis key per job (``SET NX PX``); the due check still reads the job's row."""

    RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end"

    def __init__(self, url: str):
        try:
            import redis
        except ImportError as exc:
            raise ImproperlyConfigured(REDIS_MISSING) from exc
        self.client = redis.Redis.from_url(url)

    @staticmethod
    def key(job: Job) -> str:
        return f"gongzhi:job:{job.name}"

    def acquire(self, job: Job, *, now: dt.datetime, holder: str) -> bool:
        from .models import JobLease

        ttl_ms = int(lease_ttl().total_seconds() * 1000)
        if not self.client.set(self.key(job), holder, nx=True, px=ttl_ms):
            return False
        _ensure_row(job)
        if not JobLease.objects.filter(_is_due(job, now), name=job.name).update(holder=holder,
                                                                                 leased_until=now + lease_ttl()):
            self.release(job, holder=holder)
            return False
        return True

    def release(self, job: Job, *, holder: str) -> None:
        self.client.eval(self.RELEASE, 1, self.key(job), holder)


def leases() -> DatabaseLeases | RedisLeases:
    url = redis_url()
    return RedisLeases(url) if url else DatabaseLeases()


def _record(job: Job, *, now: dt.datetime, holder: str, ok: bool, result: str) -> None:
    from .models import JobLease

    updated = JobLease.objects.filter(name=job.name, holder=holder).update(
        last_run_at=now, last_ok=ok, last_result=result[:300], leased_until=NEVER, holder="",
        runs=F("runs") + 1, failures=F("failures") + (0 if ok else 1),
    )
    if not updated:
        logger.warning("job %s finished after its lease was taken over; result not recorded: %s", job.name, result)


# --- running ---------------------------------------------------------------------------------------------------


def run_due(*, now: dt.datetime, holder: str | None = None) -> dict[str, int | None]:
    """Run every registered job that is due and whose lease this runner gets.

    Returns ``{job name: count}`` for the jobs that ran here (``None`` for a job that raised; it is logged and
    recorded on its row, and the other jobs still run). Jobs not due or leased by another runner are absent.
    """
    holder = holder or holder_id()
    backend = leases()
    out: dict[str, int | None] = {}
    for name, job in sorted(registered().items()):
        if not backend.acquire(job, now=now, holder=holder):
            continue
        try:
            count = int(job.fn(now) or 0)
        except Exception as exc:  # one failing job must not stop the others
            logger.exception("periodic job %s failed", name)
            out[name] = None
            _record(job, now=now, holder=holder, ok=False, result=f"{type(exc).__name__}: {exc}")
        else:
            out[name] = count
            _record(job, now=now, holder=holder, ok=True, result=str(count))
        finally:
            backend.release(job, holder=holder)
    return out


def run_loop(*, interval: float = 15.0, stop: threading.Event | None = None, max_runs: int | None = None,
             on_result: Callable[[dict], None] | None = None) -> int:
    """Call :func:`run_due` every ``interval`` seconds until ``stop`` is set (or ``max_runs`` rounds); returns rounds.

    A round that fails as a whole (the database away for a moment) is logged and the loop goes on.
    """
    from . import clock

    stop = stop or threading.Event()
    holder, rounds = holder_id(), 0
    while not stop.is_set():
        _close_old_connections()
        try:
            result = run_due(now=clock.now(), holder=holder)
        except ImproperlyConfigured:
            raise
        except Exception:
            logger.exception("periodic job round failed")
        else:
            if on_result is not None:
                on_result(result)
        rounds += 1
        if max_runs is not None and rounds >= max_runs:
            break
        stop.wait(interval)
    _close_old_connections()
    return rounds


def _close_old_connections() -> None:
    """Drop broken or expired connections between rounds, as Django does between requests (never inside an open
    transaction: a caller's atomic block, such as a test's, keeps its connection)."""
    if not connection.in_atomic_block:
        close_old_connections()


@dataclass
class BackgroundRunner:
    thread: threading.Thread
    stop: threading.Event

    def shutdown(self, timeout: float = 5.0) -> None:
        self.stop.set()
        self.thread.join(timeout)


_runner: BackgroundRunner | None = None
_runner_lock = threading.Lock()


def start_background_runner(*, interval: float = 15.0) -> BackgroundRunner:
    """A daemon thread running due jobs in this process (the embedded single-machine default); started once.

    Safe beside other processes doing the same: the leases keep each job to one runner at a time.
    """
    global _runner
    with _runner_lock:
        if _runner is not None and _runner.thread.is_alive():
            return _runner
        if redis_url():
            leases()  # a missing redis package fails here, loudly, not silently in the thread
        stop = threading.Event()
        thread = threading.Thread(target=run_loop, kwargs={"interval": interval, "stop": stop}, daemon=True,
                                  name="gongzhi-jobs")
        _runner = BackgroundRunner(thread=thread, stop=stop)
        thread.start()
        return _runner


def stop_background_runner(timeout: float = 5.0) -> None:
    global _runner
    with _runner_lock:
        if _runner is not None:
            _runner.shutdown(timeout)
            _runner = None
