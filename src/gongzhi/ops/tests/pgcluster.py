"""Throw-away PostgreSQL servers on loopback for the replica and deployment tests: a primary from ``initdb``, a
streaming standby from ``pg_basebackup -R``. As root the server programs run as the ``postgres`` user (PostgreSQL
refuses to run as root), as ``scripts/pgtest.sh`` does."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path


def bindir() -> Path | None:
    """The newest ``/usr/lib/postgresql/*/bin`` holding ``initdb`` and ``pg_basebackup``, else None."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name)
                   if p.parent.name.isdigit() else 0)
    for candidate in reversed(found):
        if (candidate / "initdb").exists() and (candidate / "pg_basebackup").exists():
            return candidate
    return None


def as_postgres() -> list[str]:
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


def workdir(prefix: str) -> Path:
    """A fresh directory under the system temp directory that the server user may write in (pytest's own temp
    directories are private to root); the caller removes it."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    path.chmod(0o755)
    if os.geteuid() == 0:
        shutil.chown(path, "postgres")
    return path


def run(args: list[str], *, timeout: float = 60, env: dict | None = None) -> subprocess.CompletedProcess:
    done = subprocess.run([*as_postgres(), *args], capture_output=True, text=True, timeout=timeout, env=env)
    if done.returncode:
        raise RuntimeError(f"{' '.join(args)} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return done


SERVER_OPTIONS = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"


def initdb(data: Path, *, user: str = "gongzhi") -> None:
    run([str(bindir() / "initdb"), "-D", str(data), "-U", user, "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"],
        timeout=120)


def start(data: Path, *, port: int, sockets: Path, log: Path, wait: int = 60) -> None:
    """Start a server and wait up to ``wait`` seconds for it to accept connections.

    A hot standby accepts connections only once it has a snapshot of the primary's running transactions; when one of
    them had more than 64 subtransactions (a test class's transaction holding a savepoint per test, on another test
    worker) the snapshot is "overflowed" and the standby waits until those transactions end, so its caller gives it
    minutes, not seconds."""
    try:
        _start(data, port=port, sockets=sockets, log=log, wait=wait)
    except RuntimeError as exc:
        raise RuntimeError(f"{exc}\n{log.read_text()[-3000:] if log.exists() else ''}") from None


def _start(data: Path, *, port: int, sockets: Path, log: Path, wait: int) -> None:
    run([str(bindir() / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", str(wait),
         "-o", f"-h 127.0.0.1 -p {port} -k {sockets} {SERVER_OPTIONS}", "start"], timeout=wait + 30)


def stop(data: Path, *, mode: str = "fast") -> None:
    if data.exists():
        subprocess.run([*as_postgres(), str(bindir() / "pg_ctl"), "-D", str(data), "-m", mode, "-w", "stop"],
                       capture_output=True, timeout=60)


def basebackup(data: Path, *, host: str, port: int, user: str) -> None:
    """A standby's data directory: a copy of the primary's, ``standby.signal`` and ``primary_conninfo`` (``-R``)."""
    run([str(bindir() / "pg_basebackup"), "-h", host, "-p", str(port), "-U", user, "-D", str(data), "-R",
         "-X", "stream", "-c", "fast"], timeout=120)


def wait_until(predicate, *, timeout: float = 30.0, every: float = 0.1):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(every)
