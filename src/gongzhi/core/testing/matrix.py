"""Machinery of the scoping matrix (``accounts/tests/test_scoping_matrix.py``), shared with every app.

An app with API endpoints adds a module ``gongzhi/<app>/tests/matrix.py`` holding ``CASES: dict[(method, path), Case]``;
the matrix test collects them all, and fails for an endpoint that no module covers. A case's ``prepare(ctx)`` builds the
app's own targets (kept in ``ctx.cache``) once per test; builders then run inside a rolled-back savepoint per request.
"""

from __future__ import annotations

import importlib
import importlib.util
import io
from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.db import transaction
from python_calamine import CalamineWorkbook

from gongzhi.conftest import ApiClient

ROLES = [
    "district", "street", "street_b", "community", "community_b", "grid", "socialworker", "socialworker2",
    "teamleader", "mediator", "observer", "volunteer", "resident", "merchant", "norole",
]


def table(text: str) -> dict[str, dict[str, str]]:
    """Parse a whitespace table: header row of targets, then ``role[,role...]  cell cell ...`` rows."""
    rows = [line.split("#")[0].split() for line in text.strip().splitlines()]
    rows = [r for r in rows if r]
    header, out, star = rows[0], {}, None
    for label, *cells in rows[1:]:
        assert len(cells) == len(header), f"row {label!r} has {len(cells)} cells for {len(header)} targets"
        if label == "*":
            star = dict(zip(header, cells, strict=True))
            continue
        for role in label.split(","):
            assert role in ROLES, f"unknown role {role!r}"
            assert role not in out, f"role {role!r} twice"
            out[role] = dict(zip(header, cells, strict=True))
    for role in ROLES:
        if role not in out:
            assert star is not None, f"role {role!r} missing from table"
            out[role] = star
    return out


@dataclass
class Ctx:
    w: object
    users: dict
    clients: dict[str, ApiClient]
    units: dict
    people: dict  # targets G A A2 B R: residents who are not volunteers
    volunteers: dict  # targets G A A2 B: applied volunteers
    teams: dict
    assignments: dict
    logs: dict
    import_jobs: dict
    cache: dict = field(default_factory=dict)
    prepared: set = field(default_factory=set)


class Multipart(dict):
    """A form upload body (the import endpoint takes a file, not JSON)."""


def content(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def parsed(response):
    """JSON, or for an xlsx download the set of cell texts below the header row."""
    if not response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        return response.json()
    rows = CalamineWorkbook.from_filelike(io.BytesIO(content(response))).get_sheet_by_index(0).to_python()
    return {str(cell) for row in rows[1:] for cell in row}


@dataclass
class Case:
    table: dict
    build: Callable[[Ctx, str, str], tuple[str, dict | None]]
    listed: Callable[[object, Ctx, str], bool] | None = None  # list endpoints: is target t in the response?
    # an app's own fixtures, built once per test before the first request (kept in ctx.cache)
    prepare: Callable[[Ctx], None] | None = None


def ids(body) -> set[int]:
    return {x["id"] for x in (body["items"] if isinstance(body, dict) else body)}


def tree_ids(nodes) -> set[int]:
    out = set()
    for n in nodes:
        out.add(n["id"])
        out |= tree_ids(n["children"])
    return out


def send(client: ApiClient, method: str, url: str, body):
    if isinstance(body, Multipart):
        return client.client.post(client._url(url), dict(body), **client.headers)
    fn = getattr(client, method.lower())
    return fn(url) if method in ("GET", "DELETE") else fn(url, body)


def run_case(ctx: Ctx, matrix: dict, key: tuple[str, str]) -> list[str]:
    """Every (role, target) of one endpoint; returns the cells that differ from the table."""
    method, _ = key
    case = matrix[key]
    if case.prepare is not None and case.prepare not in ctx.prepared:
        case.prepare(ctx)
        ctx.prepared.add(case.prepare)
    problems = []
    for role in ROLES:
        expected = case.table[role]
        client = ctx.clients[role]
        if case.listed is not None:
            with transaction.atomic():
                url, body = case.build(ctx, role, "")
                r = send(client, method, url, body)
                transaction.set_rollback(True)
            body = parsed(r) if r.status_code == 200 else None
            for t, want in expected.items():
                got = "+" if body is not None and case.listed(body, ctx, t) else "-"
                if want == "403" or r.status_code != 200:
                    got = str(r.status_code)
                if got != want:
                    problems.append(f"{role:14} {t:5} expected {want} got {got}")
            continue
        for t, want in expected.items():
            with transaction.atomic():
                url, body = case.build(ctx, role, t)
                r = send(client, method, url, body)
                transaction.set_rollback(True)
            if str(r.status_code) != want:
                problems.append(f"{role:14} {t:5} expected {want} got {r.status_code}: {content(r)[:120]!r}")
            elif r.status_code in (403, 404):
                assert r.json()["code"] in ("forbidden", "not_found"), r.content
    return problems


def _matrix_modules():
    for config in apps.get_app_configs():
        name = f"{config.name}.tests.matrix"
        if not config.name.startswith("gongzhi.") or importlib.util.find_spec(f"{config.name}.tests") is None:
            continue
        if importlib.util.find_spec(name) is not None:
            yield importlib.import_module(name)


def app_endpoint_sets(attr: str) -> set:
    """The union of every app matrix module's ``SELF_SERVICE`` or ``PUBLIC`` set of (method, path)."""
    out: set = set()
    for module in _matrix_modules():
        out |= set(getattr(module, attr, ()))
    return out


def app_cases() -> dict:
    """Every installed app's ``tests.matrix.CASES``, merged (a key defined twice is an error)."""
    out: dict = {}
    for module in _matrix_modules():
        cases = module.CASES
        twice = set(out) & set(cases)
        assert not twice, f"matrix rows defined twice: {twice}"
        out.update(cases)
    return out
