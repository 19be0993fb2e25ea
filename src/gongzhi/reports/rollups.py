"""Maintenance of the rollups: incremental (in the publisher's transaction) and from scratch (``--rebuild``).

What is counted, precisely:

- 服务时长 / records: every *current* service record (``ServiceRecord.objects.current()``: originals and corrections
  nobody supersedes) counts its hours in the period of its ``day``, at its ``unit_path`` and every ancestor;
- 参与志愿者 (distinct volunteers): a volunteer counts once per (unit, period) when they have at least one current
  record there with a ``day`` in the period (``VolunteerPresence`` holds the reference count);
- 人次 (participations): one per (volunteer, activity) with at least one current record — a volunteer serving on
  three days of one activity is one 人次 — counted in the period of the activity's start (local date);
- 场次 (activities held): activities whose status is ``finished``, in the period of their start;
- 惠及人次 (beneficiaries): the sum of the activity's current ``BeneficiaryCount`` rows (nobody supersedes them),
  whatever the activity's status, in the period of the activity's start.

A correction or revocation arrives as ``(record, replaced)``: ``replaced`` stops counting, ``record`` starts (a
revocation counts nothing), so the counters move by the difference. Rows are created with an insert that ignores
conflicts and moved in the same statement (``INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n``, in key order so
concurrent writers lock rows in one order): one statement per table for an event, safe under concurrent writers on
PostgreSQL (and serialised by SQLite's single writer, which the first insert takes).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from gongzhi.org.divisions import code_rules
from gongzhi.org.models import Unit

from .models import ALL_PERIOD, Grain, ParticipationRef, Rollup, VolunteerPresence, hours_to_e4

COUNTERS = ("activities", "participations", "volunteers", "records", "hours_e4", "beneficiaries")
BATCH = 5000
UPSERT_BATCH = 500  # rows per upsert statement (SQLite allows 32,766 parameters)

RollupKey = tuple[str, str, str, str]  # unit_path, grain, period, category


def periods_of_month(month: str) -> list[tuple[str, str]]:
    """The buckets a month ("2025-03") falls in: itself, its quarter, its year, all time."""
    quarter = (int(month[5:7]) + 2) // 3
    return [(Grain.MONTH, month), (Grain.QUARTER, f"{month[:4]}-Q{quarter}"), (Grain.YEAR, month[:4]),
            (Grain.ALL, ALL_PERIOD)]


def periods_of(day: dt.date) -> list[tuple[str, str]]:
    return periods_of_month(f"{day.year:04d}-{day.month:02d}")


def levels() -> list[int]:
    """Path lengths that make a unit's ancestors, from the root kind down (e.g. district 6, street 9, ...)."""
    with connection.cursor() as cursor:  # read by every event: SQL composed once, not a queryset compiled each time
        cursor.execute(_ROOT_LENGTH_SQL)
        top = cursor.fetchone()[0] or 0
    return sorted({r.path_length for r in code_rules().values() if r.path_length >= top})


# the shortest path of a unit without a parent (the tree's top kind); the same SQL on both databases
_ROOT_LENGTH_SQL = f'SELECT MIN(LENGTH("path")) FROM "{Unit._meta.db_table}" WHERE "parent_id" IS NULL'


def ancestors(path: str, lv: list[int]) -> list[str]:
    """The unit itself and every ancestor up to the root."""
    out = [path[:n] for n in lv if n < len(path)]
    return [*out, path]


def local_day(value: dt.datetime) -> dt.date:
    return timezone.localtime(value).date()


@dataclass
class _ActivityFacts:
    path: str
    category: str
    day: dt.date


@dataclass
class Changes:
    """Net deltas of one event on the three tables, applied together (rows locked in one fixed order)."""

    lv: list[int]
    counters: dict[RollupKey, dict[str, int]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    presence: dict[tuple[str, str, str, int], int] = field(default_factory=lambda: defaultdict(int))
    participation: dict[tuple[int, int], int] = field(default_factory=lambda: defaultdict(int))
    activity_facts: dict[int, _ActivityFacts] = field(default_factory=dict)

    def facts(self, activity_id: int) -> _ActivityFacts:
        if activity_id not in self.activity_facts:
            from gongzhi.activities.models import Activity

            a = Activity.objects.select_related("category", "unit").only(
                "starts_at", "category__code", "unit__path").get(pk=activity_id)
            self.activity_facts[activity_id] = _ActivityFacts(a.unit.path, a.category.code, local_day(a.starts_at))
        return self.activity_facts[activity_id]

    def activity_keys(self, activity_id: int) -> list[RollupKey]:
        f = self.facts(activity_id)
        return [(p, g, per, c) for p in ancestors(f.path, self.lv) for g, per in periods_of(f.day)
                for c in ("", f.category)]

    def add(self, keys: Iterable[RollupKey], name: str, delta: int) -> None:
        for k in keys:
            self.counters[k][name] += delta

    def know(self, activity) -> None:
        """Take an activity the publisher already read (with its unit and category) instead of reading it again."""
        fields = type(activity)._meta
        if activity.pk not in self.activity_facts and fields.get_field("unit").is_cached(activity) \
                and fields.get_field("category").is_cached(activity):
            self.activity_facts[activity.pk] = _ActivityFacts(activity.unit.path, activity.category.code,
                                                              local_day(activity.starts_at))

    def record(self, record, sign: int) -> None:
        from gongzhi.hours.models import RecordKind

        if record.kind == RecordKind.REVOCATION:
            return
        if type(record)._meta.get_field("activity").is_cached(record):
            self.know(record.activity)
        cat = self.facts(record.activity_id).category
        paths = ancestors(record.unit_path, self.lv)
        periods = periods_of(record.day)
        keys = [(p, g, per, c) for p in paths for g, per in periods for c in ("", cat)]
        self.add(keys, "records", sign)
        self.add(keys, "hours_e4", sign * hours_to_e4(record.hours))
        for p in paths:
            for g, per in periods:
                self.presence[(p, g, per, record.volunteer_id)] += sign
        self.participation[(record.activity_id, record.volunteer_id)] += sign

    def apply(self) -> None:
        # Publishers call us inside their transaction; atomic(savepoint=False) adds nothing then, and makes the
        # locks below legal when a caller (a script, a test) publishes in autocommit mode.
        with transaction.atomic(savepoint=False):
            self._apply()

    def _apply(self) -> None:
        deltas: dict[RollupKey, dict[str, int]] = {k: {n: d for n, d in v.items() if d}
                                                  for k, v in self.counters.items()}
        for (activity_id, _v), turned in _bump_refs(ParticipationRef, self.participation,
                                                    ("activity_id", "volunteer_id")):
            for k in self.activity_keys(activity_id):
                deltas.setdefault(k, {}).setdefault("participations", 0)
                deltas[k]["participations"] += turned
        for (p, g, per, _v), turned in _bump_refs(VolunteerPresence, self.presence,
                                                  ("unit_path", "grain", "period", "volunteer_id")):
            d = deltas.setdefault((p, g, per, ""), {})
            d["volunteers"] = d.get("volunteers", 0) + turned
        rows = {k: [d.get(n, 0) for n in COUNTERS] for k, d in deltas.items() if any(d.values())}
        upsert_add(Rollup, ("unit_path", "grain", "period", "category"), COUNTERS, rows)


def upsert_add(model, key_fields: tuple[str, ...], add_fields: tuple[str, ...], rows: dict[tuple, list[int]],
                returning: bool = False) -> dict[tuple, list[int]]:
    """``INSERT … ON CONFLICT (key) DO UPDATE SET f = f + excluded.f`` for many keys in one statement per batch.

    A missing row is created with the deltas (every counter defaults to 0); an existing one is moved by them. Rows
    are written in key order, so concurrent writers take the row locks in the same order (PostgreSQL's upsert locks
    each row as it reaches it; SQLite's single writer serialises anyway). With ``returning`` the new values of the
    ``add_fields`` come back, by key."""
    table = connection.ops.quote_name(model._meta.db_table)
    q = connection.ops.quote_name
    cols = [*key_fields, *add_fields]
    row_sql = f"({', '.join(['%s'] * len(cols))})"
    sets = ", ".join(f"{q(f)} = {table}.{q(f)} + excluded.{q(f)}" for f in add_fields)
    tail = f" RETURNING {', '.join(q(c) for c in cols)}" if returning else ""
    out: dict[tuple, list[int]] = {}
    keys = sorted(rows)
    with connection.cursor() as cur:
        for i in range(0, len(keys), UPSERT_BATCH):
            chunk = keys[i:i + UPSERT_BATCH]
            params = [v for k in chunk for v in (*k, *rows[k])]
            cur.execute(f"INSERT INTO {table} ({', '.join(q(c) for c in cols)}) VALUES "
                        f"{', '.join([row_sql] * len(chunk))} ON CONFLICT ({', '.join(q(f) for f in key_fields)}) "
                        f"DO UPDATE SET {sets}{tail}", params)
            if returning:
                n = len(key_fields)
                out.update({tuple(r[:n]): list(r[n:]) for r in cur.fetchall()})
    return out


def _bump_refs(model, deltas: dict, fields: tuple[str, ...]):
    """Move reference counts; yield (key, +1) for each 0→positive and (key, -1) for each positive→0."""
    deltas = {k: d for k, d in deltas.items() if d}
    if not deltas:
        return
    after = upsert_add(model, fields, ("refs",), {k: [d] for k, d in deltas.items()}, returning=True)
    for key in sorted(deltas):
        now = after[key][0]
        before = now - deltas[key]
        if before <= 0 < now:
            yield key, 1
        elif now <= 0 < before:
            yield key, -1


# --- event handlers (subscribed in ReportsConfig.ready) ---------------------------------------------------


def on_record_added(*, record, replaced=None, **_payload) -> None:
    ch = Changes(levels())
    if replaced is not None:
        ch.record(replaced, -1)
    ch.record(record, +1)
    ch.apply()


def on_status_changed(*, activity, from_status: str, to_status: str, **_payload) -> None:
    from gongzhi.activities.models import ActivityStatus

    sign = int(to_status == ActivityStatus.FINISHED) - int(from_status == ActivityStatus.FINISHED)
    if not sign:
        return
    ch = Changes(levels())
    ch.add(ch.activity_keys(activity.pk), "activities", sign)
    ch.apply()


def on_beneficiaries_recorded(*, row, replaced=None, **_payload) -> None:
    ch = Changes(levels())
    ch.add(ch.activity_keys(row.activity_id), "beneficiaries", row.count - (replaced.count if replaced else 0))
    if replaced is not None and replaced.activity_id != row.activity_id:
        ch.add(ch.activity_keys(row.activity_id), "beneficiaries", replaced.count)
        ch.add(ch.activity_keys(replaced.activity_id), "beneficiaries", -replaced.count)
    ch.apply()


# --- recomputation from the base tables ---------------------------------------------------------------------


def _sql_month(expr: str) -> str:
    if connection.vendor == "postgresql":
        return f"to_char({expr}, 'YYYY-MM')"
    return f"strftime('%%Y-%%m', {expr})"


def _sql_local_date(expr: str) -> str:
    """The local date of a stored timestamp (the deployment's zone has no daylight saving: Asia/Shanghai)."""
    if connection.vendor == "postgresql":
        return f"(({expr}) AT TIME ZONE '{settings.TIME_ZONE}')::date"
    offset = timezone.localtime(timezone.now()).utcoffset()
    return f"date({expr}, '{int(offset.total_seconds() // 3600):+d} hours')"


CURRENT_RECORD = ("r.kind IN ('original', 'correction') AND NOT EXISTS "
                  "(SELECT 1 FROM hours_servicerecord s WHERE s.supersedes_id = r.id)")
CURRENT_BENEFICIARY = "NOT EXISTS (SELECT 1 FROM activities_beneficiarycount s WHERE s.supersedes_id = b.id)"


def _rows(sql: str, params=()) -> list[tuple]:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def _execute(sql: str, params=()) -> None:
    with connection.cursor() as cur:
        cur.execute(sql, params)


def _activity_leaf_sql(select: str, source: str, where: str = "1=1") -> str:
    month = _sql_month(_sql_local_date("a.starts_at"))
    return (f"SELECT u.path, {month}, c.code, {select} FROM {source} "
            "JOIN activities_activity a ON a.id = x.activity_id JOIN org_unit u ON u.id = a.unit_id "
            f"JOIN activities_category c ON c.id = a.category_id WHERE {where} GROUP BY u.path, {month}, c.code")


def _leaf_counters(participations: list[tuple] | None = None) -> list[tuple[str, str, str, str, int]]:
    """(leaf unit path, month, category, counter, value) from the base tables, each a GROUP BY scan."""
    out = []
    month = _sql_month("r.day")
    for path, m, cat, n, e4 in _rows(
        f"SELECT r.unit_path, {month}, c.code, COUNT(*), SUM(CAST(ROUND(r.hours * 10000) AS BIGINT)) "
        "FROM hours_servicerecord r JOIN activities_activity a ON a.id = r.activity_id "
        f"JOIN activities_category c ON c.id = a.category_id WHERE {CURRENT_RECORD} "
        f"GROUP BY r.unit_path, {month}, c.code"
    ):
        out += [(path, m, cat, "records", n), (path, m, cat, "hours_e4", int(e4))]
    held = _activity_leaf_sql("COUNT(*)", "(SELECT id AS activity_id, status FROM activities_activity) x",
                              "x.status = 'finished'")
    out += [(p, m, c, "activities", n) for p, m, c, n in _rows(held)]
    ben = _activity_leaf_sql(
        "SUM(x.count)", f"(SELECT b.activity_id, b.count FROM activities_beneficiarycount b "
                        f"WHERE {CURRENT_BENEFICIARY}) x")
    out += [(p, m, c, "beneficiaries", int(n)) for p, m, c, n in _rows(ben)]
    if participations is None:
        part = _activity_leaf_sql("COUNT(*)", "(SELECT activity_id FROM reports_participationref WHERE refs > 0) x")
        participations = _rows(part)
    out += [(p, m, c, "participations", n) for p, m, c, n in participations]
    return out


def _expand(leaf, lv: list[int]) -> dict[RollupKey, dict[str, int]]:
    totals: dict[RollupKey, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for path, month, cat, name, value in leaf:
        if not value:
            continue
        for p in ancestors(path, lv):
            for g, per in periods_of_month(month):
                totals[(p, g, per, "")][name] += value
                totals[(p, g, per, cat)][name] += value
    return totals


def _presence_leaf_sql() -> str:
    month = _sql_month("r.day")
    return (f"SELECT r.unit_path AS unit_path, {month} AS period, r.volunteer_id AS volunteer_id, COUNT(*) AS refs "
            f"FROM hours_servicerecord r WHERE {CURRENT_RECORD} GROUP BY r.unit_path, {month}, r.volunteer_id")


PARTICIPATION_SQL = (f"SELECT r.activity_id, r.volunteer_id, COUNT(*) FROM hours_servicerecord r "
                     f"WHERE {CURRENT_RECORD} GROUP BY r.activity_id, r.volunteer_id")


BASE_TABLES = ("hours_servicerecord", "activities_activity", "activities_beneficiarycount", "activities_category",
               "org_unit")


def _analyze() -> None:
    """Fresh planner statistics on PostgreSQL: rows bulk-loaded in the same transaction (the demo, a restore) are
    invisible to autovacuum, and with empty-table estimates the anti-joins below run as nested loops (minutes)."""
    if connection.vendor == "postgresql":
        for table in BASE_TABLES:
            _execute(f"ANALYZE {table}")


@transaction.atomic
def rebuild(log=lambda _msg: None) -> dict[str, int]:
    """Recompute every rollup from the base tables: set-based SQL for the big tables, in one transaction (and the
    registered counts, ``registry.py``, with them)."""
    from . import registry

    lv = levels()
    _analyze()
    if connection.vendor == "postgresql":  # big GROUP BYs: hash them in memory rather than sort on disk
        _execute("SET LOCAL work_mem = '256MB'")
        _execute("SET LOCAL maintenance_work_mem = '256MB'")
    _execute("DELETE FROM reports_rollup")
    _execute("DELETE FROM reports_volunteerpresence")
    _execute("DELETE FROM reports_participationref")
    _execute(f"INSERT INTO reports_participationref (activity_id, volunteer_id, refs) {PARTICIPATION_SQL}")
    log("participation refs")
    _execute("DROP TABLE IF EXISTS reports_presence_leaf")
    _execute(f"CREATE TEMPORARY TABLE reports_presence_leaf AS {_presence_leaf_sql()}")
    log("presence leaf")
    for n in lv:
        for grain, period in _GRAINS:
            _execute(
                "INSERT INTO reports_volunteerpresence (unit_path, grain, period, volunteer_id, refs) "
                f"SELECT substr(unit_path, 1, {n}), '{grain}', {period}, volunteer_id, SUM(refs) "
                f"FROM reports_presence_leaf WHERE length(unit_path) >= {n} "
                f"GROUP BY substr(unit_path, 1, {n}), {period + ', ' if grain != Grain.ALL else ''}volunteer_id")
        log(f"presence level {n}")
    _execute("DROP TABLE reports_presence_leaf")
    _rollups_insert(_leaf_counters(), lv)
    # volunteers: the distinct volunteers present in each bucket, on its every-category row (made when missing)
    _execute(
        f"INSERT INTO reports_rollup ({', '.join(_ROLLUP_COLUMNS)}) "
        "SELECT unit_path, grain, period, '', 0, 0, COUNT(*), 0, 0, 0 FROM reports_volunteerpresence "
        "WHERE refs > 0 GROUP BY unit_path, grain, period "
        "ON CONFLICT (unit_path, grain, period, category) DO UPDATE SET volunteers = excluded.volunteers")
    log("rollups")
    registered = registry.rebuild()
    log("registered counts")
    return {"rollups": Rollup.objects.count(), "presence": VolunteerPresence.objects.count(),
            "participations": ParticipationRef.objects.count(), "registered": registered}


_QUARTER = "substr(period, 1, 5) || 'Q' || CAST((CAST(substr(period, 6, 2) AS INTEGER) + 2) / 3 AS TEXT)"
# each grain's period computed from a month column named ``period`` ("2025-03")
_GRAINS = ((Grain.MONTH, "period"), (Grain.QUARTER, _QUARTER), (Grain.YEAR, "substr(period, 1, 4)"),
           (Grain.ALL, f"'{ALL_PERIOD}'"))
_COUNTERS = ("activities", "participations", "records", "hours_e4", "beneficiaries")
_ROLLUP_COLUMNS = ("unit_path", "grain", "period", "category", "activities", "participations", "volunteers",
                   "records", "hours_e4", "beneficiaries")


def _rollups_insert(leaf, lv: list[int]) -> None:
    """Every rollup row from the leaf counters, as :func:`_expand` would make them, in set-based SQL.

    The leaf rows (one per unit, month and category: about one per activity) go to a temporary table; each level,
    grain and category choice is then one INSERT … SELECT … GROUP BY. A province (113,000 units, 10 M records)
    makes 3.8 M rollup rows, which as Python objects took over 4 GB and half an hour."""
    merged: dict[tuple[str, str, str], list[int]] = {}
    for path, month, cat, name, value in leaf:
        if value:  # as _expand: a counter of 0 makes no row
            merged.setdefault((path, month, cat), [0] * len(_COUNTERS))[_COUNTERS.index(name)] += value
    _execute("DROP TABLE IF EXISTS reports_rollup_leaf")
    _execute("CREATE TEMPORARY TABLE reports_rollup_leaf (unit_path varchar(24), period varchar(7), "
             f"category varchar(40), {', '.join(f'{c} bigint' for c in _COUNTERS)})")
    rows = [(*key, *values) for key, values in merged.items()]
    with connection.cursor() as cur:
        for i in range(0, len(rows), BATCH):
            cur.executemany(f"INSERT INTO reports_rollup_leaf VALUES ({', '.join(['%s'] * 8)})", rows[i:i + BATCH])
    sums = ", ".join(f"SUM({c})" for c in _COUNTERS[:2]) + ", 0, " + ", ".join(f"SUM({c})" for c in _COUNTERS[2:])
    # a unit's rows go to each ancestor level and to the unit itself (ancestors()): a path whose length is a level
    # is its own level's row; any other length gets its own pass
    passes = [(f"substr(unit_path, 1, {n})", f"length(unit_path) >= {n}") for n in lv]
    passes.append(("unit_path", f"length(unit_path) NOT IN ({', '.join(map(str, lv))})" if lv else "1 = 1"))
    for unit, where in passes:
        for grain, period in _GRAINS:
            group = f"{unit}, {period}" if grain != Grain.ALL else unit
            for category, by in (("category", ", category"), ("''", "")):
                _execute(f"INSERT INTO reports_rollup ({', '.join(_ROLLUP_COLUMNS)}) "
                         f"SELECT {unit}, '{grain}', {period}, {category}, {sums} FROM reports_rollup_leaf "
                         f"WHERE {where} GROUP BY {group}{by}")
    _execute("DROP TABLE reports_rollup_leaf")


def check() -> list[str]:
    """Differences between the stored (incremental) rollups and registered counts and a recomputation; empty when
    they agree."""
    from . import registry

    lv = levels()
    _analyze()
    problems: list[str] = []

    want_refs = {(a, v): n for a, v, n in _rows(PARTICIPATION_SQL)}
    have_refs = {(a, v): n for a, v, n in ParticipationRef.objects.filter(~Q(refs=0))
                 .values_list("activity_id", "volunteer_id", "refs")}
    problems += _diff("participation", want_refs, have_refs)

    want_presence: dict[tuple, int] = defaultdict(int)
    for path, month, vol, n in _rows(_presence_leaf_sql()):
        for p in ancestors(path, lv):
            for g, per in periods_of_month(month):
                want_presence[(p, g, per, vol)] += n
    have_presence = {k[:4]: k[4] for k in VolunteerPresence.objects.filter(~Q(refs=0)).values_list(
        "unit_path", "grain", "period", "volunteer_id", "refs")}
    problems += _diff("presence", dict(want_presence), have_presence)

    part = defaultdict(int)
    facts = {a: (p, m, c) for a, p, m, c in _rows(
        f"SELECT a.id, u.path, {_sql_month(_sql_local_date('a.starts_at'))}, c.code FROM activities_activity a "
        "JOIN org_unit u ON u.id = a.unit_id JOIN activities_category c ON c.id = a.category_id")}
    for (activity_id, _v) in want_refs:
        part[facts[activity_id]] += 1
    totals = _expand(_leaf_counters([(*k, n) for k, n in part.items()]), lv)
    for (p, g, per, _v) in want_presence:
        totals[(p, g, per, "")]["volunteers"] += 1
    want = {k: tuple(v.get(n, 0) for n in COUNTERS) for k, v in totals.items() if any(v.values())}
    have = {}
    for row in Rollup.objects.values_list("unit_path", "grain", "period", "category", *COUNTERS):
        if any(row[4:]):
            have[row[:4]] = tuple(row[4:])
    problems += _diff("rollup", want, have)
    problems += registry.check()
    return problems


def _diff(label: str, want: dict, have: dict) -> list[str]:
    out = []
    for k in sorted(set(want) | set(have), key=str):
        if want.get(k) != have.get(k):
            out.append(f"{label} {k}: expected {want.get(k)} stored {have.get(k)}")
    return out
