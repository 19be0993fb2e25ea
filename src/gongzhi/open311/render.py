"""GeoReport v2 output: XML (the required format, schemaless, UTF-8 declaration) and JSON (the Spark convention:
a list of elements is an array, so ``<services><service>…`` is ``[{…}]``). Errors share one shape in both."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from xml.etree import ElementTree as ET

from django.http import HttpResponse
from django.utils import timezone

from gongzhi.core.errors import DomainError

FORMATS = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}

# a list under this element name holds children of that name
CHILD = {"services": "service", "service_requests": "request", "errors": "error", "endpoints": "endpoint",
         "formats": "format", "attributes": "attribute", "values": "value", "notes": "note",
         "service_request_updates": "request_update"}

_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def w3(moment: dt.datetime | None) -> str | None:
    """W3C date-time with the offset, in local time: 2030-05-06T10:00:00+08:00."""
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return w3(value)
    return _XML_INVALID.sub("", str(value))


def _element(parent, name: str, value) -> None:
    el = ET.SubElement(parent, name)
    if isinstance(value, dict):
        for key, item in value.items():
            _element(el, key, item)
    elif isinstance(value, list):
        for item in value:
            _element(el, CHILD[name], item)
    else:
        el.text = _text(value)


def to_xml(root: str, data) -> bytes:
    el = ET.Element(root)
    if isinstance(data, list):
        for item in data:
            _element(el, CHILD[root], item)
    else:
        for key, item in data.items():
            _element(el, key, item)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(el, encoding="unicode").encode()


def _json_default(value):
    """Only what json cannot encode itself reaches here (rows are mostly plain already)."""
    if isinstance(value, dt.datetime):
        return w3(value)
    if isinstance(value, Decimal):
        return float(value)
    return str(value)  # lazy translations


def to_json(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=_json_default).encode()


def respond(fmt: str, root: str, data, status: int = 200) -> HttpResponse:
    body = to_xml(root, data) if fmt == "xml" else to_json(data)
    response = HttpResponse(body, status=status, content_type=FORMATS[fmt])
    response["Access-Control-Allow-Origin"] = "*"  # reads are public; browsers' map apps call them directly
    return response


def error(fmt: str, err: DomainError) -> HttpResponse:
    """``[{"code": 404, "description": "…"}]``; the machine code of the refusal rides in ``X-Error-Code``."""
    response = respond(fmt, "errors", [{"code": err.status, "description": str(err.message)}], status=err.status)
    response["X-Error-Code"] = err.code
    return response
