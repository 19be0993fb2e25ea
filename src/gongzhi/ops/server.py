"""The production server behind ``gongzhi serve``: gunicorn, run in this process, serving the Django application.

The application is loaded once in the gunicorn master (``preload_app``) and forked into the workers. With jobs on,
every worker tries to take an exclusive lock on ``var/jobs.lock``; the one that gets it runs the periodic jobs
(:func:`gongzhi.core.jobs.start_background_runner`) and keeps the lock until it exits, when another worker takes
over within one interval. So the embedded default needs no extra process for jobs, and a machine runs one job
runner however many workers it has; across machines the job leases keep each job to one runner.
"""

from __future__ import annotations

import fcntl
import logging
import os
import signal
import sys
import threading
from pathlib import Path

from gunicorn.app.base import BaseApplication

logger = logging.getLogger(__name__)


def default_workers() -> int:
    """gunicorn's rule of thumb: two per core plus one."""
    return 2 * (os.cpu_count() or 1) + 1


_lock_file = None  # held open for the life of the worker that runs the jobs


def _take_jobs_lock_then_run(lock_path: Path, interval: float) -> None:
    global _lock_file
    handle = open(lock_path, "a+")  # noqa: SIM115 -- kept open on purpose: the open file is the lock
    stop = threading.Event()
    while not stop.is_set():
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            stop.wait(interval)
            continue
        _lock_file = handle
        from gongzhi.core import jobs

        logger.info("periodic jobs run in this worker", extra={"pid": os.getpid()})
        jobs.start_background_runner(interval=interval)
        return


def start_jobs_contender(lock_path: Path, interval: float) -> threading.Thread:
    thread = threading.Thread(target=_take_jobs_lock_then_run, args=(lock_path, interval), daemon=True,
                              name="gongzhi-jobs-lock")
    thread.start()
    return thread


def die_with_the_master(server, worker) -> None:
    """gunicorn's post_fork hook: a sync worker looks for its parent only between requests, so one whose master was
    SIGKILLed kept serving — and holding the port a restarted server needs — for minutes under load (found by the
    soak). The kernel sends it SIGTERM (gunicorn's graceful stop: finish the request, exit) when the master dies."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)
    if os.getppid() != server.pid:  # the master died between fork and prctl
        os.kill(os.getpid(), signal.SIGTERM)


class GongzhiServer(BaseApplication):
    def __init__(self, options: dict, *, jobs_lock: Path | None, jobs_interval: float):
        self.options = options
        self.jobs_lock = jobs_lock
        self.jobs_interval = jobs_interval
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            if value is not None:
                self.cfg.set(key, value)
        self.cfg.set("post_fork", die_with_the_master)
        if self.jobs_lock is not None:
            lock, interval = self.jobs_lock, self.jobs_interval
            self.cfg.set("post_worker_init", lambda worker: start_jobs_contender(lock, interval))

    def load(self):
        from django.core.wsgi import get_wsgi_application

        return get_wsgi_application()
