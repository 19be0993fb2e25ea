"""Capacity under concurrent enrolment (PostgreSQL): the session row lock never lets a session run over capacity."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from gongzhi.core.errors import DomainError
from gongzhi.training import services
from gongzhi.training.models import Enrolment, Session

from .conftest import active_volunteer, at

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # keeps migration-seeded rows for later tests
def test_parallel_enrolments_fill_exactly_the_capacity(world, course):
    """12 volunteers enrol at once in a session of 5 places: exactly 5 get in, 7 are told it is full."""
    session = services.session_create(course=course, actor=world.user("community"), starts_at=at(5),
                                      ends_at=at(5, 2), place="永兴社区党群服务中心", capacity=5)
    volunteers = [active_volunteer(world, f"并发{i}", world.community_a, seq=101 + 2 * i) for i in range(12)]
    worker = world.user("community")
    barrier = threading.Barrier(len(volunteers))
    outcomes: list[str] = []

    def enrol(v):
        try:
            barrier.wait()
            services.enrolment_create(session=Session.objects.get(pk=session.pk), volunteer=v, actor=worker)
            outcomes.append("ok")
        except DomainError as err:
            outcomes.append(err.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=enrol, args=(v,)) for v in volunteers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["ok"] * 5 + ["training.session_full"] * 7
    session.refresh_from_db()
    assert session.enrolled_count == 5 == Enrolment.objects.filter(session=session).count()
