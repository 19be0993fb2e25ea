"""A real ``gongzhi serve`` for tests that need the production server: its own database, started, killed, restarted.

``LiveSite`` is one deployment's state — a var dir, a database of its own (a fresh PostgreSQL database on the server
``DATABASE_URL`` names, or the embedded SQLite file in the var dir when there is none) and the production settings'
environment (``gongzhi.settings.prod`` over plain HTTP on loopback: ``SECURE_SSL_REDIRECT=0``, no proxy header, as
``bench/points.py`` runs it). ``site.call("pkg.module:function", **kwargs)`` runs a function with Django set up
against that database in a subprocess and returns its JSON result, so a test can prepare rows through the services
and audit them afterwards without sharing the test runner's own database. ``LiveServer`` starts ``gongzhi serve
--workers N`` on a free port, finds its gunicorn workers (the master's children), SIGKILLs one of them or the whole
server, and starts it again on the same port.

Run as ``python -m gongzhi.reliability.liveserver call <module:function> <json kwargs> [--migrate]`` (what
``site.call`` does).
"""

from __future__ import annotations

import http.client
import json
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

GONGZHI = str(Path(sys.executable).with_name("gongzhi"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pg_connect(url: str, **kw):
    import psycopg

    return psycopg.connect(url, autocommit=True, **kw)


class LiveSite:
    """A deployment's var dir, database and environment (see the module docstring)."""

    def __init__(self, var_dir: Path, database_url: str | None, admin_url: str | None):
        self.var_dir = Path(var_dir)
        self.database_url = database_url  # None: the embedded SQLite file in the var dir
        self._admin_url = admin_url  # the server's maintenance database, to drop ours at the end
        self.secret_key = secrets.token_urlsafe(50)
        self.env = {k: v for k, v in os.environ.items()
                    if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "PYTEST_XDIST_WORKER"}}
        self.env.update(GONGZHI_VAR_DIR=str(self.var_dir), GONGZHI_MEDIA_ROOT=str(self.var_dir / "media"),
                        DJANGO_SETTINGS_MODULE="gongzhi.settings.prod", SECRET_KEY=self.secret_key,
                        FIELD_ENCRYPTION_KEY=secrets.token_urlsafe(32), ALLOWED_HOSTS="127.0.0.1,localhost",
                        SECURE_SSL_REDIRECT="0", SECURE_PROXY_SSL_HEADER="", LOG_LEVEL="INFO",
                        PYTHONUNBUFFERED="1")
        if database_url:
            self.env["DATABASE_URL"] = database_url

    @classmethod
    def create(cls, var_dir: Path, *, database_url: str | None = None) -> LiveSite:
        """A site with an empty database: on PostgreSQL a new database beside ``database_url``'s, else SQLite."""
        var_dir = Path(var_dir)
        var_dir.mkdir(parents=True, exist_ok=True)
        if not database_url or not database_url.startswith(("postgres://", "postgresql://")):
            return cls(var_dir, None, None)
        parts = urlsplit(database_url)
        name = f"gongzhi_live_{secrets.token_hex(4)}"
        admin_url = urlunsplit(parts._replace(path="/postgres"))
        with _pg_connect(admin_url) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return cls(var_dir, urlunsplit(parts._replace(path=f"/{name}")), admin_url)

    @classmethod
    def from_test_database(cls, var_dir: Path) -> LiveSite:
        """A copy of the test runner's migrated database (no ``migrate`` to wait for): on PostgreSQL a new database
        made from it as a template, on SQLite the in-memory test database backed up into the var dir's file.
        Needs a transactional test (``transactional_db``): nothing may hold the test database in a transaction."""
        from django.db import connection, connections

        var_dir = Path(var_dir)
        var_dir.mkdir(parents=True, exist_ok=True)
        if connection.vendor == "sqlite":
            import sqlite3

            connection.ensure_connection()
            target = sqlite3.connect(var_dir / "gongzhi.sqlite3")
            try:
                connection.connection.backup(target)
            finally:
                target.close()
            return cls(var_dir, None, None)
        template = connection.settings_dict["NAME"]
        connections.close_all()
        parts = urlsplit(os.environ["DATABASE_URL"])
        name, admin_url = f"gongzhi_live_{secrets.token_hex(4)}", urlunsplit(parts._replace(path="/postgres"))
        with _pg_connect(admin_url) as conn:
            for attempt in range(20):  # the test runner's own session may take a moment to go
                try:
                    conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
                    break
                except Exception as exc:  # noqa: BLE001 -- psycopg's ObjectInUse; anything else re-raised
                    if "being accessed by other users" not in str(exc) or attempt == 19:
                        raise
                    time.sleep(0.25)
        return cls(var_dir, urlunsplit(parts._replace(path=f"/{name}")), admin_url)

    @property
    def vendor(self) -> str:
        return "postgresql" if self.database_url else "sqlite"

    @property
    def database_name(self) -> str | None:
        return urlsplit(self.database_url).path.lstrip("/") if self.database_url else None

    def manage(self, *args: str, timeout: float = 600, check: bool = True) -> subprocess.CompletedProcess:
        """``gongzhi <args>`` against this site (captured output)."""
        done = subprocess.run([GONGZHI, *args], env=self.env, capture_output=True, text=True, timeout=timeout)
        if check and done.returncode != 0:
            raise RuntimeError(f"gongzhi {' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
        return done

    def migrate(self) -> None:
        self.manage("migrate", "-v0")

    def call(self, target: str, *, migrate: bool = False, timeout: float = 600, **kwargs):
        """Run ``module:function(**kwargs)`` with Django set up on this site's database (``migrate``: apply the
        migrations first, in the same process); its JSON result."""
        done = subprocess.run([sys.executable, "-m", "gongzhi.reliability.liveserver", "call", target,
                               json.dumps(kwargs), *(["--migrate"] if migrate else [])],
                              env=self.env, capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            raise RuntimeError(f"{target} failed ({done.returncode}):\n{done.stderr[-6000:]}")
        return json.loads(done.stdout.strip().splitlines()[-1])

    def sql(self, query: str, params=()) -> list[tuple]:
        """A statement on this site's PostgreSQL database from outside the app (e.g. ``pg_terminate_backend``)."""
        if not self.database_url:
            raise RuntimeError("sql() needs a PostgreSQL site")
        with _pg_connect(self.database_url) as conn:
            cur = conn.execute(query, params)
            return cur.fetchall() if cur.description else []

    def drop(self) -> None:
        """Drop the PostgreSQL database (terminating what is left connected) and remove the var dir."""
        if self.database_url:
            with _pg_connect(self._admin_url) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.database_name}" WITH (FORCE)')
        shutil.rmtree(self.var_dir, ignore_errors=True)


def request(port: int, method: str, path: str, body=None, headers: dict | None = None,
            timeout: float = 10.0) -> tuple[int, dict | str]:
    """One HTTP request on a fresh connection; raises OSError/HTTPException when no answer comes."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        data = json.dumps(body).encode() if body is not None else None
        conn.request(method, path, body=data, headers={"Host": "127.0.0.1", "Content-Type": "application/json",
                                                       **(headers or {})})
        resp = conn.getresponse()
        raw = resp.read()
        try:
            return resp.status, json.loads(raw) if raw else {}
        except ValueError:
            return resp.status, raw.decode(errors="replace")
    finally:
        conn.close()


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
        return [int(x) for x in text.split()]
    except OSError:
        pass
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def _sockets(pid: int) -> int:
    n = 0
    try:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                n += os.readlink(fd).startswith("socket:")
            except OSError:  # closed meanwhile
                pass
    except OSError:
        pass
    return n


class LiveServer:
    """``gongzhi serve --workers N`` on a free loopback port of ``site`` (its own process group)."""

    def __init__(self, site: LiveSite, *, workers: int = 3, threads: int = 1, jobs: bool = True,
                 collectstatic: bool = True, port: int | None = None, timeout: int = 30):
        """``collectstatic=False``: ``--no-collectstatic`` as on app machines behind a load balancer (README), for
        tests that read no pages; otherwise the first start collects them and restarts reuse them."""
        self.site, self.workers, self.threads, self.jobs, self.timeout = site, workers, threads, jobs, timeout
        self.collectstatic = collectstatic
        self.port = port or free_port()
        self.proc: subprocess.Popen | None = None
        self.log_path = site.var_dir / "serve.log"
        self.starts = 0

    def start(self, ready_timeout: float = 120) -> LiveServer:
        cmd = [GONGZHI, "serve", "--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers),
               "--threads", str(self.threads), "--timeout", str(self.timeout)]
        if not self.jobs:
            cmd.append("--no-jobs")
        if self.starts or not self.collectstatic:
            cmd.append("--no-collectstatic")  # collected at the first start (or not needed)
        log = open(self.log_path, "a")  # noqa: SIM115 -- the child keeps it; closed with our copy below
        try:
            self.proc = subprocess.Popen(cmd, env=self.site.env, stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        finally:
            log.close()
        self.starts += 1
        self.wait_ready(ready_timeout)
        return self

    def wait_ready(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gongzhi serve exited {self.proc.returncode}:\n{self.log_tail()}")
            try:
                if request(self.port, "GET", "/readyz", timeout=5)[0] == 200 and \
                        len(self.worker_pids()) >= self.workers:
                    return
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gongzhi serve on port {self.port} not ready in {timeout:.0f} s:\n{self.log_tail()}")

    @property
    def master_pid(self) -> int:
        return self.proc.pid

    def worker_pids(self) -> list[int]:
        return _children(self.proc.pid) if self.proc and self.proc.poll() is None else []

    def busy_worker(self, rng: random.Random | None = None, wait: float = 2.0) -> int:
        """A worker serving a request now (it holds a client socket beside the listener and any database
        connection: the most sockets of all workers), else a random one once ``wait`` has passed."""
        deadline = time.monotonic() + wait
        while True:
            counts = {pid: _sockets(pid) for pid in self.worker_pids()}
            if counts and (len(set(counts.values())) > 1 or time.monotonic() > deadline):
                top = max(counts.values())
                return (rng or random).choice(sorted(p for p, n in counts.items() if n == top))
            time.sleep(0.01)

    def kill_worker(self, pid: int | None = None, rng: random.Random | None = None) -> int:
        """SIGKILL one worker (a busy one unless ``pid``, see :meth:`busy_worker`); gunicorn forks a replacement."""
        pid = pid or self.busy_worker(rng)
        os.kill(pid, signal.SIGKILL)
        return pid

    def wait_for_workers(self, *, without: set[int] = frozenset(), timeout: float = 60) -> list[int]:
        """Until ``workers`` workers run, none of them in ``without`` (the killed ones)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pids = [p for p in self.worker_pids() if p not in without]
            if len(pids) >= self.workers:
                return pids
            time.sleep(0.1)
        raise RuntimeError(f"workers not replaced in {timeout:.0f} s: {self.worker_pids()}\n{self.log_tail()}")

    def kill(self) -> None:
        """SIGKILL the master and every worker at once (a crashed machine, as far as the app can tell)."""
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(30)

    def restart(self) -> LiveServer:
        self.kill()
        return self.start()

    def stop(self) -> None:
        """SIGTERM (gunicorn's graceful shutdown), then SIGKILL whatever is left of the group."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            pass
        self.kill()

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def log_lines(self) -> list[dict]:
        out = []
        for line in self.log_path.read_text(errors="replace").splitlines():
            if line.startswith("{"):
                try:
                    out.append(json.loads(line))
                except ValueError:
                    pass
        return out


def _main(argv: list[str]) -> None:
    if len(argv) not in (3, 4) or argv[0] != "call" or argv[3:] not in ([], ["--migrate"]):
        raise SystemExit("usage: python -m gongzhi.reliability.liveserver call <module:function> <json kwargs> "
                         "[--migrate]")
    import importlib

    import django

    django.setup()
    if argv[3:]:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
    module, _, name = argv[1].partition(":")
    result = getattr(importlib.import_module(module), name)(**json.loads(argv[2]))
    from django.db import connections

    connections.close_all()
    sys.stdout.write("\n" + json.dumps(result, default=str) + "\n")


if __name__ == "__main__":
    _main(sys.argv[1:])
