"""Turn a :class:`DomainError` escaping a page view into a friendly page with the right status.

Selectors and services raise ``CommonError.NOT_FOUND`` (other units' records), ``CommonError.FORBIDDEN`` (a missing
named permission) and app codes with their own 4xx. Views stay thin and let these propagate; this middleware renders
``web/error.html`` (or just the message for an htmx request) instead of a 500. ``422`` validation codes become 400 on
pages; the JSON API keeps its own handlers and is left alone.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.db import DataError, IntegrityError, InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from gongzhi.core.errors import CommonError, DomainError

logger = logging.getLogger("gongzhi.web")

TITLES = {
    400: _("请求有误"),
    401: _("请先登录"),
    403: _("没有权限"),
    404: _("找不到该页面"),
    409: _("暂时无法完成操作"),
    413: _("上传文件过大"),
    429: _("操作过于频繁"),
    503: _("服务暂时不可用"),
}


def page_status(err: DomainError) -> int:
    """The HTTP status a page answers for a domain error (validation-style 422 → 400)."""
    if err.status == 422:
        return 400
    return err.status if 400 <= err.status < 500 else 400


def render_domain_error(request, err: DomainError):
    status = page_status(err)
    if status == 401:
        return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
    ctx = {"status": status, "title": TITLES.get(status, TITLES[400]), "message": err.message, "code": err.code}
    template = "web/_error_inline.html" if request.headers.get("HX-Request") else "web/error.html"
    return render(request, template, ctx, status=status)


def render_unavailable(request, exc):
    """The database went away under the request (restart, fail-over, SQLite locked too long): nothing was saved and
    the caller may simply try again (with the same idempotency key) — 503 with Retry-After rather than a 500. The
    one answer for the API's handler, the page middleware and Django's last-resort handler."""
    logger.warning("database unavailable: %s", exc, exc_info=exc)
    err = CommonError.UNAVAILABLE.error()
    if request.path.startswith("/api/"):
        response = JsonResponse(err.as_dict(), status=503)
    else:
        response = HttpResponse(render_without_database(request, 503, TITLES[503], err.message), status=503)
    response["Retry-After"] = "1"
    return response


def render_without_database(request, status: int, title, message) -> str:
    """An error page that needs nothing from the database: no request context, so no session, user, menu or
    messages (each of them a query that would fail the same way)."""
    template = "web/_error_inline.html" if request.headers.get("HX-Request") else "web/error.html"
    return render_to_string(template, {"status": status, "title": title, "message": message})


class DomainErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if request.path.startswith("/api/"):
            return None
        if isinstance(exception, OperationalError | InterfaceError):
            return render_unavailable(request, exception)
        if isinstance(exception, IntegrityError):
            exception = CommonError.DUPLICATE.error()  # a concurrent duplicate; the transaction was rolled back
        elif isinstance(exception, DataError):
            exception = CommonError.BAD_REQUEST.error()  # input the database cannot hold (NUL, out of range)
        if not isinstance(exception, DomainError):
            return None
        return render_domain_error(request, exception)


def attach_to_form(form, err: DomainError) -> int:
    """Show a service's refusal on the form field it names (``detail["field"]``) and return the page status.

    Not-found and forbidden are not form problems: they are re-raised for the middleware to render.
    """
    if err.status in (401, 403, 404):
        raise err
    detail = err.detail if isinstance(err.detail, dict) else {}
    field = detail.get("field")
    form.add_error(field if field in form.fields else None, str(err.message))
    return 400
