"""Reads that may be a few seconds stale go to a read replica; everything else goes to the primary.

A deployment may add a streaming replica of its PostgreSQL (``DATABASE_REPLICA_URL`` → the ``replica`` alias). What
may read from it is decided in one explicit place, not by model: a view wrapped in :func:`reading_from_replica`
(the figures: dashboards, team pages and their xlsx exports). Inside such a block :class:`ReplicaRouter` sends a
read to the replica unless

- the app has no replica, or it is down, not a standby, or behind by more than ``DATABASE_REPLICA_MAX_LAG`` seconds
  (checked at most every ``DATABASE_REPLICA_CHECK_SECONDS`` per process, see :func:`replica_state`);
- the primary has an open transaction (a read inside a transaction must see that transaction);
- the block has already written (a read after one's own write must see it);
- the model belongs to authentication, sessions, roles and tokens (``PRIMARY_ONLY_APPS``): a revoked role or a
  logged-out session must not live on for the replica's lag.

Writes, row locks (``select_for_update`` is a write) and every read outside such a block use the primary; migrations
never run on the replica. A decorated view whose replica fails mid-request is answered again from the primary, so a
dead replica never breaks a report; ``request.db_read`` names the alias that served it (the access log's
``db_read``).
"""

from __future__ import annotations

import functools
import inspect
import math
import threading
import time
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

REPLICA = "replica"
PRIMARY_ONLY_APPS = frozenset({"auth", "sessions", "accounts", "axes", "admin", "contenttypes"})


@dataclass
class ReplicaReads:
    """One :func:`reading_from_replica` block: the replica chosen at its start (None: the primary) and what it did."""

    alias: str | None
    wrote: bool = False
    used: bool = False

    @property
    def served_by(self) -> str:
        return self.alias if (self.alias and self.used) else DEFAULT_DB_ALIAS


_current: ContextVar[ReplicaReads | None] = ContextVar("gongzhi_replica_reads", default=None)


# --- the replica's health --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReplicaState:
    usable: bool
    status: str  # "ok", "not configured", "lagging 42.0 s", "not in recovery", "down: OperationalError"
    lag: float | None
    checked_at: float


_states: dict[str, ReplicaState] = {}
_states_lock = threading.Lock()


def configured(alias: str = REPLICA) -> bool:
    return alias in settings.DATABASES


def max_lag() -> float:
    return float(getattr(settings, "DATABASE_REPLICA_MAX_LAG", 30.0))


def check_every() -> float:
    return float(getattr(settings, "DATABASE_REPLICA_CHECK_SECONDS", 5.0))


def measure_lag(alias: str = REPLICA) -> float:
    """Seconds of commits on the primary the replica may not show yet (0 when it has replayed all of them).

    On PostgreSQL: the primary's WAL position is read first; a replica that has replayed up to it shows everything
    committed before this call (lag 0, even when the primary has been idle for hours). Otherwise the lag is the age of
    the last transaction it replayed — what it lacks was committed after that. Raises :class:`NotAStandby` for a
    server that is not in recovery (a promoted replica, or a URL naming a primary) and whatever the connection
    raises when the replica is away.
    """
    replica = connections[alias]
    if replica.vendor != "postgresql":  # SQLite in tests: a copy with no replication; answering is all there is
        with replica.cursor() as cursor:
            cursor.execute("SELECT 1")
        return 0.0
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() "
                       "ELSE pg_current_wal_lsn() END::text")
        (primary_lsn,) = cursor.fetchone()
    with replica.cursor() as cursor:
        cursor.execute(
            "SELECT pg_is_in_recovery(), COALESCE(pg_last_wal_replay_lsn() >= %s::pg_lsn, false), "
            "EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())::float8",
            [primary_lsn],
        )
        in_recovery, caught_up, age = cursor.fetchone()
    if not in_recovery:
        raise NotAStandby(alias)
    if caught_up:
        return 0.0
    return math.inf if age is None else max(float(age), 0.0)


class NotAStandby(Exception):
    """The replica URL names a server that is not replaying a primary's WAL."""


def _probe(alias: str) -> ReplicaState:
    now = time.monotonic()
    try:
        lag = measure_lag(alias)
    except NotAStandby:
        return ReplicaState(False, "not in recovery", None, now)
    except Exception as exc:  # down, refusing, timing out: the primary answers instead
        try:
            connections[alias].close()
        except Exception:  # noqa: S110 -- a connection that cannot even close is closed enough
            pass
        return ReplicaState(False, f"down: {type(exc).__name__}", None, now)
    if lag > max_lag():
        return ReplicaState(False, "lagging" if math.isinf(lag) else f"lagging {lag:.1f} s", lag, now)
    return ReplicaState(True, "ok", lag, now)


def replica_state(alias: str = REPLICA, *, fresh: bool = False) -> ReplicaState:
    """The replica's health, measured at most every ``DATABASE_REPLICA_CHECK_SECONDS`` in this process."""
    if not configured(alias):
        return ReplicaState(False, "not configured", None, time.monotonic())
    cached = _states.get(alias)
    if not fresh and cached is not None and time.monotonic() - cached.checked_at < check_every():
        return cached
    state = _probe(alias)
    with _states_lock:
        _states[alias] = state
    return state


def forget_replica_state() -> None:
    """Drop the cached health (tests, and after an operator changes the replica)."""
    with _states_lock:
        _states.clear()


# --- choosing the database -------------------------------------------------------------------------------------


def in_transaction(alias: str = DEFAULT_DB_ALIAS) -> bool:
    """An atomic block is open on the primary (a test case's own wrapping transaction does not count)."""
    conn = connections[alias]
    if conn.in_atomic_block:
        return any(not getattr(block, "_from_testcase", False) for block in conn.atomic_blocks)
    return conn.connection is not None and not conn.autocommit  # set_autocommit(False) by hand


class ReplicaRouter:
    """``DATABASE_ROUTERS`` entry: the rules in this module's docstring."""

    def db_for_read(self, model, **hints):
        reads = _current.get()
        if reads is None or reads.alias is None or reads.wrote:
            return DEFAULT_DB_ALIAS
        if model._meta.app_label in PRIMARY_ONLY_APPS or in_transaction():
            return DEFAULT_DB_ALIAS
        reads.used = True
        return reads.alias

    def db_for_write(self, model, **hints):
        reads = _current.get()
        if reads is not None:
            reads.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the primary's rows: an object read from either relates to the other's

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


class _ReplicaReading:
    def __init__(self, alias: str):
        self.alias = alias
        self._token = None
        self._reads: ReplicaReads | None = None

    def __enter__(self) -> ReplicaReads:
        chosen = None
        if configured(self.alias) and not in_transaction() and replica_state(self.alias).usable:
            chosen = self.alias
        self._reads = ReplicaReads(alias=chosen)
        self._token = _current.set(self._reads)
        return self._reads

    def __exit__(self, exc_type, exc, tb):
        _current.reset(self._token)
        if isinstance(exc, DatabaseError) and self._reads.used:
            replica_state(self.alias, fresh=True)  # a dead replica is noticed now, not after the cache expires
        return False

    def __call__(self, view):
        """As a decorator of a read-only view ``view(request, ...)``: retried on the primary if the replica fails."""
        alias = self.alias

        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            reading = _ReplicaReading(alias)
            try:
                with reading as reads:
                    response = view(request, *args, **kwargs)
            except DatabaseError:
                if not (reading._reads and reading._reads.used) or replica_state(alias).usable:
                    raise
                request.db_read = DEFAULT_DB_ALIAS
                return view(request, *args, **kwargs)
            request.db_read = reads.served_by
            return response

        try:  # annotations resolved in the view's module: django-ninja reads them off the wrapper
            wrapped.__signature__ = inspect.signature(view, eval_str=True)
        except (NameError, TypeError):
            pass
        return wrapped


def reading_from_replica(alias: str = REPLICA) -> _ReplicaReading:
    """Reads in this block (``with``) or view (decorator) may come from the replica; see the module docstring."""
    return _ReplicaReading(alias)
