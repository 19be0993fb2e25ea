"""``gongzhi serve`` as an operator runs it: a real gunicorn with several workers on a free loopback port, under the
production settings, serving health checks, pages and hashed static files, logging JSON lines with request ids,
running the periodic jobs in exactly one worker — and refusing to start over unapplied migrations."""

from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

GONGZHI = str(Path(sys.executable).with_name("gongzhi"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prod_env(var_dir: Path, **extra) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(GONGZHI_VAR_DIR=str(var_dir), DJANGO_SETTINGS_MODULE="gongzhi.settings.prod",
               SECRET_KEY=secrets.token_urlsafe(50), FIELD_ENCRYPTION_KEY=secrets.token_urlsafe(32),
               ALLOWED_HOSTS="127.0.0.1,localhost", LOG_LEVEL="INFO", PYTHONUNBUFFERED="1", **extra)
    return env


@pytest.fixture(scope="module")
def migrated_var(tmp_path_factory) -> Path:
    var = tmp_path_factory.mktemp("serve-var")
    subprocess.run([GONGZHI, "migrate", "-v0"], env=prod_env(var), check=True, timeout=300)
    return var


def get(port: int, path: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers={"Host": "127.0.0.1", **(headers or {})})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def server(migrated_var):
    port = free_port()
    log = open(migrated_var / "serve.log", "w+")  # noqa: SIM115 -- read by the tests while the server runs
    proc = subprocess.Popen([GONGZHI, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "3",
                             "--jobs-interval", "0.5"], env=prod_env(migrated_var), stdout=log,
                            stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 180  # collectstatic and the checks take a while on a loaded 2-core machine
    while time.monotonic() < deadline:
        try:
            if get(port, "/healthz")[0] == 200:
                break
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.2)
    else:
        proc.kill()
        proc.wait()
    if proc.poll() is not None:
        log.seek(0)
        pytest.fail(f"gongzhi serve did not start:\n{log.read()}")
    yield port, proc, migrated_var / "serve.log"
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


def log_lines(path: Path) -> list[dict]:
    out = []
    for line in path.read_text().splitlines():
        if line.startswith("{"):
            out.append(json.loads(line))
    return out


def wait_for(predicate, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    return predicate()


def test_health_and_readiness_answer_json_over_plain_http(server):
    port, _, _ = server
    status, headers, body = get(port, "/healthz")
    assert (status, json.loads(body)) == (200, {"status": "ok"})
    status, headers, body = get(port, "/readyz")
    assert status == 200
    assert json.loads(body) == {"status": "ready", "checks": {"database": "ok", "migrations": "ok",
                                                              "redis": "not configured",
                                                              "replica": "not configured"}}
    assert headers["content-type"] == "application/json"


def test_pages_redirect_to_https_and_serve_behind_a_tls_proxy(server):
    port, _, _ = server
    status, headers, _ = get(port, "/login/")
    assert status == 301 and headers["location"] == "https://127.0.0.1/login/"

    status, headers, body = get(port, "/login/", {"X-Forwarded-Proto": "https"})
    assert status == 200
    assert "max-age=31536000" in headers["strict-transport-security"]
    csp = headers["content-security-policy"]
    assert "script-src 'self'" in csp and "object-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert "content-security-policy-report-only" not in headers
    html = body.decode()
    hashed = re.search(r'src="(/static/vendor/htmx-2\.0\.11\.min\.[0-9a-f]{12}\.js)"', html)
    assert hashed, "static files are referenced by their hashed (manifest) names"

    status, headers, body = get(port, hashed.group(1), {"X-Forwarded-Proto": "https", "Accept-Encoding": "gzip"})
    assert status == 200 and headers.get("content-encoding") == "gzip"
    assert "immutable" in headers["cache-control"]


def test_request_id_is_echoed_or_generated_and_logged_as_one_json_line(server):
    port, _, log = server
    _, headers, _ = get(port, "/readyz", {"X-Request-ID": "lb-7f3a.42"})
    assert headers["x-request-id"] == "lb-7f3a.42"
    _, headers, _ = get(port, "/healthz", {"X-Request-ID": "bad id with spaces <script>"})
    generated = headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", generated)

    line = wait_for(lambda: next((entry for entry in log_lines(log) if entry["request_id"] == "lb-7f3a.42"), None))
    assert line["logger"] == "gongzhi.request"
    assert (line["method"], line["path"], line["status"], line["user_id"]) == ("GET", "/readyz", 200, None)
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert wait_for(lambda: any(entry["request_id"] == generated for entry in log_lines(log)))


def test_periodic_jobs_run_in_exactly_one_worker(server, migrated_var):
    _, _, log = server

    def runs():
        with sqlite3.connect(migrated_var / "gongzhi.sqlite3") as conn:
            return conn.execute("SELECT COUNT(*) FROM core_joblease WHERE runs > 0").fetchone()[0]

    assert wait_for(runs, timeout=30) > 0
    leaders = [entry for entry in log_lines(log) if entry["message"] == "periodic jobs run in this worker"]
    assert len(leaders) == 1


def test_serve_refuses_to_start_with_unapplied_migrations(tmp_path):
    done = subprocess.run([GONGZHI, "serve", "--bind", f"127.0.0.1:{free_port()}", "--workers", "1"],
                          env=prod_env(tmp_path), capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert "迁移尚未应用" in done.stderr and "gongzhi migrate" in done.stderr
    assert "Listening" not in done.stdout + done.stderr


def test_production_settings_name_every_missing_variable(tmp_path):
    env = prod_env(tmp_path)
    del env["SECRET_KEY"], env["ALLOWED_HOSTS"]
    done = subprocess.run([GONGZHI, "check"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "SECRET_KEY" in done.stderr and "ALLOWED_HOSTS" in done.stderr
    assert "FIELD_ENCRYPTION_KEY" not in done.stderr
    assert "Traceback" not in done.stderr


def _children(pid: int) -> set[int]:
    try:
        return {int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}
    except OSError:
        return set()


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parent-death signal is Linux's")
def test_workers_stop_when_the_master_is_killed_even_under_load(migrated_var):
    """Workers of a SIGKILLed master go within seconds though clients keep them busy (the soak saw orphans serve for
    minutes and keep the port from a restarted server); the port is free for the next server."""
    import threading

    port = free_port()
    proc = subprocess.Popen([GONGZHI, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2", "--no-jobs"],
                            env=prod_env(migrated_var), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert wait_for(lambda: _healthy(port), timeout=180), "gongzhi serve did not start"
        workers = wait_for(lambda: len(_children(proc.pid)) >= 2 and _children(proc.pid), timeout=30)
        stop = threading.Event()

        def hammer():
            while not stop.is_set():
                _healthy(port)

        clients = [threading.Thread(target=hammer, daemon=True) for _ in range(4)]
        for t in clients:
            t.start()
        time.sleep(1)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        gone = wait_for(lambda: not any(_alive(w) for w in workers), timeout=20)
        stop.set()
        for t in clients:
            t.join(15)
        assert gone, f"workers {sorted(w for w in workers if _alive(w))} outlived their master"
        with socket.socket() as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", port))
    finally:
        if proc.poll() is None:
            proc.kill()
        for w in _children(proc.pid):
            os.kill(w, signal.SIGKILL)


def _healthy(port: int) -> bool:
    try:
        return get(port, "/healthz")[0] == 200
    except OSError:
        return False
