"""Periodic jobs: apps register what must run every so often; one runner runs what is due.

An app registers in its ``AppConfig.ready``::

    jobs.register("activities.reminders", every=dt.timedelta(minutes=5), fn=reminders_send)

``fn(now)`` does its own work in its own transactions and returns a count (for logs). The runner (``gongzhi jobs``)
works in the embedded default with no extra server and takes a lease per job so that several app processes never
run the same job at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass


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
