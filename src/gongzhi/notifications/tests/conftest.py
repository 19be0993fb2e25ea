from __future__ import annotations

import datetime as dt

import pytest

from gongzhi.notifications.senders import MemorySender

T0 = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)

SENDERS = {
    "in_app": "gongzhi.notifications.senders.InAppSender",
    "log": "gongzhi.notifications.senders.LogSender",
    "memory": "gongzhi.notifications.senders.MemorySender",
}


class Clock:
    """A controllable ``gongzhi.core.clock.now``."""

    def __init__(self, start: dt.datetime):
        self.at = start

    def __call__(self) -> dt.datetime:
        return self.at

    def advance(self, **kwargs) -> dt.datetime:
        self.at += dt.timedelta(**kwargs)
        return self.at


@pytest.fixture
def clock(monkeypatch):
    c = Clock(T0)
    monkeypatch.setattr("gongzhi.core.clock.now", c)
    return c


@pytest.fixture
def memory(settings):
    """Route the ``memory`` channel to :class:`MemorySender` (reset before and after the test)."""
    settings.NOTIFICATION_SENDERS = SENDERS
    MemorySender.reset()
    yield MemorySender
    MemorySender.reset()
