"""The README's "Deploying" section, followed as written: every ```sh block tagged ``<!-- deploy-test: NAME -->`` is
run with its placeholders replaced (addresses by loopback ports, paths by temporary directories, secrets by fresh
ones) — a PostgreSQL database and a streaming replica, ``gongzhi migrate`` and ``setup``, ``gongzhi serve`` on two
"machines" (each its own var directory), a backup — and a smoke flow goes through both app processes: readiness,
a session login with CSRF on one, a write there, the same session reading it on the other, the dashboard served from
the replica (the access log's ``db_read``), every periodic job run exactly once between the two, and the figures
still answering from the primary once the replica is stopped.

The PostgreSQL server itself is this test's to provide (``initdb``; a real one is installed by the distribution);
without its binaries the test is skipped. Without ``redis-server`` (and the ``redis`` package) the block's
``REDIS_URL`` line is left out (`.ci/run` installs both, so CI runs the Redis branch).
"""

from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tarfile
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest

from gongzhi.core import jobs

from . import pgcluster
from .test_serve import free_port, log_lines, wait_for

README = Path(__file__).resolve().parents[4] / "README.md"
PRIMARY_PORT, STANDBY_PORT = 54348, 54349  # this suite's own loopback ports
TAGS = ("env", "database", "replica", "app", "backup")
ADMIN_PASSWORD = "Gz-" + secrets.token_urlsafe(12)


def deploy_blocks(text: str) -> dict[str, str]:
    """``{tag: commands}`` of the tagged ```sh blocks of the "Deploying" section."""
    start = text.index("\n## Deploying\n")
    end = text.find("\n## ", start + 1)
    section = text[start:end if end > 0 else None]
    blocks = {}
    for match in re.finditer(r"<!-- deploy-test: ([\w-]+) -->\n```sh\n(.*?)```", section, re.S):
        assert match[1] not in blocks, f"two README blocks tagged {match[1]}"
        blocks[match[1]] = match[2]
    return blocks


def test_the_readme_tags_every_deployment_step():
    """Cheap, everywhere: an edit of the README that drops a step fails here, not only where PostgreSQL runs."""
    blocks = deploy_blocks(README.read_text())
    assert set(blocks) == set(TAGS)
    assert [line for line in blocks["app"].splitlines() if line.startswith("gongzhi serve ")], "no serve line"


class Browser:
    """One user agent with its cookies, talking to whichever app process (as a load balancer would send it)."""

    def __init__(self):
        self.cookies: dict[str, str] = {}

    def request(self, port: int, method: str, path: str, *, body: bytes | None = None,
                headers: dict | None = None) -> tuple[int, dict, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        sent = {"Host": "127.0.0.1", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            conn.request(method, path, body=body, headers=sent)
            resp = conn.getresponse()
            data = resp.read()
            for value in resp.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(value).items():
                    self.cookies[name] = morsel.value
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data
        finally:
            conn.close()

    def get(self, port: int, path: str):
        return self.request(port, "GET", path)

    def post_json(self, port: int, path: str, payload: dict):
        return self.request(port, "POST", path, body=json.dumps(payload).encode(),
                            headers={"Content-Type": "application/json", "X-CSRFToken": self.cookies["csrftoken"]})

    def login(self, port: int, username: str, password: str) -> int:
        _, _, page = self.get(port, "/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1].decode()
        form = urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token}).encode()
        status, _, _ = self.request(port, "POST", "/login/", body=form,
                                    headers={"Content-Type": "application/x-www-form-urlencoded"})
        return status


class Deployment:
    def __init__(self, root: Path):
        self.root = root
        self.pg = root / "pg"
        self.procs: list[subprocess.Popen] = []
        self.logs: list[Path] = []
        self.redis: subprocess.Popen | None = None
        bindir = pgcluster.bindir()
        self.env = {k: v for k, v in os.environ.items()
                    if k not in {"DATABASE_URL", "DATABASE_REPLICA_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE",
                                 "GONGZHI_VAR_DIR", "GONGZHI_MEDIA_ROOT", "PGPORT", "PGHOST"}}
        self.env.update(
            PATH=f"{Path(sys.executable).parent}:{bindir}:{os.environ.get('PATH', '/usr/bin:/bin')}",
            # reached over plain HTTP with no TLS proxy in front (README, Configuration)
            SECURE_SSL_REDIRECT="0", SECURE_PROXY_SSL_HEADER="", GONGZHI_ADMIN_PASSWORD=ADMIN_PASSWORD,
            LOG_LEVEL="INFO", PYTHONUNBUFFERED="1",
        )

    def substitutions(self, machine: str) -> list[tuple[str, str]]:
        return [
            ("-h db.internal -p 5432", f"-h 127.0.0.1 -p {PRIMARY_PORT}"),
            ("db.internal:5432", f"127.0.0.1:{PRIMARY_PORT}"),
            ("replica.internal:5432", f"127.0.0.1:{STANDBY_PORT}"),
            ("redis://redis.internal:6379/0", f"unix://{self.root}/redis.sock?db=0"),
            ("/srv/gongzhi", str(self.root / machine)),
            ("/srv/backups", str(self.root / "backups")),
            ("/etc/gongzhi", str(self.root / "etc")),
            ("/mnt/shared", str(self.root / "shared")),
            ("/var/lib/postgresql", str(self.pg)),
            ("gongzhi.example.gov.cn", "127.0.0.1"),
            ("--workers 5", "--workers 2"),
        ]

    def script(self, text: str, machine: str = "machine1") -> str:
        for old, new in self.substitutions(machine):
            text = text.replace(old, new)
        if self.redis is None:
            text = "\n".join(line for line in text.splitlines() if not line.startswith("export REDIS_URL="))
        return text

    def run(self, text: str, *, as_postgres: bool = False, timeout: float = 120, **extra_env) -> str:
        env = {**self.env, **extra_env}
        prefix = [*pgcluster.as_postgres(), "env", f"PATH={env['PATH']}",
                  *(f"{k}={v}" for k, v in extra_env.items())] if as_postgres else []
        done = subprocess.run([*prefix, "bash", "-euo", "pipefail", "-c", text], env=env, capture_output=True,
                              text=True, timeout=timeout, cwd=self.root)
        assert done.returncode == 0, f"README commands failed:\n{text}\n--- output ---\n{done.stdout}{done.stderr}"
        return done.stdout

    def start_primary(self) -> None:
        """What the distribution's package does: a server owning its data directory, listening on loopback."""
        data = self.pg / "primary"
        pgcluster.run([str(pgcluster.bindir() / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
                       "-E", "UTF8", "--locale=C.UTF-8"], timeout=120)
        conf = (f"\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{self.pg}'\n"
                "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n")
        pgcluster.run(["sh", "-c", f"cat >> {data}/postgresql.conf <<'EOF'{conf}EOF"])
        log = self.pg / "primary.log"
        try:
            pgcluster.run([str(pgcluster.bindir() / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "120",
                           "-o", f"-p {PRIMARY_PORT}", "start"], timeout=150)
        except RuntimeError as exc:  # say why the server stopped, not only that it did
            raise RuntimeError(f"{exc}\n{log.read_text()[-3000:] if log.exists() else ''}") from None

    def start_redis(self) -> None:
        if not shutil.which("redis-server"):
            return
        try:
            import redis  # noqa: F401
        except ImportError:
            return
        self.redis = subprocess.Popen(["redis-server", "--port", "0", "--unixsocket", str(self.root / "redis.sock"),
                                       "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL)
        assert wait_for(lambda: (self.root / "redis.sock").exists(), timeout=10)

    def serve(self, env_block: str, serve_line: str, machine: str, port: int) -> None:
        log = self.root / f"{machine}.log"
        text = self.script(env_block, machine) + "\nexec " + self.script(serve_line, machine).replace(
            "--bind 0.0.0.0:8000", f"--bind 127.0.0.1:{port}")
        assert f"127.0.0.1:{port}" in text
        handle = open(log, "w")  # noqa: SIM115 -- the server writes here until it is stopped
        self.procs.append(subprocess.Popen(["bash", "-euo", "pipefail", "-c", text], env=self.env, stdout=handle,
                                           stderr=subprocess.STDOUT, cwd=self.root))
        self.logs.append(log)

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
        for name in ("replica", "primary"):
            pgcluster.stop(self.pg / name, mode="immediate")
        if self.redis is not None:
            self.redis.terminate()
            self.redis.wait(10)


def primary_rows(sql: str) -> list[tuple]:
    import psycopg

    with psycopg.connect(host="127.0.0.1", port=PRIMARY_PORT, user="gongzhi", dbname="gongzhi") as conn:
        return conn.execute(sql).fetchall()


def healthy(port: int) -> bool:
    try:
        return Browser().get(port, "/healthz")[0] == 200
    except OSError:
        return False


@pytest.fixture
def deployment():
    if pgcluster.bindir() is None:
        pytest.skip("PostgreSQL server binaries not found (Debian package 'postgresql')")
    root = pgcluster.workdir("gongzhi-deploy-")
    deployment = Deployment(root)
    (root / "etc").mkdir()
    (root / "etc" / "secret_key").write_text(secrets.token_urlsafe(50))
    (root / "etc" / "field_key").write_text(secrets.token_urlsafe(32))
    deployment.pg.mkdir()  # the data directories go under pg/, owned by the server user
    if os.geteuid() == 0:
        shutil.chown(deployment.pg, "postgres")
    try:
        yield deployment
    finally:
        deployment.stop()
        shutil.rmtree(root, ignore_errors=True)


def test_the_readme_deployment_runs_as_written(deployment, record_property):
    started = time.monotonic()
    timings: dict[str, float] = {}

    def step(name: str) -> None:
        timings[name] = round(time.monotonic() - started - sum(timings.values()), 1)
    blocks = deploy_blocks(README.read_text())
    subs = deployment.substitutions("machine1")
    used = {old for old, _ in subs if any(old in block for block in blocks.values())}
    assert used == {old for old, _ in subs}, f"placeholders no longer in the README: {set(dict(subs)) - used}"
    env_block = blocks["env"]

    # the database and its streaming replica, as the README's database and replica blocks say
    deployment.start_primary()
    deployment.start_redis()
    deployment.run(deployment.script(blocks["database"]), as_postgres=True)
    deployment.run(deployment.script(blocks["replica"]), as_postgres=True, PGPORT=str(STANDBY_PORT))
    step("postgresql primary + replica")

    # migrate and set up from one machine, then serve on both
    *once, serve_line = [line for line in blocks["app"].splitlines() if line.strip()]
    assert serve_line.startswith("gongzhi serve ") and not any(line.startswith("gongzhi serve") for line in once)
    deployment.run(deployment.script(env_block) + "\n" + deployment.script("\n".join(once)), timeout=300)
    step("migrate + setup")
    ports = [free_port(), free_port()]
    served_at = time.monotonic()
    for i, port in enumerate(ports, start=1):
        deployment.serve(env_block, serve_line, f"machine{i}", port)
    for port, proc, log in zip(ports, deployment.procs, deployment.logs, strict=True):
        if not wait_for(lambda port=port, proc=proc: healthy(port) or proc.poll() is not None, timeout=180) \
                or proc.poll() is not None:
            pytest.fail(f"gongzhi serve did not start:\n{log.read_text()[-4000:]}")
    p1, p2 = ports
    step("two gongzhi serve up")

    # ready on both, the replica included
    for port in ports:
        status, _, body = Browser().get(port, "/readyz")
        assert status == 200, body
        assert json.loads(body)["checks"] == {"database": "ok", "migrations": "ok", "replica": "ok",
                                              "redis": "ok" if deployment.redis else "not configured"}

    # every periodic job ran once between the two processes, each of which runs a job runner
    registered = jobs.registered()

    def all_ran():
        rows = dict(primary_rows("SELECT name, runs FROM core_joblease"))
        return rows if set(rows) == set(registered) and all(rows.values()) else None

    runs = wait_for(all_ran, timeout=30)
    assert runs, primary_rows("SELECT name, runs FROM core_joblease")
    elapsed = time.monotonic() - served_at
    assert {name: count for name, count in runs.items() if registered[name].every.total_seconds() > elapsed} == \
        {name: 1 for name, job in registered.items() if job.every.total_seconds() > elapsed}
    for log in deployment.logs:
        assert [e for e in log_lines(log) if e["message"] == "periodic jobs run in this worker"], log.read_text()
    if deployment.redis is not None:  # the leases were taken in Redis (SET NX) and released by their holders (EVAL)
        import redis

        stats = redis.Redis(unix_socket_path=str(deployment.root / "redis.sock")).info("commandstats")
        assert stats.get("cmdstat_set", {}).get("calls", 0) >= len(registered), stats
        assert stats.get("cmdstat_eval", {}).get("calls", 0) >= 1, stats

    step("readiness + jobs")

    # log in on process 1 (session + CSRF), write there, read it with the same session on process 2
    user = Browser()
    assert user.login(p1, "admin", ADMIN_PASSWORD) == 302
    status, _, body = user.get(p1, "/api/v1/units")
    assert status == 200, body
    [top] = json.loads(body)["items"]
    status, _, body = user.post_json(p1, "/api/v1/units", {"code": "370117001", "name": "艾山街道",
                                                          "kind": "street", "parent_id": top["id"]})
    assert status == 201, body
    street = json.loads(body)
    status, _, body = user.get(p2, f"/api/v1/units/{street['id']}")
    assert status == 200 and json.loads(body)["name"] == "艾山街道"

    # the figures from the replica (the new street has arrived there), said so in process 2's access log
    def dashboard_with_street():
        status, _, body = user.get(p2, f"/reports/?unit={top['id']}")
        return status == 200 and "艾山街道" in body.decode()

    assert wait_for(dashboard_with_street, timeout=15)
    line = wait_for(lambda: [e for e in log_lines(deployment.logs[1]) if e.get("path") == "/reports/"], timeout=10)
    assert (line[-1]["status"], line[-1]["db_read"]) == (200, "replica")

    step("smoke flow")

    # a backup of the running deployment
    deployment.run(deployment.script(env_block) + "\n" + deployment.script(blocks["backup"]), timeout=120)
    [archive] = (deployment.root / "backups").glob("gongzhi-*.tar.gz")
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["vendor"] == "postgresql" and manifest["row_counts"]["org_unit"] == 2

    step("backup")

    # the replica stopped: the figures still answer, from the primary
    pgcluster.stop(deployment.pg / "replica")
    status, _, body = user.get(p2, f"/reports/?unit={top['id']}")
    assert status == 200 and "艾山街道" in body.decode()
    line = wait_for(lambda: [e for e in log_lines(deployment.logs[1]) if e.get("path") == "/reports/"
                             and e.get("db_read") == "default"], timeout=10)
    assert line[-1]["status"] == 200
    step("replica stopped")
    # Wall time (about a minute on a quiet 2-core machine) is recorded, not asserted: a loaded CI box must not fail it.
    record_property("timings", timings)
    print(f"deployment test timings (s): {timings}, total {sum(timings.values()):.1f}")
