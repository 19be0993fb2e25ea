"""What every benchmark needs to know about where it runs: the machine (CPU, cores, memory, versions, load), one
"# Machine" section for bench/RESULTS.md, the Django set-up of a benchmark process, and the throw-away PostgreSQL
cluster (``scripts/pgtest.sh``) a benchmark re-runs itself inside when no database is given."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import tempfile
import time
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("Django", "django-ninja", "psycopg", "duckdb", "python-calamine", "openpyxl", "xlsxwriter", "pypinyin",
            "cryptography", "gunicorn", "locust")


def cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def memory_gb() -> float | None:
    try:
        with open("/proc/meminfo") as fh:
            return int(fh.readline().split()[1]) / 1024 / 1024
    except (OSError, ValueError, IndexError):
        return None


def load() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def postgres_version() -> str:
    """The server version of Django's connection (PostgreSQL only), else the installed server binaries'."""
    try:
        from django.db import connection

        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("SHOW server_version")
                return cur.fetchone()[0]
    except Exception:  # Django not set up in this process
        pass
    bins = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres")) if Path("/usr/lib/postgresql").exists() else []
    if bins:
        out = subprocess.run([str(bins[-1]), "--version"], capture_output=True, text=True, check=False).stdout
        return out.strip().rsplit(" ", 1)[-1] if out else ""
    return ""


def info() -> dict:
    import sqlite3

    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            pass
    return {"cpu": cpu(), "cores": os.cpu_count(), "memory_gb": memory_gb(), "platform": platform.platform(),
            "python": platform.python_version(), "sqlite": sqlite3.sqlite_version, "postgresql": postgres_version(),
            "versions": versions, "load": load()}


def section(m: dict | None = None) -> str:
    """The "# Machine" section of bench/RESULTS.md (written once, shared by every benchmark)."""
    m = m or info()
    mem = f", {m['memory_gb']:.0f} GB RAM" if m.get("memory_gb") else ""
    pkgs = ", ".join(f"{k} {v}" for k, v in m["versions"].items())
    return "\n".join([
        "# Machine",
        "",
        f"- CPU: {m['cpu']}, {m['cores']} cores{mem} (shared with other work while the benchmarks ran: see each "
        "section's load average)",
        f"- {m['platform']}, Python {m['python']}, SQLite {m['sqlite']}, PostgreSQL {m['postgresql'] or '—'} "
        "(throw-away clusters from scripts/pgtest.sh: fsync and synchronous_commit off, default memory settings)",
        f"- {pkgs}",
        f"- written at {time.strftime('%Y-%m-%d %H:%M %Z')}",
        "",
    ])


def stamp(started: float | None = None) -> str:
    """One line for a benchmark's section: when, how long, the load average."""
    took = f", {(time.perf_counter() - started) / 60:.1f} min in all" if started else ""
    return f"Run at {time.strftime('%Y-%m-%d %H:%M %Z')}{took}; load average (1, 5, 15 min) at the end: {load()}."


def django_setup(database_url: str | None) -> str:
    """Configure and start Django for a benchmark process in a fresh var directory; returns that directory."""
    var = tempfile.mkdtemp(prefix="gongzhi-bench-var-")
    os.environ["GONGZHI_VAR_DIR"] = var
    os.environ["GONGZHI_MEDIA_ROOT"] = os.path.join(var, "media")
    os.environ["DJANGO_SETTINGS_MODULE"] = "gongzhi.settings.base"
    os.environ["LOG_LEVEL"] = "WARNING"
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    return var


def postgres_or_rerun(database_url: str | None, argv: list[str], port: str, what: str) -> str:
    """The PostgreSQL URL to use; without one, run ``python -m bench <argv>`` again inside a throw-away cluster on
    ``port`` (``PGTEST_PORT`` overrides it) and exit with its status."""
    url = database_url or os.environ.get("DATABASE_URL")
    if not url:
        env = dict(os.environ, PGTEST_PORT=os.environ.get("PGTEST_PORT", port))
        cmd = [str(ROOT / "scripts" / "pgtest.sh"), sys.executable, "-m", "bench", *argv]
        raise SystemExit(subprocess.run(cmd, cwd=ROOT, env=env, check=False).returncode)
    if not url.startswith("postgres"):
        raise SystemExit(f"the {what} benchmark needs PostgreSQL")
    return url


TICK = os.sysconf("SC_CLK_TCK")


def proc_cpu(pid: int | None) -> float:
    """CPU seconds (user + system, all threads) a live process has used; 0 if it is gone or there is none."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK
