"""Request ids, one JSON access-log line per request, and a cap on request bodies.

First in ``MIDDLEWARE`` so that it times and logs everything, static files included. The id is taken from the
``X-Request-ID`` header when a proxy sends a sane one (so one id follows a request through the proxy's logs and
ours), otherwise generated; it is echoed in the response's ``X-Request-ID`` header.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from gongzhi.core.errors import CommonError

from .logs import request_id_var

logger = logging.getLogger("gongzhi.request")
HEADER = "X-Request-ID"
_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def request_id_from(request) -> str:
    given = request.headers.get(HEADER, "")
    return given if _SANE_ID.match(given) else uuid.uuid4().hex


def _user_id(request) -> int | None:
    """The acting user: an API bearer token's user (``request.auth``) or the session's."""
    for candidate in (getattr(request, "auth", None), getattr(request, "user", None)):
        if candidate is not None and getattr(candidate, "is_authenticated", False):
            return candidate.pk
    return None


def _too_large(request) -> HttpResponse | None:
    """413 before reading a body bigger than ``MAX_REQUEST_BYTES`` (the per-feature limits are smaller still)."""
    limit = getattr(settings, "MAX_REQUEST_BYTES", None)
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if not limit or length <= limit:
        return None
    err = CommonError.TOO_LARGE.error(detail={"max_bytes": limit})
    if request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
        return JsonResponse(err.as_dict(), status=413)
    return HttpResponse(_("上传内容过大（最多 %(mb)d MB）") % {"mb": limit // (1024 * 1024)}, status=413,
                        content_type="text/plain; charset=utf-8")


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        rid = request_id_from(request)
        request.request_id = rid
        token = request_id_var.set(rid)
        started = time.perf_counter()
        try:
            response = _too_large(request) or self.get_response(request)
            response[HEADER] = rid
            logger.info(
                "%s %s %s", request.method, request.path, response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,  # never the query string: searches carry names and phone numbers
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                    "user_id": _user_id(request),
                    # "replica" when a figures page was read from the read replica (ops.dbrouter), else "default"
                    **({"db_read": request.db_read} if hasattr(request, "db_read") else {}),
                },
            )
            return response
        finally:
            request_id_var.reset(token)
