"""``/open311/v2/openapi.json``: the GeoReport endpoints described for integrators, public like the resources."""

from __future__ import annotations

import pytest
from django.urls import resolve


@pytest.mark.django_db
def test_the_document_is_public_json_with_the_absolute_base(client):
    r = client.get("/open311/v2/openapi.json")
    assert r.status_code == 200
    assert r["Content-Type"] == "application/json"
    doc = r.json()
    assert doc["openapi"].startswith("3.")
    assert doc["servers"] == [{"url": "http://testserver/open311/v2"}]
    assert "api_key" in doc["paths"]["/requests.json"]["post"]["requestBody"]["content"][
        "application/x-www-form-urlencoded"]["schema"]["required"]


def test_the_document_is_not_swallowed_by_the_unknown_resource_route():
    assert resolve("/open311/v2/openapi.json").url_name == "openapi"


@pytest.mark.django_db
def test_the_error_list_is_described_as_the_views_answer_it(client):
    doc = client.get("/open311/v2/openapi.json").json()
    error = doc["components"]["schemas"]["Error"]
    body = client.get("/open311/v2/services/NOPE.json").json()
    assert body and set(body[0]) == set(error["required"]) == {"code", "description"}
    assert "404" in doc["paths"]["/services/{service_code}.json"]["get"]["responses"]
