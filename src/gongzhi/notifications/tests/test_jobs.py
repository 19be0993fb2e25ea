"""The periodic-job runner (``gongzhi.core.jobs``; tested here with its first user, the outbox): due jobs only,
one runner per job through the lease, a failing job recorded without stopping the others, ``gongzhi jobs``."""

from __future__ import annotations

import datetime as dt
import io
import sys
import types

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from gongzhi.core import jobs
from gongzhi.core.models import JobLease
from gongzhi.notifications.models import OutboxStatus
from gongzhi.notifications.services import notification_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry(monkeypatch):
    """An empty job registry for the test (the apps' own jobs are put back afterwards)."""
    monkeypatch.setattr(jobs, "_jobs", {})
    monkeypatch.delenv("REDIS_URL", raising=False)
    return jobs


class Recorder:
    def __init__(self, result: int = 1):
        self.calls: list[dt.datetime] = []
        self.result = result

    def __call__(self, now):
        self.calls.append(now)
        return self.result


def test_runs_due_jobs_only(registry, clock):
    """A job runs at once, then not again until its interval has passed since that run."""
    every_minute, hourly = Recorder(3), Recorder(0)
    jobs.register("t.minute", every=dt.timedelta(minutes=1), fn=every_minute)
    jobs.register("t.hour", every=dt.timedelta(hours=1), fn=hourly)
    t0 = clock.at
    assert jobs.run_due(now=t0) == {"t.hour": 0, "t.minute": 3}
    assert jobs.run_due(now=t0 + dt.timedelta(seconds=59)) == {}
    assert jobs.run_due(now=t0 + dt.timedelta(minutes=1)) == {"t.minute": 3}
    assert jobs.run_due(now=t0 + dt.timedelta(minutes=61)) == {"t.hour": 0, "t.minute": 3}
    assert every_minute.calls == [t0, t0 + dt.timedelta(minutes=1), t0 + dt.timedelta(minutes=61)]
    row = JobLease.objects.get(name="t.minute")
    assert (row.last_run_at, row.last_ok, row.last_result, row.runs, row.holder) == (
        t0 + dt.timedelta(minutes=61), True, "3", 3, "")


def test_lease_stops_a_second_runner(registry, clock):
    """While one runner holds a job's lease, another runner (here: started from inside the job) skips it."""
    inner: list[dict] = []

    def job(now):
        inner.append(jobs.run_due(now=now, holder="second-runner"))
        return 1

    jobs.register("t.leased", every=dt.timedelta(seconds=1), fn=job)
    assert jobs.run_due(now=clock.at, holder="first-runner") == {"t.leased": 1}
    assert inner == [{}]
    assert JobLease.objects.get(name="t.leased").runs == 1


def test_expired_lease_of_a_dead_runner_is_taken_over(registry, clock, settings):
    """A lease left by a crashed runner blocks the job only until it expires (JOB_LEASE_SECONDS)."""
    settings.JOB_LEASE_SECONDS = 120
    fn = Recorder()
    jobs.register("t.crashed", every=dt.timedelta(seconds=30), fn=fn)
    JobLease.objects.create(name="t.crashed", leased_until=clock.at + dt.timedelta(seconds=120), holder="dead:1")
    assert jobs.run_due(now=clock.at) == {}
    assert jobs.run_due(now=clock.at + dt.timedelta(seconds=121)) == {"t.crashed": 1}


def test_a_failing_job_is_recorded_and_does_not_stop_the_others(registry, clock, caplog):
    """The failure is logged and kept on the job's row; the other jobs run; the failing job is due again later."""
    ok = Recorder(7)

    def broken(now):
        raise RuntimeError("短信网关配置错误")

    jobs.register("t.a_broken", every=dt.timedelta(minutes=1), fn=broken)
    jobs.register("t.b_ok", every=dt.timedelta(minutes=1), fn=ok)
    assert jobs.run_due(now=clock.at) == {"t.a_broken": None, "t.b_ok": 7}
    assert "periodic job t.a_broken failed" in caplog.text
    row = JobLease.objects.get(name="t.a_broken")
    assert (row.last_ok, row.last_result, row.failures, row.holder) == (False, "RuntimeError: 短信网关配置错误", 1, "")
    assert jobs.run_due(now=clock.at + dt.timedelta(minutes=1)) == {"t.a_broken": None, "t.b_ok": 7}


def test_outbox_dispatch_runs_as_a_job(world, clock, memory):
    """The registered notifications.outbox job sends the due messages."""
    note = notification_create(user=world.user("volunteer"), kind="signup_confirmed", title="报名成功",
                               channels=["memory"])
    result = jobs.run_due(now=clock.at)
    assert result["notifications.outbox"] == 1
    assert note.outbox.get().status == OutboxStatus.SENT


def test_jobs_once_command_prints_a_table(registry, clock):
    """`gongzhi jobs --once` runs what is due and prints one line per job with its outcome."""
    jobs.register("t.count", every=dt.timedelta(minutes=5), fn=Recorder(4))
    jobs.register("t.fail", every=dt.timedelta(minutes=5), fn=lambda now: 1 / 0)
    out = io.StringIO()
    call_command("jobs", "--once", stdout=out)
    text = out.getvalue()
    assert "t.count" in text and "完成，处理 4 条" in text and "失败（见日志）" in text
    out = io.StringIO()
    call_command("jobs", "--once", stdout=out)
    assert out.getvalue().count("未到期或由其他进程运行") == 2


def test_jobs_list_command_shows_last_run(registry, clock):
    """`gongzhi jobs --list` shows each job's interval and last run (or "-" when it never ran)."""
    jobs.register("t.listed", every=dt.timedelta(minutes=5), fn=Recorder(2))
    jobs.register("t.never", every=dt.timedelta(hours=1), fn=Recorder())
    jobs.run_due(now=clock.at)
    JobLease.objects.filter(name="t.never").delete()
    out = io.StringIO()
    call_command("jobs", "--list", stdout=out)
    lines = out.getvalue().splitlines()
    listed = next(line for line in lines if line.startswith("t.listed"))
    assert "300" in listed and "成功 2" in listed and "2026-06-01 17:00:00" in listed  # Asia/Shanghai
    never = next(line for line in lines if line.startswith("t.never"))
    assert never.split()[1:] == ["3600", "-", "-"]


def test_jobs_loop_command_runs_rounds(registry, clock):
    """`gongzhi jobs --loop --max-runs 2` runs two rounds and stops."""
    fn = Recorder()
    jobs.register("t.loop", every=dt.timedelta(seconds=1), fn=fn)
    out = io.StringIO()
    call_command("jobs", "--loop", "--interval", "0.01", "--max-runs", "2", stdout=out)
    assert len(fn.calls) == 1  # the clock stands still: the second round finds it not due
    assert "t.loop" in out.getvalue()


def test_jobs_command_needs_a_mode(registry):
    """Without --once, --loop or --list the command refuses."""
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("jobs")
    with pytest.raises(CommandError):
        call_command("jobs", "--loop", "--interval", "0")


def test_redis_url_without_redis_package_fails_clearly(registry, clock, settings, monkeypatch):
    """REDIS_URL set but the redis package missing: a clear configuration error, not an ImportError deep inside."""
    settings.REDIS_URL = "redis://127.0.0.1:6379/0"
    monkeypatch.setitem(sys.modules, "redis", None)  # import redis → ImportError
    jobs.register("t.any", every=dt.timedelta(seconds=1), fn=Recorder())
    with pytest.raises(ImproperlyConfigured, match="pip install redis"):
        jobs.run_due(now=clock.at)
    with pytest.raises(ImproperlyConfigured, match="unset REDIS_URL"):
        jobs.start_background_runner(interval=0.01)
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="pip install redis"):
        call_command("jobs", "--once")


class FakeRedis:
    """Enough of redis-py for the lease: SET NX PX and the compare-and-delete script."""

    store: dict = {}

    @classmethod
    def from_url(cls, url):
        return cls()

    def set(self, key, value, nx=False, px=None):
        if nx and key in self.store:
            return None
        self.store[key] = value
        return True

    def eval(self, script, numkeys, key, holder):
        if self.store.get(key) == holder:
            del self.store[key]
            return 1
        return 0


def test_redis_lease_when_configured(registry, clock, settings, monkeypatch):
    """With REDIS_URL the lease is a Redis key: a held key stops the runner; the run is still recorded on the row."""
    settings.REDIS_URL = "redis://cache:6379/0"
    monkeypatch.setitem(sys.modules, "redis", types.SimpleNamespace(Redis=FakeRedis))
    FakeRedis.store = {"gongzhi:job:t.held": "other-process"}
    held, free = Recorder(), Recorder(5)
    jobs.register("t.held", every=dt.timedelta(seconds=1), fn=held)
    jobs.register("t.free", every=dt.timedelta(minutes=1), fn=free)
    assert jobs.run_due(now=clock.at) == {"t.free": 5}
    assert held.calls == [] and "gongzhi:job:t.free" not in FakeRedis.store  # released after the run
    assert JobLease.objects.get(name="t.free").last_result == "5"
    assert jobs.run_due(now=clock.at + dt.timedelta(seconds=30)) == {}  # not due: the row's last run counts
    del FakeRedis.store["gongzhi:job:t.held"]
    assert jobs.run_due(now=clock.at + dt.timedelta(seconds=30)) == {"t.held": 1}


def test_background_runner_is_one_daemon_thread_looping_run_due(registry, monkeypatch):
    """start_background_runner starts one daemon thread (a second call returns it) that keeps calling run_due,
    and survives a round that fails as a whole."""
    import threading

    rounds: list[str] = []
    three = threading.Event()

    def fake_run_due(*, now, holder=None):
        rounds.append(holder)
        if len(rounds) == 1:
            raise RuntimeError("database away for a moment")
        if len(rounds) >= 3:
            three.set()
        return {}

    monkeypatch.setattr(jobs, "run_due", fake_run_due)
    runner = jobs.start_background_runner(interval=0.01)
    try:
        assert jobs.start_background_runner(interval=0.01) is runner
        assert runner.thread.daemon and runner.thread.name == "gongzhi-jobs"
        assert three.wait(5)
    finally:
        jobs.stop_background_runner()
    assert not runner.thread.is_alive()
    assert len(set(rounds)) == 1  # one holder id for the thread's whole life
