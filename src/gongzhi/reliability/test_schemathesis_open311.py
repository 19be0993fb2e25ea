"""schemathesis against ``/open311/v2/openapi.json`` (the GeoReport v2 endpoints in JSON): no 5xx, and every answer's
status code, content type and body match the document — with real service codes, request numbers, tokens and an
issued api key, so generated requests reach the selectors and the filing service, not only the refusals."""

from __future__ import annotations

import os
from decimal import Decimal

import pytest

from gongzhi.appeals import services as appeal_services
from gongzhi.open311 import services
from gongzhi.open311.openapi import document

from .schemathesis_support import in_process_app, load_wsgi, walk_schema

MAX_EXAMPLES = int(os.environ.get("GONGZHI_SCHEMATHESIS_EXAMPLES", "15"))


def _filed(world, key_client, n: int):
    """Requests filed through Open311, the first accepted and resolved (so it has updates and a closed status)."""
    links = [services.request_create(client=key_client, data=services.RequestInput(
        service_code="C01", description=f"永兴路{i}号路灯不亮", latitude=Decimal("36.21"), longitude=Decimal("117.81"),
        address_string=f"永兴路{i}号", attributes={"urgency": ["urgent"] if i == 0 else []})) for i in range(n)]
    district = world.user("district")
    appeal = links[0].appeal
    appeal_services.appeal_accept(appeal=appeal, actor=district)
    return links


@pytest.mark.django_db
def test_every_georeport_operation_answers_as_its_document_says(world):
    client, key = services.api_client_issue(name="随手拍App", unit=world.district, actor=world.user("district"))
    links = _filed(world, client, 3)
    known = {
        "/services/{service_code}.json": {"path_parameters": {"service_code": "C01"}},
        "/requests/{service_request_id}.json": {"path_parameters": {"service_request_id": links[0].appeal.number},
                                                "query": {"extensions": "true"}},
        "/tokens/{token}.json": {"path_parameters": {"token": links[1].token}},
        "/servicerequestupdates.json": {"query": {"extensions": "true"}},
        "/requests.json": {"query": {"extensions": "true", "status": "open,closed"}},
    }
    post = {"api_key": key, "service_code": "C01", "lat": 36.21, "long": 117.81, "description": "里辛路井盖缺失",
            "attribute[urgency]": "urgent"}

    def known_request(operation):
        if operation.method.upper() == "POST":
            return {"body": post, "fill": {"api_key": key}}
        return known.get(operation.path)

    with in_process_app() as app:
        schema = load_wsgi("/open311/v2/openapi.json", app)
        walk = walk_schema(schema, headers={}, max_examples=MAX_EXAMPLES, known=known_request)
    print(f"schemathesis open311: {walk.operations} operations, {walk.cases} cases, statuses {walk.summary()}")
    assert not walk.failures, walk.report()
    assert walk.operations == 8
    # the known-good requests got through: a filing was accepted, a request and a token were found
    for label in ("POST /requests.json", "GET /requests/{service_request_id}.json", "GET /tokens/{token}.json"):
        assert walk.by_operation[(label, 200)] >= 1, label


def test_the_document_names_every_georeport_resource():
    paths = document()["paths"]
    assert set(paths) == {"/discovery.json", "/services.json", "/services/{service_code}.json", "/requests.json",
                          "/requests/{service_request_id}.json", "/tokens/{token}.json",
                          "/servicerequestupdates.json"}
    assert set(paths["/requests.json"]) == {"get", "post"}
