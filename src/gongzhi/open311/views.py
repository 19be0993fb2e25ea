"""GeoReport v2 endpoints (``/open311/v2/…``, plain Django views) and the admin page that issues API keys.

Every resource answers ``.xml`` (the spec's required format; also the default without a suffix) and ``.json``.
Thin: parse the query or form, call one selector or service, render; refusals are the spec's error list.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from decimal import Decimal, InvalidOperation

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from gongzhi.accounts import scoping
from gongzhi.appeals.calendar import Calendar
from gongzhi.core import clock
from gongzhi.core.errors import DomainError

from . import catalog, presenters, selectors, services
from . import permissions as perms
from . import render as out
from .errors import Open311Error

MAX_IDS = 1000
LIMITS = {"address_string": 200, "first_name": 50, "last_name": 50, "phone": 30, "email": 254, "account_id": 100,
          "device_id": 100, "media_url": 500, "api_key": 200}
_ATTRIBUTE = re.compile(r"^attribute\[([^\]]+)\](\[\])?$")


def endpoint(methods=("GET", "HEAD")):
    """Format and method checks, and DomainError → the spec's ``errors`` in the requested format."""

    def wrap(view):
        @functools.wraps(view)
        def inner(request, *args, fmt=None, **kwargs):
            fmt = (fmt or "xml").lower()
            if fmt not in out.FORMATS:
                return out.error("xml", Open311Error.FORMAT_UNSUPPORTED.error(detail={"format": fmt}))
            if request.method not in methods:
                response = out.error(fmt, Open311Error.METHOD_NOT_ALLOWED.error())
                response["Allow"] = ", ".join(methods)
                return response
            try:
                return view(request, fmt, *args, **kwargs)
            except DomainError as err:
                return out.error(fmt, err)

        return inner

    return wrap


# --- parsing (the edge) ------------------------------------------------------------------------------------------

def _param(request, name: str) -> str:
    source = request.POST if request.method == "POST" else request.GET
    return (source.get(name) or "").strip()


def _list(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def _too_long(name: str) -> DomainError:
    return Open311Error.FIELD_TOO_LONG.error(detail={"field": name},
                                             message=Open311Error.FIELD_TOO_LONG.message % {"field": name})


def _date(request, name: str) -> dt.datetime | None:
    """W3C date-time; a bare date or a time without offset is read in local time (Asia/Shanghai)."""
    raw = _param(request, name)
    if not raw:
        return None
    try:
        value = dt.datetime.fromisoformat(raw.replace("z", "Z").replace(" ", "+") if "T" in raw else raw)
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        value.astimezone(dt.UTC)  # years 1 and 9999 with an offset overflow here
        if not 1900 <= value.year <= 2999:
            raise ValueError(raw)
    except (ValueError, OverflowError):
        raise Open311Error.DATE_INVALID.error(detail={"field": name, "value": raw},
                                              message=Open311Error.DATE_INVALID.message % {"field": name}) from None
    return value


def _window(request) -> tuple[dt.datetime, dt.datetime]:
    """The default is the most recent 90 days; one bound given, the other is 90 days from it; never wider."""
    start, end = _date(request, "start_date"), _date(request, "end_date")
    if start is None and end is None:
        end = clock.now()
    if start is None:
        start = end - selectors.WINDOW
    if end is None:
        end = start + selectors.WINDOW
    if start > end or end - start > selectors.WINDOW:
        raise Open311Error.DATE_RANGE.error(detail={"start_date": out.w3(start), "end_date": out.w3(end)})
    return start, end


def _paging(request) -> tuple[int, int]:
    try:
        page = int(_param(request, "page") or 1)
        size = int(_param(request, "page_size") or selectors.MAX_PAGE_SIZE)
    except ValueError:
        raise Open311Error.PAGE_INVALID.error() from None
    if page < 1 or page > 1_000_000 or not 1 <= size <= selectors.MAX_PAGE_SIZE:
        raise Open311Error.PAGE_INVALID.error(detail={"page": page, "page_size": size})
    return page, size


def _ids(request) -> list[str]:
    ids = _list(_param(request, "service_request_id"))
    if len(ids) > MAX_IDS:
        raise Open311Error.TOO_MANY_IDS.error(detail={"count": len(ids)})
    return ids


def _statuses(request) -> list[str]:
    statuses = [s.lower() for s in _list(_param(request, "status"))]
    if any(s not in ("open", "closed") for s in statuses):
        raise Open311Error.STATUS_INVALID.error(detail={"status": statuses})
    return statuses


def _extensions(request) -> bool:
    return _param(request, "extensions").lower() in ("true", "1", "yes")


def _coordinate(raw: str, bound: int) -> Decimal:
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise Open311Error.LOCATION_INVALID.error(detail={"value": raw}) from None
    if not value.is_finite() or abs(value) > bound:
        raise Open311Error.LOCATION_INVALID.error(detail={"value": raw})
    return value.quantize(Decimal("0.000001"))


def _request_input(request) -> services.RequestInput:
    for name, limit in LIMITS.items():
        if len(_param(request, name)) > limit:
            raise _too_long(name)
    service_code = _param(request, "service_code")
    if not service_code:
        raise Open311Error.SERVICE_CODE_MISSING.error()
    lat, lng = _param(request, "lat"), _param(request, "long")
    if bool(lat) != bool(lng):
        raise Open311Error.LOCATION_INVALID.error(detail={"lat": lat, "long": lng})
    description = request.POST.get("description") or ""
    if len(description) > 4000:
        raise Open311Error.DESCRIPTION_TOO_LONG.error()
    media_url = _param(request, "media_url")
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
        except ValidationError:
            raise Open311Error.MEDIA_URL_INVALID.error() from None
    email = _param(request, "email")
    if email:
        try:
            EmailValidator()(email)
        except ValidationError:
            raise Open311Error.EMAIL_INVALID.error() from None
    attributes: dict[str, list[str]] = {}
    for key in request.POST:
        if m := _ATTRIBUTE.match(key):
            attributes.setdefault(m.group(1), []).extend(v.strip() for v in request.POST.getlist(key))
    return services.RequestInput(
        service_code=service_code, description=description,
        latitude=_coordinate(lat, 90) if lat else None, longitude=_coordinate(lng, 180) if lng else None,
        address_string=_param(request, "address_string"), address_id=_param(request, "address_id"),
        attributes=attributes, email=email, first_name=_param(request, "first_name"),
        last_name=_param(request, "last_name"), phone=_param(request, "phone"), media_url=media_url,
        account_id=_param(request, "account_id"), device_id=_param(request, "device_id"),
        jurisdiction=selectors.jurisdiction_get(_param(request, "jurisdiction_id")))


# --- GeoReport endpoints -----------------------------------------------------------------------------------------

@endpoint()
def discovery(request, fmt):
    base = request.build_absolute_uri(reverse("open311:discovery")).rsplit("discovery", 1)[0].rstrip("/")
    changeset = "2026-12-01T00:00:00+08:00"
    return out.respond(fmt, "discovery", {
        "changeset": changeset,
        "contact": str(_("钢城区共治平台诉求受理中心，工作日9:00–17:00")),
        "key_service": str(_("API密钥由区、街道或社区管理员在“Open311密钥”页面签发")),
        "endpoints": [{"specification": catalog.SPECIFICATION, "url": base, "changeset": changeset,
                       "type": "production", "formats": list(catalog.FORMATS)}],
    })


@endpoint()
def services_list(request, fmt):
    selectors.jurisdiction_get(_param(request, "jurisdiction_id"))
    return out.respond(fmt, "services", catalog.service_list())


@endpoint()
def service_definition(request, fmt, code):
    selectors.jurisdiction_get(_param(request, "jurisdiction_id"))
    return out.respond(fmt, "service_definition", catalog.service_definition(code))


@csrf_exempt
@endpoint(methods=("GET", "HEAD", "POST"))
def requests_(request, fmt):
    if request.method == "POST":
        return _post_request(request, fmt)
    jurisdiction = selectors.jurisdiction_get(_param(request, "jurisdiction_id"))
    ids = _ids(request)
    start, end = _window(request) if not ids else (None, None)
    page, size = _paging(request)
    extensions = _extensions(request)
    appeals = selectors.request_list(ids=ids, service_codes=_list(_param(request, "service_code")), start=start,
                                     end=end, statuses=_statuses(request), jurisdiction=jurisdiction, page=page,
                                     page_size=size, extensions=extensions)
    calendar, labels = Calendar() if extensions else None, presenters.Labels()
    return out.respond(fmt, "service_requests", [presenters.request_item(a, labels, extensions=extensions,
                                                                         calendar=calendar) for a in appeals])


def _post_request(request, fmt):
    client = selectors.api_client_authenticate(_param(request, "api_key") or (request.GET.get("api_key") or "").strip())
    link = services.request_create(client=client, data=_request_input(request))
    row = selectors.request_get(number=link.appeal.number)
    return out.respond(fmt, "service_requests", [{
        "token": link.token, "service_notice": presenters.service_notice(row, presenters.Labels()),
        "account_id": link.account_id or None}])


@endpoint()
def request_detail(request, fmt, request_id):
    selectors.jurisdiction_get(_param(request, "jurisdiction_id"))
    extensions = _extensions(request)
    row = selectors.request_get(number=request_id, extensions=extensions)
    return out.respond(fmt, "service_requests", [presenters.request_item(
        row, presenters.Labels(), extensions=extensions, calendar=Calendar() if extensions else None)])


@endpoint()
def token(request, fmt, token):
    selectors.jurisdiction_get(_param(request, "jurisdiction_id"))
    link = selectors.token_resolve(token=token)
    return out.respond(fmt, "service_requests", [{"service_request_id": link.appeal.number, "token": link.token}])


@endpoint()
def updates(request, fmt):
    selectors.jurisdiction_get(_param(request, "jurisdiction_id"))
    start, end = _window(request)
    page, size = _paging(request)
    extensions = _extensions(request)
    events = selectors.update_list(ids=_ids(request), start=start, end=end, page=page, page_size=size)
    labels = presenters.Labels()
    return out.respond(fmt, "service_request_updates",
                       [presenters.update_item(e, labels, extensions=extensions) for e in events])


@csrf_exempt
@endpoint(methods=("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"))
def unknown(request, fmt, rest=""):
    raise Open311Error.NOT_FOUND.error(detail={"path": rest})


# --- API keys (admin page) -----------------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def keys(request):
    """Issue a key (shown once on the answer page) and list the keys under the admin's units."""
    scoping.require(request.user, perms.MANAGE_KEYS)
    units = selectors.key_units(actor=request.user)
    ctx = {"units": units, "values": request.POST, "issued": None, "error": None}
    status = 200
    if request.method == "POST":
        unit = units.filter(pk=request.POST.get("unit")).first() if (request.POST.get("unit") or "").isdigit() \
            else None
        if unit is None:
            ctx["error"], status = _("请选择可提交的辖区"), 400
        else:
            try:
                client, key = services.api_client_issue(name=request.POST.get("name", ""), unit=unit,
                                                        actor=request.user)
                ctx["issued"], ctx["values"] = {"client": client, "key": key}, {}
            except DomainError as err:
                if err.status == 403:
                    raise
                ctx["error"], status = err.message, err.status
    ctx["clients"] = selectors.api_client_list(actor=request.user)[:200]
    response = render(request, "open311/keys.html", ctx, status=status)
    response["Cache-Control"] = "no-store"  # the new key is on this page once
    return response


@login_required
@require_POST
def key_revoke(request, pk: int):
    client = selectors.api_client_get(actor=request.user, pk=pk)
    services.api_client_revoke(client=client, actor=request.user)
    return redirect("open311:keys")

