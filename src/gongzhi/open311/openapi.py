"""An OpenAPI 3 description of the GeoReport v2 endpoints in their ``.json`` format, served at
``/open311/v2/openapi.json``: for integrators' generators, and so schemathesis can check the answers against it.

Field names, the error list and the status codes are the GeoReport v2 spec's (and this installation's choices
where the spec leaves them open: the 90-day window, 1000-row pages, the servicerequestupdates extension)."""

from __future__ import annotations

from django.http import JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from . import catalog
from .selectors import MAX_PAGE_SIZE
from .views import LIMITS, MAX_IDS

JSON = "application/json"
NULL_STR = {"type": ["string", "null"]}
W3C = {"type": ["string", "null"], "format": "date-time"}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _errors(description: str) -> dict:
    return {"description": description, "content": {JSON: {"schema": _ref("Errors")}},
            "headers": {"X-Error-Code": {"description": "机器可读的拒绝原因，如 open311.service_unknown",
                                         "schema": {"type": "string"}}}}


def _ok(description: str, schema: dict) -> dict:
    return {"description": description, "content": {JSON: {"schema": schema}}}


def _query(name: str, description: str, schema: dict | None = None) -> dict:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema or {"type": "string"}}


def _path(name: str, description: str) -> dict:
    return {"name": name, "in": "path", "required": True, "description": description,
            "schema": {"type": "string", "pattern": r"^[^/.]+$"}}


JURISDICTION = _query("jurisdiction_id", "区县行政区划代码（如 370117）；不填为本平台全部辖区")
NOT_FOUND = _errors("jurisdiction_id、service_code、service_request_id 或 token 不存在")
BAD = _errors("参数无效（日期、状态、分页、位置、字段长度等）")

SCHEMAS = {
    "Error": {"type": "object", "required": ["code", "description"], "properties": {
        "code": {"type": "integer", "description": "HTTP 状态码"}, "description": {"type": "string"}}},
    "Errors": {"type": "array", "minItems": 1, "items": _ref("Error")},
    "Discovery": {"type": "object", "required": ["changeset", "contact", "key_service", "endpoints"], "properties": {
        "changeset": {"type": "string", "format": "date-time"}, "contact": {"type": "string"},
        "key_service": {"type": "string"},
        "endpoints": {"type": "array", "items": {
            "type": "object", "required": ["specification", "url", "changeset", "type", "formats"], "properties": {
                "specification": {"type": "string"}, "url": {"type": "string"},
                "changeset": {"type": "string", "format": "date-time"},
                "type": {"type": "string", "enum": ["production", "test"]},
                "formats": {"type": "array", "items": {"type": "string", "enum": list(catalog.FORMATS)}}}}}}},
    "Service": {"type": "object", "required": ["service_code", "service_name", "description", "metadata", "type",
                                               "keywords", "group"], "properties": {
        "service_code": {"type": "string"}, "service_name": {"type": "string"}, "description": {"type": "string"},
        "metadata": {"type": "boolean"}, "type": {"type": "string", "enum": ["realtime", "batch", "blackbox"]},
        "keywords": {"type": "string"}, "group": {"type": "string"}}},
    "ServiceDefinition": {"type": "object", "required": ["service_code", "attributes"], "properties": {
        "service_code": {"type": "string"},
        "attributes": {"type": "array", "items": {
            "type": "object",
            "required": ["variable", "code", "datatype", "required", "datatype_description", "order", "description",
                         "values"],
            "properties": {
                "variable": {"type": "boolean"}, "code": {"type": "string"},
                "datatype": {"type": "string", "enum": ["string", "number", "datetime", "text", "singlevaluelist",
                                                        "multivaluelist"]},
                "required": {"type": "boolean"}, "datatype_description": NULL_STR, "order": {"type": "integer"},
                "description": {"type": "string"},
                "values": {"type": "array", "items": {"type": "object", "required": ["key", "name"], "properties": {
                    "key": {"type": "string"}, "name": {"type": "string"}}}}}}}}},
    "ServiceRequest": {"type": "object", "required": [
        "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
        "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
        "address", "address_id", "zipcode", "lat", "long", "media_url"], "properties": {
        "service_request_id": {"type": "string"}, "status": {"type": "string", "enum": ["open", "closed"]},
        "status_notes": NULL_STR, "service_name": {"type": "string"}, "service_code": {"type": "string"},
        "description": {"type": "string"}, "agency_responsible": NULL_STR, "service_notice": NULL_STR,
        "requested_datetime": W3C, "updated_datetime": W3C, "expected_datetime": W3C, "address": NULL_STR,
        "address_id": NULL_STR, "zipcode": NULL_STR, "lat": {"type": ["number", "null"]},
        "long": {"type": ["number", "null"]}, "media_url": NULL_STR,
        "extended_attributes": {"type": "object", "description": "extensions=true 时提供：渠道、网格、详细状态、紧急程度、预警"},
        "notes": {"type": "array", "description": "extensions=true 时提供：处理过程", "items": {
            "type": "object", "required": ["datetime", "summary", "type"], "properties": {
                "datetime": W3C, "summary": {"type": "string"},
                "type": {"type": "string", "enum": ["opened", "closed", "reopened", "activity"]}}}}}},
    "RequestCreated": {"type": "object", "required": ["token", "service_notice", "account_id"], "properties": {
        "token": {"type": "string"}, "service_notice": NULL_STR, "account_id": NULL_STR}},
    "RequestToken": {"type": "object", "required": ["service_request_id", "token"], "properties": {
        "service_request_id": {"type": "string"}, "token": {"type": "string"}}},
    "RequestUpdate": {"type": "object", "required": [
        "update_id", "service_request_id", "status", "updated_datetime", "description", "media_url"], "properties": {
        "update_id": {"type": "string"}, "service_request_id": {"type": "string"},
        "status": {"type": "string", "enum": ["open", "closed"]}, "updated_datetime": W3C,
        "description": {"type": "string"}, "media_url": NULL_STR, "extended_attributes": {"type": "object"}}},
}

WINDOW = [
    _query("start_date", "W3C 日期时间（如 2010-01-01T00:00:00Z）；与 end_date 相隔不超过90天，默认最近90天",
           {"type": "string", "format": "date-time"}),
    _query("end_date", "W3C 日期时间", {"type": "string", "format": "date-time"}),
]
PAGING = [
    _query("page", "页码，从1开始", {"type": "integer", "minimum": 1, "maximum": 1_000_000}),
    _query("page_size", f"每页条数，1到{MAX_PAGE_SIZE}", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE}),
]
IDS = _query("service_request_id", f"逗号分隔的服务请求编号（最多{MAX_IDS}个）；给出时忽略其他筛选条件")
EXTENSIONS = _query("extensions", "true：附加 extended_attributes 与 notes", {"type": "boolean"})


def _post_body() -> dict:
    text = {name: {"type": "string", "maxLength": limit} for name, limit in LIMITS.items()}
    properties = {
        "api_key": text["api_key"], "jurisdiction_id": {"type": "string"},
        "service_code": {"type": "string", "description": "GET services 中的 service_code"},
        "lat": {"type": "number", "minimum": -90, "maximum": 90, "description": "WGS84 纬度（与 long 同时提供）"},
        "long": {"type": "number", "minimum": -180, "maximum": 180, "description": "WGS84 经度"},
        "address_string": text["address_string"],
        "address_id": {"type": "string", "description": "社区或网格代码"},
        "email": {"type": "string", "format": "email", "maxLength": LIMITS["email"]},
        "device_id": text["device_id"], "account_id": text["account_id"], "first_name": text["first_name"],
        "last_name": text["last_name"], "phone": text["phone"],
        "description": {"type": "string", "maxLength": 4000}, "media_url": {"type": "string", "format": "uri",
                                                                            "maxLength": LIMITS["media_url"]},
    }
    for attribute in catalog.ATTRIBUTES:
        properties[f"attribute[{attribute.code}]"] = {"type": "string", "enum": [k for k, _n in attribute.values],
                                                      "description": str(attribute.description)}
    return {"required": True, "content": {"application/x-www-form-urlencoded": {"schema": {
        "type": "object", "required": ["api_key", "service_code"], "properties": properties}}}}


def document(base: str = "/open311/v2") -> dict:
    """The OpenAPI 3.1 document; ``base`` is the server URL the paths hang from."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "共治 gongzhi Open311 GeoReport v2", "version": "2",
                 "description": "GeoReport v2（http://wiki.open311.org/GeoReport_v2）的 JSON 格式；每个资源也有 .xml。"
                                "查询公开，提交服务请求须携带 api_key（由管理员在“Open311密钥”页面签发）。"},
        "servers": [{"url": base}],
        "paths": {
            "/discovery.json": {"get": {"operationId": "discovery", "summary": "服务发现",
                                        "responses": {"200": _ok("接口地址、格式与联系方式", _ref("Discovery"))}}},
            "/services.json": {"get": {
                "operationId": "services", "summary": "服务列表（诉求类别）", "parameters": [JURISDICTION],
                "responses": {"200": _ok("服务列表", {"type": "array", "items": _ref("Service")}), "404": NOT_FOUND}}},
            "/services/{service_code}.json": {"get": {
                "operationId": "service_definition", "summary": "服务定义（可提交的属性）",
                "parameters": [_path("service_code", "服务代码"), JURISDICTION],
                "responses": {"200": _ok("属性表", _ref("ServiceDefinition")), "404": NOT_FOUND}}},
            "/requests.json": {
                "get": {"operationId": "requests", "summary": "查询服务请求（默认最近90天，最新在前）",
                        "parameters": [JURISDICTION, IDS, _query("service_code", "逗号分隔的服务代码"), *WINDOW,
                                       _query("status", "open、closed，可逗号分隔"), *PAGING, EXTENSIONS],
                        "responses": {"200": _ok("服务请求", {"type": "array", "items": _ref("ServiceRequest")}),
                                      "400": BAD, "404": NOT_FOUND}},
                "post": {"operationId": "request_create", "summary": "提交服务请求（须 api_key）",
                         "requestBody": _post_body(),
                         "responses": {"200": _ok("受理令牌", {"type": "array", "minItems": 1, "maxItems": 1,
                                                              "items": _ref("RequestCreated")}),
                                       "400": BAD, "403": _errors("api_key 缺失、无效、已吊销，或无权向该辖区提交"),
                                       "404": _errors("service_code 或 jurisdiction_id 不存在")}}},
            "/requests/{service_request_id}.json": {"get": {
                "operationId": "request", "summary": "单个服务请求",
                "parameters": [_path("service_request_id", "服务请求编号"), JURISDICTION, EXTENSIONS],
                "responses": {"200": _ok("服务请求", {"type": "array", "minItems": 1, "maxItems": 1,
                                                   "items": _ref("ServiceRequest")}), "404": NOT_FOUND}}},
            "/tokens/{token}.json": {"get": {
                "operationId": "token", "summary": "由令牌查服务请求编号",
                "parameters": [_path("token", "提交时返回的令牌"), JURISDICTION],
                "responses": {"200": _ok("编号", {"type": "array", "minItems": 1, "maxItems": 1,
                                                 "items": _ref("RequestToken")}), "404": NOT_FOUND}}},
            "/servicerequestupdates.json": {"get": {
                "operationId": "request_updates", "summary": "服务请求的处理动态（旧的在前）",
                "parameters": [JURISDICTION, IDS, *WINDOW, *PAGING, EXTENSIONS],
                "responses": {"200": _ok("处理动态", {"type": "array", "items": _ref("RequestUpdate")}),
                              "400": BAD, "404": NOT_FOUND}}},
        },
        "components": {"schemas": SCHEMAS},
    }


@require_GET
def serve(request):
    """``GET /open311/v2/openapi.json``: public, like the resources it describes."""
    base = request.build_absolute_uri(reverse("open311:discovery")).rsplit("/discovery", 1)[0]
    response = JsonResponse(document(base), json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    return response
