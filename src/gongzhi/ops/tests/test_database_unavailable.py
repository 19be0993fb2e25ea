"""A database that goes away under a request (a restart or fail-over cutting the connection, SQLite locked past its
timeout) answers 503 with a Chinese message, the code ``service_unavailable`` and ``Retry-After`` — never a 500 —
and keeps nothing of the request; the retry after it is served normally. (The cut *between* requests costs nothing
at all: ``reliability/test_fault_injection.py`` cuts real PostgreSQL connections.)"""

from __future__ import annotations

import contextlib

import pytest
from django.db import InterfaceError, OperationalError, connection
from django.test.utils import CaptureQueriesContext

from gongzhi.points.models import PointsTransaction
from gongzhi.points.tests.factories import adopt

pytestmark = pytest.mark.django_db


@contextlib.contextmanager
def database_gone(error=OperationalError, after: int = 0):
    """Every statement after the first ``after`` fails as a cut connection does (savepoint statements excepted: the
    test's own transaction must survive to look at what was kept)."""
    seen = {"n": 0}

    def fail(execute, sql, params, many, context):
        seen["n"] += 1
        if seen["n"] > after and not sql.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            raise error("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(fail):
        yield seen


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_an_api_request_whose_database_went_away_is_a_503_to_retry(api, error):
    client = api("community")
    with database_gone(error):
        response = client.get("me")
    assert response.status_code == 503
    assert response["Retry-After"] == "1"
    assert response.json() == {"code": "service_unavailable", "message": "数据库暂时不可用，请稍后重试", "detail": None}
    assert client.get("me").status_code == 200  # the retry


def test_a_write_cut_halfway_keeps_nothing_and_its_retry_with_the_same_key_is_saved_once(api, world):
    adopt(world)
    client = api("community")
    body = {"person_id": world.people["resident"].pk, "reason": "主动清扫楼道", "idempotency_key": "first"}
    with CaptureQueriesContext(connection) as first:
        assert client.post("points/awards", body).status_code == 201
    writes = [i for i, q in enumerate(first.captured_queries) if q["sql"].startswith(("INSERT", "UPDATE"))]
    before = PointsTransaction.objects.count()
    body["idempotency_key"] = "cut"
    with database_gone(after=writes[1]):  # the transaction row is written, the balances are not
        response = client.post("points/awards", body)
    assert response.status_code == 503, response.content
    assert response.json()["code"] == "service_unavailable"
    assert PointsTransaction.objects.count() == before
    assert client.post("points/awards", body).status_code == 201
    assert client.post("points/awards", body).status_code in (200, 201)
    assert PointsTransaction.objects.count() == before + 1


def test_a_page_whose_database_went_away_is_a_503_page(browser_login):
    client = browser_login("community")
    with database_gone(after=2):
        response = client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "1"
    assert "数据库暂时不可用，请稍后重试" in response.content.decode()


def test_a_database_failing_outside_the_view_is_still_a_503(client, monkeypatch):
    """A middleware's own query after the view (saving the session): Django's last-resort handler answers 503 too,
    for pages and for the API."""
    from django.contrib.sessions.middleware import SessionMiddleware

    def gone(self, request, response):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(SessionMiddleware, "process_response", gone)
    client.raise_request_exception = False
    page = client.get("/login/")
    assert page.status_code == 503 and page["Retry-After"] == "1"
    assert "数据库暂时不可用，请稍后重试" in page.content.decode()
    api = client.get("/api/v1/me")
    assert api.status_code == 503 and api.json()["code"] == "service_unavailable"
