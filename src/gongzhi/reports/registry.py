"""The dashboard's "registered now" figures, kept as counts per unit path (``RegisteredCount``).

What is counted: volunteers whose status is ``active``, and active organisations (teams apart: kind ``team``), at
the unit they belong to and every ancestor of it (as the rollups, :func:`rollups.ancestors`), so a unit's figure and
each child's are one indexed row each, whatever the number of volunteers below (counting them on every dashboard
was most of its time: a scan of the subtree's volunteers).

Kept in the publisher's transaction from two events: ``people.volunteer_status_changed`` (a volunteer becomes or
stops being active) and ``org.organisation_changed`` (an organisation created, or edited in the back office). Bulk
writers that publish nothing (the scale-data generator, the demo) end with ``gongzhi rollups --rebuild``, which
recomputes these counts too; ``--check`` compares them.
"""

from __future__ import annotations

from collections import defaultdict

from django.db import connection, transaction

from gongzhi.core import hotreads
from gongzhi.org.models import OrgKind
from gongzhi.people.models import VolunteerStatus

from .models import RegisteredCount
from .rollups import ancestors, levels, upsert_add

FIELDS = ("volunteers", "organisations", "teams")


def _organisation_field(kind: str) -> str:
    return "teams" if kind == OrgKind.TEAM else "organisations"


def _move(deltas: dict[str, dict[str, int]]) -> None:
    """Add ``{unit_path: {field: delta}}`` at each path and every ancestor, in one upsert."""
    lv = levels()
    rows: dict[tuple, list[int]] = defaultdict(lambda: [0] * len(FIELDS))
    for path, moves in deltas.items():
        for p in ancestors(path, lv):
            for name, delta in moves.items():
                rows[(p,)][FIELDS.index(name)] += delta
    rows = {k: v for k, v in rows.items() if any(v)}
    if rows:
        with transaction.atomic(savepoint=False):
            upsert_add(RegisteredCount, ("unit_path",), FIELDS, rows)


# --- event handlers (subscribed in ReportsConfig.ready) ---------------------------------------------------


def on_volunteer_status_changed(*, profile, from_status: str, to_status: str, **_payload) -> None:
    sign = int(to_status == VolunteerStatus.ACTIVE) - int(from_status == VolunteerStatus.ACTIVE)
    if sign:
        _move({profile.unit.path: {"volunteers": sign}})


def on_organisation_changed(*, organisation, before=None, **_payload) -> None:
    deltas: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    if before is not None and before.active:
        deltas[before.unit.path][_organisation_field(before.kind)] -= 1
    if organisation.active:
        deltas[organisation.unit.path][_organisation_field(organisation.kind)] += 1
    _move(deltas)


# --- reads, recomputation, verification -------------------------------------------------------------------


def counts(paths: list[str]) -> dict[str, dict[str, int]]:
    """The counts at each of ``paths`` (zeros where nothing is registered): one indexed read, by hand as the
    dashboard's other reads (``core.hotreads``)."""
    found = {r.pop("unit_path"): r for r in hotreads.rows(
        RegisteredCount, f"SELECT unit_path, {', '.join(FIELDS)} FROM {RegisteredCount._meta.db_table} "
                         f"WHERE unit_path IN ({hotreads.marks(paths)})", paths)}
    return {p: found.get(p) or dict.fromkeys(FIELDS, 0) for p in paths}


# per unit, from the base tables: one GROUP BY each (a province has about 113,000 units)
_LEAF_SQL = (
    "SELECT u.path, x.volunteers, x.organisations, x.teams FROM ("
    " SELECT unit_id, COUNT(*) AS volunteers, 0 AS organisations, 0 AS teams FROM people_volunteerprofile"
    " WHERE status = 'active' GROUP BY unit_id"
    " UNION ALL SELECT unit_id, 0, SUM(CASE WHEN kind = 'team' THEN 0 ELSE 1 END),"
    " SUM(CASE WHEN kind = 'team' THEN 1 ELSE 0 END) FROM org_organisation WHERE active GROUP BY unit_id"
    ") x JOIN org_unit u ON u.id = x.unit_id"
)


def recompute() -> dict[str, list[int]]:
    """``{unit_path: [volunteers, organisations, teams]}`` as the base tables say now (non-zero rows only)."""
    lv = levels()
    out: dict[str, list[int]] = defaultdict(lambda: [0] * len(FIELDS))
    with connection.cursor() as cur:
        cur.execute(_LEAF_SQL)
        for path, *values in cur.fetchall():
            for p in ancestors(path, lv):
                for i, v in enumerate(values):
                    out[p][i] += int(v)
    return {p: v for p, v in out.items() if any(v)}


def rebuild() -> int:
    """Replace every count with a recomputation (inside the caller's transaction: ``rollups.rebuild``)."""
    want = recompute()
    RegisteredCount.objects.all().delete()
    upsert_add(RegisteredCount, ("unit_path",), FIELDS, {(p,): v for p, v in want.items()})
    return len(want)


def check() -> list[str]:
    """Differences between the stored counts and a recomputation; empty when they agree."""
    want = {p: tuple(v) for p, v in recompute().items()}
    have = {p: tuple(v) for p, *v in RegisteredCount.objects.values_list("unit_path", *FIELDS) if any(v)}
    return [f"registered {p}: expected {want.get(p)} stored {have.get(p)}"
            for p in sorted(set(want) | set(have)) if want.get(p) != have.get(p)]
