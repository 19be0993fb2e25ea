"""The figures from a real streaming replica: a standby made with ``pg_basebackup -R`` from the test run's own
PostgreSQL, on another loopback port. A write through the app arrives on the standby and the dashboard is read from
it (the connection is in recovery); with replay paused the page shows the standby's stale figures until the lag
passes the bound, then the primary's; with the standby stopped the same request is answered from the primary."""

from __future__ import annotations

import copy
import json
import logging
import shutil
import time

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gongzhi.ops import dbrouter
from gongzhi.ops.dbrouter import REPLICA
from gongzhi.ops.logs import JsonFormatter
from gongzhi.org.models import Unit

from . import pgcluster

STANDBY_PORT = 54347  # this suite's own loopback port for the standby (the primary is scripts/pgtest.sh's)
# the other test worker's open transactions can hold the standby's first snapshot back (see pgcluster.start)
STANDBY_READY_WAIT = 420

pytestmark = [pytest.mark.postgres_only,
              pytest.mark.django_db(transaction=True, databases=["default", REPLICA])]


@pytest.fixture(scope="module")
def standby(django_db_setup):
    """The ``replica`` alias on a hot standby of the test database's server (added before any test case starts,
    so the cases may open and reopen its connection)."""
    primary = connections["default"].settings_dict
    if connections["default"].vendor != "postgresql":
        pytest.skip("a streaming replica needs PostgreSQL as the primary (scripts/pgtest.sh)")
    if pgcluster.bindir() is None:
        pytest.skip("PostgreSQL server binaries not found")
    root = pgcluster.workdir("gongzhi-standby-")
    data = root / "data"
    pgcluster.basebackup(data, host=primary["HOST"] or "127.0.0.1", port=int(primary["PORT"] or 5432),
                         user=primary["USER"])
    pgcluster.start(data, port=STANDBY_PORT, sockets=root, log=root / "log", wait=STANDBY_READY_WAIT)
    config = copy.deepcopy(primary)
    config.update(HOST="127.0.0.1", PORT=str(STANDBY_PORT), CONN_MAX_AGE=0,
                  OPTIONS={**config.get("OPTIONS", {}), "connect_timeout": 2})
    config["TEST"] = {**config.get("TEST", {}), "MIRROR": "default"}
    connections.settings[REPLICA] = config
    yield data
    pgcluster.stop(data, mode="immediate")
    shutil.rmtree(root, ignore_errors=True)
    connections[REPLICA].close()
    connections.settings.pop(REPLICA, None)
    dbrouter.forget_replica_state()


@pytest.fixture
def access_log():
    records: list[logging.LogRecord] = []

    class Collect(logging.Handler):
        def emit(self, record):
            records.append(record)

    logger = logging.getLogger("gongzhi.request")
    handler, level = Collect(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield lambda: [json.loads(JsonFormatter().format(r)) for r in records]
    logger.removeHandler(handler)
    logger.setLevel(level)


def on_replica(sql: str, params=()):
    with connections[REPLICA].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def arrives(code: str) -> bool:
    return pgcluster.wait_until(lambda: Unit.objects.using(REPLICA).filter(code=code).exists(), timeout=20)


def test_reports_read_a_streaming_replica_and_fall_back_to_the_primary(world, standby, browser_login, api,
                                                                        access_log, settings):
    settings.DATABASE_REPLICA_MAX_LAG = 60
    dbrouter.forget_replica_state()
    assert on_replica("SELECT pg_is_in_recovery()") is True

    # a write on the primary through the app arrives on the standby
    district = api("district")
    resp = district.post("units", {"code": "370117003", "name": "颜庄街道", "kind": "street",
                                       "parent_id": world.district.pk})
    assert resp.status_code == 201
    assert arrives("370117003")
    assert dbrouter.measure_lag() < 60  # 0 once it has replayed everything; other test workers may be writing

    # the dashboard's figures come over the standby's connection (in recovery), the login over the primary's
    page = browser_login("district")
    dashboard = (reverse("reports:dashboard"), {"unit": world.district.pk})
    with CaptureQueriesContext(connections[REPLICA]) as replica_queries:
        html = page.get(*dashboard).content.decode()
    assert "颜庄街道" in html
    assert any("reports_rollup" in q["sql"] for q in replica_queries.captured_queries)
    assert on_replica("SELECT pg_is_in_recovery()") is True
    assert access_log()[-1]["db_read"] == REPLICA

    # replay paused: within the bound the page is the standby's (stale: the new street is not there yet) ...
    on_replica("SELECT pg_wal_replay_pause()::text")
    resp = district.post("units", {"code": "370117004", "name": "辛庄街道", "kind": "street",
                                       "parent_id": world.district.pk})
    assert resp.status_code == 201
    time.sleep(1.2)
    dbrouter.forget_replica_state()
    html = page.get(*dashboard).content.decode()
    assert "颜庄街道" in html and "辛庄街道" not in html
    assert access_log()[-1]["db_read"] == REPLICA

    # ... and beyond it the primary's, while /readyz names the lag and stays ready
    settings.DATABASE_REPLICA_MAX_LAG = 1
    dbrouter.forget_replica_state()
    html = page.get(*dashboard).content.decode()
    assert "辛庄街道" in html
    assert access_log()[-1]["db_read"] == "default"
    ready = page.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"]["replica"].startswith("lagging ")

    # replay resumed: caught up, the standby serves again
    on_replica("SELECT pg_wal_replay_resume()::text")
    assert arrives("370117004")
    settings.DATABASE_REPLICA_MAX_LAG = 60
    dbrouter.forget_replica_state()
    assert "辛庄街道" in page.get(*dashboard).content.decode()
    assert access_log()[-1]["db_read"] == REPLICA

    # standby stopped while believed healthy: the request that finds it gone is answered from the primary
    pgcluster.stop(standby)
    resp = district.get("reports/dashboard", unit_id=world.district.pk)
    assert resp.status_code == 200 and resp.json()["unit"]["name"] == "钢城区"
    assert access_log()[-1]["db_read"] == "default"
    ready = page.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"]["replica"] == "down: OperationalError"
    assert page.get(*dashboard).status_code == 200
    assert access_log()[-1]["db_read"] == "default"
