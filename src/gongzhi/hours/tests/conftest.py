from __future__ import annotations

import pytest

from gongzhi.core.events import subscribe, unsubscribe
from gongzhi.hours.events import RECORD_ADDED

from .factories import activity_in, local, sign_up, volunteer_for


class Clock:
    def __init__(self, monkeypatch):
        self.at = None
        monkeypatch.setattr("gongzhi.core.clock.now", lambda: self.at)

    def set(self, *args):
        self.at = local(*args) if not hasattr(args[0], "tzinfo") else args[0]
        return self.at


@pytest.fixture
def clock(monkeypatch):
    """A clock the test moves by hand: ``clock.set(2026, 5, 9, 8, 40)`` (local time)."""
    c = Clock(monkeypatch)
    c.set(2026, 5, 9, 8, 0)
    return c


@pytest.fixture
def published():
    """Every ``hours.record_added`` payload published during the test, as (record, replaced)."""
    seen = []

    def handler(*, record, replaced, **_payload):
        seen.append((record, replaced))

    subscribe(RECORD_ADDED, handler)
    yield seen
    unsubscribe(RECORD_ADDED, handler)


@pytest.fixture
def scene(world, clock):
    """永兴社区's activity on 2026-05-09 09:00–12:00 with the world's volunteer account signed up and confirmed."""

    class Scene:
        w = world
        volunteer = volunteer_for(world, user=world.user("volunteer"))
        activity = activity_in(world.community_a, starts_at=local(2026, 5, 9, 9), ends_at=local(2026, 5, 9, 12))
        signup = None

    Scene.signup = sign_up(Scene.activity, Scene.volunteer)
    return Scene
