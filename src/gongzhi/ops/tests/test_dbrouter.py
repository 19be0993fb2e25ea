"""The read-replica router's decisions: which reads may be seconds stale (the figures) and when the primary answers
instead (transactions, one's own writes, auth, a replica that is down or lagging). The replica here is a second
connection to the test database; ``test_replica_pg.py`` repeats the important parts with a real streaming replica."""

from __future__ import annotations

import copy
import json
import logging
import math

import pytest
from django.contrib.sessions.models import Session
from django.db import OperationalError, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gongzhi.accounts.models import RoleAssignment, User
from gongzhi.core import clock
from gongzhi.ops import dbrouter
from gongzhi.ops.dbrouter import REPLICA, ReplicaRouter, reading_from_replica
from gongzhi.ops.logs import JsonFormatter
from gongzhi.org.models import Unit
from gongzhi.reports.models import Rollup

router = ReplicaRouter()


@pytest.fixture
def replica(db, settings, monkeypatch):
    """A ``replica`` alias over the test database (as ``DATABASE_REPLICA_URL`` adds one), healthy unless told."""
    config = copy.deepcopy(connections["default"].settings_dict)
    config["TEST"] = {**config.get("TEST", {}), "MIRROR": "default"}
    connections.settings[REPLICA] = config
    settings.DATABASES[REPLICA] = config  # in place: the router asks settings whether a replica exists
    connections[REPLICA].connect()  # opened here: the test case only lets connections it knew of be opened
    lag = {"value": 0.0}

    def measure(alias=REPLICA):
        if isinstance(lag["value"], Exception):
            raise lag["value"]
        return lag["value"]

    monkeypatch.setattr(dbrouter, "measure_lag", measure)
    dbrouter.forget_replica_state()
    yield lag
    dbrouter.forget_replica_state()
    if hasattr(connections._connections, REPLICA):
        getattr(connections._connections, REPLICA).close()
        delattr(connections._connections, REPLICA)
    connections.settings.pop(REPLICA, None)
    settings.DATABASES.pop(REPLICA, None)  # often the very same dict


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


def test_reads_outside_a_replica_block_go_to_the_primary(replica, db):
    """Only reads wrapped in reading_from_replica() may be stale; an ordinary page reads the primary."""
    assert router.db_for_read(Rollup) == "default"
    assert router.db_for_read(Unit) == "default"


def test_figures_read_in_a_replica_block_go_to_a_healthy_replica(replica, db):
    with reading_from_replica() as reads:
        assert router.db_for_read(Rollup) == REPLICA
        assert router.db_for_read(Unit) == REPLICA
    assert reads.served_by == REPLICA
    assert router.db_for_read(Rollup) == "default"  # the block is over


@pytest.mark.parametrize("model", [User, RoleAssignment, Session])
def test_auth_sessions_and_roles_are_always_read_from_the_primary(replica, db, model):
    """A revoked role or an ended session must not live on for the replica's lag."""
    with reading_from_replica():
        assert router.db_for_read(model) == "default"


def test_a_read_after_the_blocks_own_write_goes_to_the_primary(replica, db):
    with reading_from_replica() as reads:
        assert router.db_for_read(Rollup) == REPLICA
        assert router.db_for_write(Unit) == "default"  # writes only ever go to the primary
        assert router.db_for_read(Rollup) == "default"
    assert reads.wrote


def test_reads_inside_a_transaction_go_to_the_primary(replica, db):
    """A transaction must see its own snapshot and rows; a block opened inside one does not even ask the replica."""
    with reading_from_replica():
        with transaction.atomic():
            assert router.db_for_read(Rollup) == "default"
        assert router.db_for_read(Rollup) == REPLICA
    replica["value"] = OperationalError("must not be asked")
    dbrouter.forget_replica_state()
    with transaction.atomic(), reading_from_replica() as reads:
        assert reads.alias is None and router.db_for_read(Rollup) == "default"


def test_a_replica_lagging_beyond_the_bound_is_skipped_until_it_catches_up(replica, db, settings):
    settings.DATABASE_REPLICA_MAX_LAG = 30
    replica["value"] = 120.0
    with reading_from_replica() as reads:
        assert router.db_for_read(Rollup) == "default"
    assert reads.served_by == "default"
    assert dbrouter.replica_state().status == "lagging 120.0 s"

    replica["value"] = 0.0  # caught up, but the verdict is kept for DATABASE_REPLICA_CHECK_SECONDS
    with reading_from_replica():
        assert router.db_for_read(Rollup) == "default"
    dbrouter.forget_replica_state()
    with reading_from_replica():
        assert router.db_for_read(Rollup) == REPLICA

    replica["value"] = math.inf  # never replayed anything
    assert dbrouter.replica_state(fresh=True).status == "lagging"


def test_a_replica_that_is_down_or_not_a_standby_is_skipped(replica, db):
    replica["value"] = OperationalError("connection refused")
    with reading_from_replica():
        assert router.db_for_read(Rollup) == "default"
    assert dbrouter.replica_state().status == "down: OperationalError"
    replica["value"] = dbrouter.NotAStandby(REPLICA)
    assert dbrouter.replica_state(fresh=True).status == "not in recovery"
    assert not dbrouter.replica_state().usable


def test_without_a_replica_every_read_goes_to_the_primary(db):
    assert dbrouter.replica_state().status == "not configured"
    with reading_from_replica() as reads:
        assert router.db_for_read(Rollup) == "default"
    assert reads.alias is None


def test_migrations_never_run_on_the_replica():
    assert router.allow_migrate(REPLICA, "reports", model_name="rollup") is False
    assert router.allow_migrate("default", "reports", model_name="rollup") is True


def test_readyz_names_the_replicas_state_and_stays_ready_without_it(replica, client, db):
    """A lagging or dead replica only moves the figures to the primary: app processes stay in the load balancer."""
    assert client.get("/readyz").json()["checks"]["replica"] == "ok"
    replica["value"] = 75.5
    dbrouter.forget_replica_state()
    resp = client.get("/readyz")
    assert resp.status_code == 200 and resp.json()["checks"]["replica"] == "lagging 75.5 s"
    replica["value"] = OperationalError("could not connect to server at 10.0.0.9")
    dbrouter.forget_replica_state()
    resp = client.get("/readyz")
    assert resp.status_code == 200 and resp.json()["checks"]["replica"] == "down: OperationalError"
    assert b"10.0.0.9" not in resp.content


@pytest.mark.django_db(transaction=True)
def test_the_dashboard_page_and_api_read_their_figures_from_the_replica(world, replica, browser_login, api,
                                                                       access_log):
    """Rollups and units come over the replica's connection, login and roles over the primary's; the access log
    names the database that served the figures."""
    client = browser_login("district")
    with CaptureQueriesContext(connections[REPLICA]) as on_replica, \
            CaptureQueriesContext(connections["default"]) as on_primary:
        resp = client.get(reverse("reports:dashboard"), {"unit": world.district.pk, "period": "2025"})
    assert resp.status_code == 200 and "钢城区 · 2025年志愿服务统计" in resp.content.decode()
    replica_sql = " ".join(q["sql"] for q in on_replica.captured_queries)
    primary_sql = " ".join(q["sql"] for q in on_primary.captured_queries)
    assert "reports_rollup" in replica_sql and "org_unit" in replica_sql
    assert "reports_rollup" not in primary_sql
    assert "django_session" in primary_sql and "accounts_roleassignment" in primary_sql
    assert "django_session" not in replica_sql and "accounts_roleassignment" not in replica_sql

    resp = api("district").get("reports/dashboard", unit_id=world.district.pk, period="2025")
    assert resp.status_code == 200 and resp.json()["unit"]["name"] == "钢城区"
    served = [(line["path"], line.get("db_read")) for line in access_log()]
    assert served == [("/reports/", REPLICA), ("/api/v1/reports/dashboard", REPLICA)]


@pytest.mark.django_db(transaction=True)
def test_a_replica_failing_mid_request_is_answered_from_the_primary(world, replica, api, access_log):
    """The replica looked healthy when the request began and fails on its first query: the same request is
    answered from the primary, and the next one does not try the replica until it is checked again."""
    client = api("district")
    assert dbrouter.replica_state().usable

    def refuse(execute, sql, params, many, context):
        raise OperationalError("server closed the connection unexpectedly")

    replica["value"] = OperationalError("connection refused")  # the fresh check after the failure finds it down
    with connections[REPLICA].execute_wrapper(refuse):
        resp = client.get("reports/dashboard", unit_id=world.district.pk, period="2025")
    assert resp.status_code == 200 and resp.json()["unit"]["name"] == "钢城区"
    assert dbrouter.replica_state().status == "down: OperationalError"
    resp = client.get("reports/teams")
    assert resp.status_code == 200
    assert [line.get("db_read") for line in access_log()] == ["default", "default"]


@pytest.mark.django_db(transaction=True)
def test_the_public_figures_read_from_the_replica_too(world, replica, client, access_log):
    """The no-login pages that anyone may hammer (公开诉求 map and figures, the monthly points board) are figures that
    may be seconds stale: they read from the replica and never load the primary."""
    month = clock.today().strftime("%Y-%m")
    urls = [reverse("appeals:public"), "/api/v1/public/appeals", "/api/v1/public/appeals/figures",
            reverse("points:board", args=[world.community_a.code, month]),
            f"/api/v1/points/board/{world.community_a.code}/{month}"]
    for url in urls:
        with CaptureQueriesContext(connections[REPLICA]) as on_replica:
            assert client.get(url).status_code == 200, url
        assert "org_unit" in " ".join(q["sql"] for q in on_replica.captured_queries), url
    assert [line.get("db_read") for line in access_log()] == [REPLICA] * len(urls)
