"""Running schemathesis inside the normal test suite: the Django WSGI app in-process, the pytest-django test database,
fixed settings, every case in a rolled-back savepoint, every failure collected (not shrunk) into one report.

Why not ``@schema.parametrize()``: its tests are hypothesis tests, and pytest-django's ``db`` fixture is
function-scoped — the world and targets would be built once for all examples of an operation, and a DELETE example
would hollow them out for the next. Here one test builds the data, then walks the operations; each operation gets a
hypothesis ``@given`` of its own and each example runs in a savepoint that is rolled back.
"""

from __future__ import annotations

import collections
import contextlib
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import got_request_exception, request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def config() -> SchemathesisConfig:
    """Settings in code, not a schemathesis.toml: deterministic generation, no example database."""
    cfg = SchemathesisConfig()
    cfg.projects.default.generation.update(deterministic=True, database="none")
    return cfg


def hypothesis_settings(max_examples: int) -> settings:
    """Derandomized, no database, no shrinking (a failure is recorded and the walk goes on), no deadline (the
    machine is shared; time is measured by the suite's wall time, not per example)."""
    return settings(max_examples=max_examples, derandomize=True, database=None, deadline=None,
                    phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck),
                    print_blob=False)


@contextlib.contextmanager
def in_process_app() -> Iterator[WSGIHandler]:
    """The Django WSGI handler on the test database connection: like Django's test client, requests do not close
    the connection (it holds the test's transaction). A view's exception becomes a 500 answer, as in production;
    ``walk_schema`` keeps its traceback for the report."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@dataclass
class Walk:
    """The outcome of walking a schema: which operations ran how many cases, and every failure found."""

    operations: int = 0
    cases: int = 0
    failures: list[str] = field(default_factory=list)
    statuses: collections.Counter = field(default_factory=collections.Counter)
    by_operation: collections.Counter = field(default_factory=collections.Counter)  # (label, status) → cases
    _seen: set = field(default_factory=set)
    _exceptions: list[str] = field(default_factory=list)

    def record(self, label: str, text: str) -> None:
        key = (label, text.splitlines()[0] if text else "")
        if key not in self._seen:
            self._seen.add(key)
            self.failures.append(f"{label}\n{text}")

    def summary(self) -> str:
        return ", ".join(f"{status}×{n}" for status, n in sorted(self.statuses.items()))

    def report(self) -> str:
        return f"{len(self.failures)} failure(s) over {self.operations} operations, {self.cases} cases:\n\n" + \
            "\n\n".join(self.failures[:30])


def _on_exception(walk: Walk):
    def receiver(sender, request=None, **kwargs):
        walk._exceptions.append(traceback.format_exc(limit=-6))

    return receiver


def walk_schema(
    schema,
    *,
    headers: dict[str, str],
    max_examples: int,
    known: Callable[[object], dict | None] = lambda operation: None,
    excluded: Callable[[object], list] = lambda operation: [],
    group: Callable[[object], object] = lambda operation: None,
    around: Callable[[object], contextlib.AbstractContextManager] = lambda key: contextlib.nullcontext(),
    walk: Walk | None = None,
) -> Walk:
    """Run every operation of ``schema``: first one known-good request when ``known(operation)`` gives one (a dict of
    ``path_parameters``/``query``/``body``, and ``fill``: body fields such as a real api key; called inside the
    case's savepoint, so it may create its target), then generated cases, about half of them with the known
    request's real path parameters and ``fill`` fields. ``excluded(operation)`` names checks switched off for that
    operation alone (say why where it is used). Operations are walked in groups of equal ``group(operation)``;
    ``around(key)`` wraps a group (e.g. a savepoint holding the targets built for those operations alone)."""
    walk = walk or Walk()
    receiver = _on_exception(walk)
    got_request_exception.connect(receiver)
    try:
        groups: dict = {}
        for result in schema.get_all_operations():
            operation = result.ok()
            groups.setdefault(group(operation), []).append(operation)
        for key, operations in groups.items():
            with around(key):
                for operation in operations:
                    walk.operations += 1
                    _walk_operation(operation, walk, headers=headers, max_examples=max_examples, known=known,
                                    excluded=excluded(operation))
    finally:
        got_request_exception.disconnect(receiver)
    return walk


def _walk_operation(operation, walk: Walk, *, headers, max_examples, known, excluded) -> None:
    checks = [c for c in CHECKS if c not in excluded]

    def send(case, *, real: bool) -> None:
        """``case`` None: the known-good request itself; else a generated case, with real ids when ``real``."""
        walk._exceptions.clear()
        with transaction.atomic():
            try:
                request = known(operation) if real or case is None else None
                if case is None:
                    if not request:
                        return
                    body = request.get("body")  # sent as the operation's declared media type
                    case = operation.Case(path_parameters=request.get("path_parameters"), query=request.get("query"),
                                          **({"body": body} if body is not None else {}))
                elif request:
                    if request.get("path_parameters"):
                        case.path_parameters = {**(case.path_parameters or {}), **request["path_parameters"]}
                    if request.get("fill") and isinstance(case.body, dict):
                        case.body = {**case.body, **request["fill"]}
                walk.cases += 1
                response = case.call(headers=headers)
                walk.statuses[response.status_code] += 1
                walk.by_operation[(operation.label, response.status_code)] += 1
                case.validate_response(response, checks=checks, headers=headers)
            except FailureGroup as group:
                text = "\n".join(f"- {f.title}: {f.message[:400]}" for f in group.exceptions)
                if walk._exceptions:
                    text += "\n" + walk._exceptions[-1]
                walk.record(operation.label, text + f"\n  {case.method} {case.formatted_path} "
                                                    f"query={case.query!r} body={_short(case.body)}")
            except Exception as exc:  # noqa: BLE001 - a crash of the app or of a builder is a finding, not a stop
                walk.record(operation.label, f"- {type(exc).__name__}: {exc}\n{traceback.format_exc(limit=-6)}")
            finally:
                transaction.set_rollback(True)

    send(None, real=True)

    @hypothesis_settings(max_examples)
    @given(case=operation.as_strategy(), real=st.booleans())
    def run(case, real):
        send(case, real=real)

    run()


def _short(body) -> str:
    text = repr(body)
    return text if len(text) < 300 else text[:300] + "…"


def load_wsgi(path: str, app) -> schemathesis.schemas.BaseSchema:
    return schemathesis.openapi.from_wsgi(path, app, config=config())
