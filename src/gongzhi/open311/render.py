"""GeoReport v2 output: XML (the required format, schemaless, UTF-8 declaration) and JSON (the Spark convention:
a list of elements is an array, so ``<services><service>…`` is ``[{…}]``). Errors share one shape in both."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

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


_ESCAPE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return w3(value)
    if isinstance(value, (int, float, Decimal)):
        return str(value)
    return _XML_INVALID.sub("", str(value)).translate(_ESCAPE)


def _write(out: list[str], name: str, value) -> None:
    """Elements as text (ElementTree's tree building costs more than the query at 1000 requests a page)."""
    if isinstance(value, dict):
        out.append(f"<{name}>")
        for key, item in value.items():
            _write(out, key, item)
        out.append(f"</{name}>")
    elif isinstance(value, list):
        child = CHILD[name]
        out.append(f"<{name}>")
        for item in value:
            _write(out, child, item)
        out.append(f"</{name}>")
    else:
        text = _text(value)
        out.append(f"<{name}>{text}</{name}>" if text else f"<{name}/>")


def to_xml(root: str, data) -> bytes:
    out = ['<?xml version="1.0" encoding="utf-8"?>\n']
    _write(out, root, data)
    return "".join(out).encode()


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
