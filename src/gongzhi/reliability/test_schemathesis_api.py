"""schemathesis against ``/api/v1/openapi.json``: no 5xx, and every answer's status code, content type and body match
what the schema declares — for the district admin (sees everything) and a community worker (scoped to 永兴社区), so
that generated requests get past the permission checks into the services.

The data is the scoping matrix's world and targets (every app's ``tests/matrix.py`` ``prepare``); each operation is
sent once with the matrix's own request for target A (a known-good request: its success answer is checked against
the schema too), then with generated cases, about half of them on the matrix's real ids. Each request runs in a
rolled-back savepoint, so DELETE /me/tokens/… or a role revocation cannot hollow out the cases after it.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.db import transaction

from gongzhi.accounts.services import token_create
from gongzhi.accounts.tests.test_scoping_matrix import ctx  # noqa: F401 - the matrix's world is this test's data
from gongzhi.api import api as ninja_api
from gongzhi.core.testing.matrix import Multipart, app_cases

from .schemathesis_support import in_process_app, load_wsgi, walk_schema

# generated cases per operation per role: small for the normal suite; a deeper hunt sets the variable
MAX_EXAMPLES = int(os.environ.get("GONGZHI_SCHEMATHESIS_EXAMPLES", "3"))
MATRIX = app_cases()


def _known(ctx, role: str):  # noqa: F811 - ctx is the imported fixture's value
    """The matrix's request for target A, as schemathesis case parts (path parameters parsed from its URL)."""

    def known(operation):
        case = MATRIX.get((operation.method.upper(), operation.path))
        if case is None:
            return None
        url, body = case.build(ctx, role, "A")
        parts = urlsplit(url if url.startswith("/") else f"/api/v1/{url}")
        names = re.findall(r"\{([^}]+)\}", operation.path)
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "([^/]+)", re.escape(operation.path)) + "$"
        match = re.match(pattern, parts.path)
        if match is None:
            return None
        request = {"path_parameters": dict(zip(names, match.groups(), strict=True)) or None,
                   "query": dict(parse_qsl(parts.query)) or None}
        if body is not None and not isinstance(body, Multipart):
            request["body"] = json.loads(json.dumps(body, default=str))
        return request

    return known


def _prepare_of(operation):
    """Operations are grouped by the matrix ``prepare`` that builds their targets (one per app, mostly)."""
    case = MATRIX.get((operation.method.upper(), operation.path))
    return case.prepare if case is not None else None


def _targets(ctx):  # noqa: F811
    """A group's targets (its app's ``prepare``) in a savepoint of their own, rolled back after the group: the apps'
    prepares are written to run one at a time, as the matrix runs them."""

    @contextlib.contextmanager
    def around(prepare):
        cache, prepared = dict(ctx.cache), set(ctx.prepared)
        with transaction.atomic():
            try:
                if prepare is not None:
                    prepare(ctx)
                    ctx.prepared.add(prepare)
                yield
            finally:
                transaction.set_rollback(True)
                ctx.cache, ctx.prepared = cache, prepared

    return around


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["district", "community"])
def test_every_operation_answers_as_the_schema_says(ctx, role):  # noqa: F811
    _, key = token_create(user=ctx.users[role], name="schemathesis")
    with in_process_app() as app:
        schema = load_wsgi("/api/v1/openapi.json", app)
        walk = walk_schema(schema, headers={"Authorization": f"Bearer {key}"}, max_examples=MAX_EXAMPLES,
                           known=_known(ctx, role), group=_prepare_of,
                           around=_targets(ctx))
    print(f"schemathesis {role}: {walk.operations} operations, {walk.cases} cases, statuses {walk.summary()}")
    assert not walk.failures, walk.report()
    assert walk.operations > 200
    # the token held throughout (each case rolled back), and the matrix's requests got past the checks
    assert walk.statuses[401] == 0, walk.summary()
    assert walk.statuses[201] >= 25 and walk.statuses[200] >= 200, walk.summary()


def _response_schema(document, method: str, path: str, status: int = 200) -> dict:
    schema = document["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]
    schema = schema.get("items", schema)
    return document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]


def test_two_apps_classes_of_one_name_are_two_components():
    """accounts' and hours' ``TokenOut`` used to be one component (the last merged won): the document described
    GET /me/tokens with the check-in token's fields."""
    document = ninja_api.get_openapi_schema()
    assert "name" in _response_schema(document, "get", "/api/v1/me/tokens")["properties"]
    assert "activity_id" in _response_schema(document, "get", "/api/v1/activities/{activity_id}/checkin-token")[
        "properties"]


def test_every_operation_declares_the_shared_refusals_in_the_error_shape():
    document = ninja_api.get_openapi_schema()
    assert set(document["components"]["schemas"]["ErrorOut"]["required"]) == {"code", "message", "detail"}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            assert {400, 403, 404, 409, 422} <= set(operation["responses"]), (method, path)
            assert (401 in operation["responses"]) == bool(operation.get("security")), (method, path)


def test_every_success_answer_declares_its_media_type():
    """The xlsx and PDF downloads declared a bare 200: a client generated from the document expected JSON."""
    document = ninja_api.get_openapi_schema()
    bare = [(method, path) for path, operations in document["paths"].items()
            for method, operation in operations.items()
            for status, response in operation["responses"].items() if status < 300 and "content" not in response]
    assert not bare
    pdf = document["paths"]["/api/v1/recognition/certificates/{certificate_id}/pdf"]["get"]["responses"][200]
    assert list(pdf["content"]) == ["application/pdf"]
