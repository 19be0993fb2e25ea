"""Concurrent proposals (PostgreSQL): 20 workers propose the same need ↔ resource at once; exactly one live match."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from gongzhi.core.errors import DomainError
from gongzhi.matching import services
from gongzhi.matching.models import Match, MatchEvent, Need, Resource

pytestmark = [pytest.mark.postgres_only,
              pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")]

THREADS = 20


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # keeps migration-seeded service kinds
def test_parallel_proposals_make_one_match(world, lists):
    need, res = lists.need(), lists.resource()
    actor = world.user("district")
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []

    def run():
        try:
            barrier.wait()
            services.match_propose(need=Need.objects.get(pk=need.pk), resource=Resource.objects.get(pk=res.pk),
                                   actor=actor)
            outcomes.append("ok")
        except DomainError as err:
            outcomes.append(err.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(outcomes) == ["matching.already_matched"] * (THREADS - 1) + ["ok"]
    assert Match.objects.count() == 1 and MatchEvent.objects.count() == 1
