"""Health checks, request ids and the JSON log line, the body cap, and ``check --deploy`` under production settings."""

from __future__ import annotations

import importlib
import json
import logging
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import OperationalError
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from gongzhi.ops import readiness
from gongzhi.ops.logs import JsonFormatter, RequestIdFilter
from gongzhi.ops.middleware import RequestLogMiddleware


@pytest.fixture
def json_log():
    """Records of the ``gongzhi.request`` logger and any other, formatted as the production handler does."""
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record):
            lines.append(self.format(record))

    handler = Collect()
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    loggers = [logging.getLogger("gongzhi.request"), logging.getLogger("gongzhi.ops.tests")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
        lg.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in lines]
    for lg, level in zip(loggers, levels, strict=True):
        lg.removeHandler(handler)
        lg.setLevel(level)


def test_healthz_needs_no_login_and_no_database(client, django_assert_num_queries, db):
    with django_assert_num_queries(0):
        resp = client.get("/healthz")
    assert resp.status_code == 200 and resp.json() == {"status": "ok"}
    assert resp["Cache-Control"].startswith("max-age=0")


def test_readyz_is_ready_when_the_database_answers_and_migrations_are_applied(client, db):
    resp = client.get("/readyz")
    assert resp.status_code == 200
    assert resp.json() == {"status": "ready", "checks": {"database": "ok", "migrations": "ok",
                                                         "redis": "not configured",
                                                         "replica": "not configured"}}


def test_readyz_is_unavailable_with_unapplied_migrations(client, db, monkeypatch):
    monkeypatch.setattr(readiness, "_migrations_ok_at", 0.0)
    monkeypatch.setattr(readiness, "unapplied_migrations", lambda using="default": ["people.0099_new"])
    resp = client.get("/readyz")
    assert resp.status_code == 503
    assert resp.json()["checks"]["migrations"] == "1 unapplied"


def test_readyz_names_a_failing_database_without_its_message(client, db, monkeypatch):
    def down(using="default"):
        raise OperationalError("connection to server at 10.1.2.3 failed: password for gongzhi_prod")

    monkeypatch.setitem(readiness.CHECKS, "database", down)
    resp = client.get("/readyz")
    assert resp.status_code == 503
    assert resp.json()["checks"]["database"] == "error: OperationalError"
    assert b"10.1.2.3" not in resp.content and b"password" not in resp.content


def test_readyz_checks_redis_when_configured(client, db, monkeypatch):
    monkeypatch.setitem(sys.modules, "redis", None)  # the optional package absent: not ready, and says why
    with override_settings(REDIS_URL="redis://127.0.0.1:1/0"):
        resp = client.get("/readyz")
    assert resp.status_code == 503
    assert resp.json()["checks"]["redis"] == "redis package not installed"


def test_readyz_answers_only_get(client, db):
    assert client.post("/readyz").status_code == 405


def test_a_sane_request_id_is_echoed_and_logged_with_the_request(client, db, json_log, world):
    client.force_login(world.user("community"))
    resp = client.get("/healthz", HTTP_X_REQUEST_ID="proxy-1234")
    assert resp["X-Request-ID"] == "proxy-1234"
    [line] = [entry for entry in json_log() if entry["logger"] == "gongzhi.request"]
    assert line["request_id"] == "proxy-1234"
    assert (line["method"], line["path"], line["status"]) == ("GET", "/healthz", 200)
    assert line["user_id"] == world.user("community").pk
    assert line["duration_ms"] >= 0


def test_the_logged_path_leaves_out_the_query_string(client, db, json_log):
    client.get("/healthz?phone=13800000000")
    [line] = json_log()
    assert line["path"] == "/healthz" and "13800000000" not in json.dumps(line)


def test_an_insane_request_id_is_replaced_by_a_generated_one(client, db):
    resp = client.get("/healthz", HTTP_X_REQUEST_ID="x" * 200)
    assert len(resp["X-Request-ID"]) == 32 and resp["X-Request-ID"] != "x" * 200
    assert client.get("/healthz")["X-Request-ID"] != resp["X-Request-ID"]


def test_error_logs_during_a_request_carry_its_request_id(json_log):
    def view(request):
        try:
            raise ValueError("boom")
        except ValueError:
            logging.getLogger("gongzhi.ops.tests").exception("the view failed")
        return HttpResponse(status=500)

    RequestLogMiddleware(view)(RequestFactory().get("/x", HTTP_X_REQUEST_ID="req-err-1"))
    error, access = json_log()
    assert (error["level"], error["request_id"], error["message"]) == ("ERROR", "req-err-1", "the view failed")
    assert "ValueError: boom" in error["exc"]
    assert (access["request_id"], access["status"]) == ("req-err-1", 500)


@override_settings(MAX_REQUEST_BYTES=1024)
def test_a_body_over_the_limit_is_refused_before_it_is_read(client, db):
    resp = client.post("/api/v1/me/tokens", data=b"x" * 2048, content_type="application/json")
    assert resp.status_code == 413
    assert resp.json()["code"] == "too_large" and resp.json()["detail"] == {"max_bytes": 1024}
    page = client.post("/login/", data=b"x" * 2048, content_type="application/x-www-form-urlencoded")
    assert page.status_code == 413 and "上传内容过大" in page.content.decode()


def test_pages_carry_a_content_security_policy(client, db):
    resp = client.get("/login/")
    header = "Content-Security-Policy" if settings.CONTENT_SECURITY_POLICY else "Content-Security-Policy-Report-Only"
    assert "object-src 'none'" in resp[header]


PROD_ENV = {"SECRET_KEY": "k" * 10 + "-a-long-and-random-enough-production-secret-key-0123456789",
            "FIELD_ENCRYPTION_KEY": "field-key-for-the-test", "ALLOWED_HOSTS": "gongzhi.example.gov.cn"}


def _prod_settings(monkeypatch) -> dict:
    for name, value in PROD_ENV.items():
        monkeypatch.setenv(name, value)
    base = sys.modules.pop("gongzhi.settings.base")  # re-read under this environment, then put back
    sys.modules.pop("gongzhi.settings.prod", None)
    try:
        module = importlib.import_module("gongzhi.settings.prod")
    finally:
        sys.modules.pop("gongzhi.settings.prod", None)
        sys.modules["gongzhi.settings.base"] = base
    return {k: getattr(module, k) for k in dir(module) if k.isupper()}


def test_check_deploy_is_clean_under_production_settings(monkeypatch, db):
    prod = _prod_settings(monkeypatch)
    assert prod["DEBUG"] is False and prod["ALLOWED_HOSTS"] == ["gongzhi.example.gov.cn"]
    assert prod["CONTENT_SECURITY_POLICY"] and not prod["CONTENT_SECURITY_POLICY_REPORT_ONLY"]
    keep = {"DATABASES", "INSTALLED_APPS", "MIDDLEWARE", "STORAGES", "LOGGING", "TEMPLATES", "CACHES"}
    changed = {k: v for k, v in prod.items() if k not in keep and getattr(settings, k, object()) != v}
    with override_settings(**changed, MIDDLEWARE=prod["MIDDLEWARE"], INSTALLED_APPS=prod["INSTALLED_APPS"]):
        call_command("check", deploy=True, fail_level="WARNING")  # raises SystemCheckError on any warning


def test_production_settings_refuse_to_load_without_their_secrets(monkeypatch):
    for name in PROD_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ALLOWED_HOSTS", "gongzhi.example.gov.cn")
    sys.modules.pop("gongzhi.settings.prod", None)
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY .*FIELD_ENCRYPTION_KEY") as refused:
        importlib.import_module("gongzhi.settings.prod")
    sys.modules.pop("gongzhi.settings.prod", None)
    assert "ALLOWED_HOSTS" not in str(refused.value)
