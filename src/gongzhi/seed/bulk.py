"""Fast writes for scale data: one ``Bulk`` per run hands out a ``Sink`` per table.

PostgreSQL: rows are spooled in COPY text format and sent with one ``COPY … FROM STDIN`` (psycopg 3 ``cursor.copy``)
when the sink closes, with foreign-key triggers off for the session when the role may do that (the generator writes
consistent rows; Django's foreign keys are DEFERRABLE INITIALLY DEFERRED otherwise, checked at commit). SQLite:
``executemany`` in batches on the raw connection. Ids are explicit, starting after the table's largest id, and the
PostgreSQL sequences are moved past them at the end, so the application's own inserts carry on from there.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
import time
from decimal import Decimal

from django.db import connection

BATCH = 5000


def _pg_text(value) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False)
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


def _sqlite_value(value):
    if value is None or isinstance(value, int | float | str):
        return value  # bool is an int: stored as 1/0
    if isinstance(value, dt.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


class Sink:
    """Rows for one table; ``close`` sends what is left and returns the number of rows written."""

    def __init__(self, bulk: Bulk, table: str, columns: list[str]):
        self.bulk, self.table, self.columns = bulk, table, columns
        self.n = 0
        self.started = time.perf_counter()
        self._buf: list = []
        quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
        if bulk.postgres:
            self._file = tempfile.TemporaryFile(mode="w+b", prefix="gongzhi-seed-")
            self._sql = f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN"
        else:
            marks = ", ".join("?" for _ in columns)
            self._sql = f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES ({marks})"

    def row(self, *values) -> None:
        if self.bulk.postgres:
            self._buf.append("\t".join(_pg_text(v) for v in values))
        else:
            self._buf.append(tuple(_sqlite_value(v) for v in values))
        self.n += 1
        if len(self._buf) >= BATCH:
            self._flush()

    def _flush(self) -> None:
        if not self._buf:
            return
        if self.bulk.postgres:
            self._file.write(("\n".join(self._buf) + "\n").encode())
        else:
            raw = connection.connection.cursor()
            raw.executemany(self._sql, self._buf)
            raw.close()
        self._buf = []

    def close(self) -> int:
        self._flush()
        if self.bulk.postgres:
            self._file.seek(0)
            with connection.cursor() as cur, cur.cursor.copy(self._sql) as copy:
                while block := self._file.read(1 << 20):
                    copy.write(block)
            self._file.close()
        self.bulk.done(self)
        return self.n


class Bulk:
    """The run's writer: sinks per table, id allocation, sequences and statistics at the end, a rate per table."""

    def __init__(self, log=None):
        self.postgres = connection.vendor == "postgresql"
        self.log = log or (lambda msg: None)
        self.rates: dict[str, tuple[int, float]] = {}
        self.touched: set[str] = set()
        self._replica = False

    def begin(self) -> None:
        """Inside the caller's transaction: foreign-key triggers off on PostgreSQL when allowed (superuser)."""
        if self.postgres:
            with connection.cursor() as cur:
                try:
                    cur.execute("SAVEPOINT seed_replica")
                    cur.execute("SET LOCAL session_replication_role = replica")
                    cur.execute("RELEASE SAVEPOINT seed_replica")
                    self._replica = True
                except Exception:  # not a superuser: deferred foreign keys are checked at commit instead
                    cur.execute("ROLLBACK TO SAVEPOINT seed_replica")

    def sink(self, table: str, columns: list[str]) -> Sink:
        self.touched.add(table)
        return Sink(self, table, columns)

    def next_id(self, table: str) -> int:
        with connection.cursor() as cur:
            cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")
            return cur.fetchone()[0] + 1

    def done(self, sink: Sink) -> None:
        seconds = time.perf_counter() - sink.started
        n, s = self.rates.get(sink.table, (0, 0.0))
        self.rates[sink.table] = (n + sink.n, s + seconds)
        if sink.n:
            self.log(f"  {sink.table:<36} {sink.n:>11,} rows  {sink.n / max(seconds, 1e-9):>10,.0f} rows/s")

    def finish(self) -> None:
        """Sequences past the explicit ids; planner statistics for the tables written."""
        if not self.postgres:
            return
        with connection.cursor() as cur:
            for table in sorted(self.touched):
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                            f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)")

    def analyze(self) -> None:
        with connection.cursor() as cur:
            for table in sorted(self.touched):
                cur.execute(f"ANALYZE {connection.ops.quote_name(table)}")
