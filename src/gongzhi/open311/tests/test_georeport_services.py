"""GeoReport v2 discovery, service list and service definitions, in XML (the required format) and JSON."""

from __future__ import annotations

import pytest

from .conftest import BASE, children, tags

SERVICE_FIELDS = ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_discovery_names_the_spec_the_endpoint_and_both_formats(geo, world, fmt):
    status, body = geo.get("discovery", fmt)
    assert status == 200
    if fmt == "json":
        endpoint = body["endpoints"][0]
        assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
        assert endpoint["url"] == "http://testserver/open311/v2" and endpoint["type"] == "production"
        assert endpoint["formats"] == ["text/xml", "application/json"]
        assert body["changeset"] and body["contact"] and body["key_service"]
    else:
        assert body.tag == "discovery"
        assert tags(body) == ["changeset", "contact", "key_service", "endpoints"]
        endpoint = children(body.find("endpoints"), "endpoint")[0]
        assert tags(endpoint) == ["specification", "url", "changeset", "type", "formats"]
        assert [f.text for f in children(endpoint.find("formats"), "format")] == ["text/xml", "application/json"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_every_category_leaf_is_a_service_grouped_by_its_class(geo, world, fmt):
    """R-U2: 部件/事件 classes and livelihood services; the major classes are groups, not services."""
    status, body = geo.get("services", fmt)
    assert status == 200
    if fmt == "xml":
        assert body.tag == "services"
        rows = [{c.tag: c.text for c in s} for s in children(body, "service")]
        assert all(list(r) == SERVICE_FIELDS for r in rows)
        assert rows[0]["metadata"] == "true" and rows[0]["type"] == "batch"
    else:
        rows = body
        assert all(list(r) == SERVICE_FIELDS for r in rows)
        assert rows[0]["metadata"] is True
    by_code = {r["service_code"]: r for r in rows}
    assert by_code["C01"]["service_name"] == "公用设施" and by_code["C01"]["group"] == "部件"
    assert by_code["S01"]["service_name"] == "水电维修" and by_code["S01"]["group"] == "民生服务"
    assert by_code["E04"]["group"] == "事件"
    assert not {"C", "E", "S"} & set(by_code)


def test_xml_is_utf8_text_not_character_references(geo, world):
    r = geo.client.get(f"{BASE}/services.xml")
    assert "公用设施".encode() in r.content


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_service_definition_offers_urgency_as_a_single_value_list(geo, world, fmt):
    status, body = geo.get("services/S01", fmt)
    assert status == 200
    if fmt == "xml":
        assert body.tag == "service_definition" and tags(body) == ["service_code", "attributes"]
        attrs = children(body.find("attributes"), "attribute")
        first = attrs[0]
        assert tags(first) == ["variable", "code", "datatype", "required", "datatype_description", "order",
                               "description", "values"]
        assert first.findtext("code") == "urgency" and first.findtext("datatype") == "singlevaluelist"
        assert first.findtext("variable") == "true" and first.findtext("required") == "false"
        values = [(v.findtext("key"), v.findtext("name")) for v in children(first.find("values"), "value")]
    else:
        assert body["service_code"] == "S01"
        first = body["attributes"][0]
        assert first["code"] == "urgency" and first["datatype"] == "singlevaluelist" and first["order"] == 1
        values = [(v["key"], v["name"]) for v in first["values"]]
    assert values == [("normal", "一般"), ("urgent", "紧急"), ("emergency", "特急")]


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("code", ["X99", "C"])
def test_unknown_service_or_a_major_class_is_404_in_the_spec_error_format(geo, world, fmt, code):
    status, body = geo.get(f"services/{code}", fmt)
    assert status == 404
    if fmt == "xml":
        error = children(body, "error")[0]
        assert body.tag == "errors" and tags(error) == ["code", "description"]
        assert error.findtext("code") == "404" and error.findtext("description") == "service_code不存在"
    else:
        assert body == [{"code": 404, "description": "service_code不存在"}]


@pytest.mark.parametrize("path", ["services", "services/C01", "requests", "discovery"])
def test_a_path_without_format_answers_xml(geo, world, path):
    """XML is the spec's required format, so it is also the default."""
    status, body = geo.get(path, fmt=None)
    assert status == 200 and body.tag in {"services", "service_definition", "service_requests", "discovery"}


def test_jurisdiction_id_is_the_district_code(geo, world):
    assert geo.get("services", jurisdiction_id="370117")[0] == 200
    status, body = geo.get("services", jurisdiction_id="sfgov.org")
    assert status == 404 and body == [{"code": 404, "description": "jurisdiction_id不存在"}]
    assert geo.get("services", jurisdiction_id="370117001")[0] == 404  # a street is not a jurisdiction


def test_an_empty_optional_argument_is_as_if_not_sent(geo, world):
    """Spec: "a null parameter should be treated as equivalent to a non-declared parameter"."""
    assert geo.get("services", jurisdiction_id="")[0] == 200
    assert geo.get("requests", status="", service_code="", start_date="", page="")[0] == 200


def test_unsupported_format_unknown_path_and_method(geo, world):
    r = geo.client.get(f"{BASE}/services.csv")
    assert r.status_code == 400 and r["Content-Type"].startswith("text/xml") and b"<errors>" in r.content
    status, body = geo.get("widgets", "json")
    assert status == 404 and body[0]["code"] == 404
    r = geo.client.post(f"{BASE}/services.json")
    assert r.status_code == 405 and r["Allow"] == "GET, HEAD" and r.json()[0]["code"] == 405
    assert r["X-Error-Code"] == "open311.method_not_allowed"


def test_reads_allow_cross_origin_browsers(geo, world):
    r = geo.client.get(f"{BASE}/services.json")
    assert r["Access-Control-Allow-Origin"] == "*"
