"""What "ready to serve" means: the database answers, every migration is applied, Redis answers when configured.

The read replica's state is reported but never makes a process unready: when it is down or lagging the figures are
read from the primary (``gongzhi.ops.dbrouter``), so taking app processes out of the load balancer would only hurt.

Shared by ``/readyz`` and ``gongzhi serve`` (which refuses to start with unapplied migrations).
"""

from __future__ import annotations

import time

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from gongzhi.core import jobs

from . import dbrouter

# Once every migration is applied it stays so for a while: /readyz need not rebuild the migration graph each call.
_MIGRATIONS_OK_FOR = 30.0
_migrations_ok_at = 0.0


def unapplied_migrations(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """``app.name`` of each migration the code has and the database has not applied, in order."""
    executor = MigrationExecutor(connections[using])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def check_database(using: str = DEFAULT_DB_ALIAS) -> str:
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def check_migrations(using: str = DEFAULT_DB_ALIAS) -> str:
    global _migrations_ok_at
    if time.monotonic() - _migrations_ok_at < _MIGRATIONS_OK_FOR:
        return "ok"
    missing = unapplied_migrations(using)
    if missing:
        return f"{len(missing)} unapplied"
    _migrations_ok_at = time.monotonic()
    return "ok"


def check_redis() -> str:
    url = jobs.redis_url()
    if not url:
        return "not configured"
    try:
        import redis
    except ImportError:
        return "redis package not installed"
    client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
    try:
        client.ping()
    finally:
        client.close()
    return "ok"


def check_replica() -> str:
    """``ok``, ``not configured``, ``lagging 42.0 s``, ``not in recovery`` or ``down: OperationalError``."""
    return dbrouter.replica_state().status


CHECKS = {"database": check_database, "migrations": check_migrations, "redis": check_redis,
          "replica": check_replica}
HEALTHY = {"ok", "not configured"}
INFORMATIONAL = {"replica"}  # reported, never failing readiness


def readiness() -> tuple[bool, dict[str, str]]:
    """Run every check; a check that raises reports the exception's class, never its text (no data leaks)."""
    results: dict[str, str] = {}
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except Exception as exc:
            results[name] = f"error: {type(exc).__name__}"
    ready = all(value in HEALTHY for name, value in results.items() if name not in INFORMATIONAL)
    return ready, results
