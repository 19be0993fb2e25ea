from __future__ import annotations

import datetime as dt

import pytest

from gongzhi.core import clock

from .factories import active_volunteer

NOW = dt.datetime(2026, 1, 10, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def frozen(monkeypatch):
    """The clock stands at 2026-01-10 (Asia/Shanghai), after the 2025 service year."""
    monkeypatch.setattr(clock, "now", lambda: NOW)
    return NOW


@pytest.fixture
def vol(world, frozen):
    """亓晓雯: an active volunteer of 永兴社区 who logs in as the world's "volunteer" user."""
    return active_volunteer(world, "亓晓雯", world.community_a, seq=51, user=world.user("volunteer"))
