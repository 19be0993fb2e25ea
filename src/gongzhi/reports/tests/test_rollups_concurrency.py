"""Concurrent writers on PostgreSQL: parallel transactions recording service for the same units and volunteers
leave the rollups equal to a recomputation (no lost updates, no duplicate rows, no deadlock)."""

from __future__ import annotations

import os
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections, transaction

from gongzhi.hours.models import ServiceRecord
from gongzhi.reports import rollups
from gongzhi.reports.models import Rollup

pytestmark = [
    pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"),
                       reason="row locks and concurrent upserts are a PostgreSQL matter (SQLite has one writer)"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_parallel_records_are_all_counted(world, facts):
    assert connection.vendor == "postgresql"
    vols = [facts.volunteer(n, world.community_a) for n in ("甲", "乙", "丙", "丁")]
    a = facts.activity(world.grid_a)
    b = facts.activity(world.community_a2)
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def work(i: int) -> None:
        try:
            barrier.wait()
            for n in range(6):
                with transaction.atomic():
                    facts.record(a if (i + n) % 2 else b, vols[(i + n) % 4], "1.5")
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert ServiceRecord.objects.count() == 24
    top = Rollup.objects.get(unit_path=world.district.path, grain="a", category="")
    assert (top.records, top.hours, top.volunteers, top.participations) == (24, Decimal("36"), 4, 4)  # pairs: a×{乙,丁}, b×{甲,丙}
    assert rollups.check() == []
