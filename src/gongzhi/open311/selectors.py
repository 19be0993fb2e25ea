"""Reads for Open311: public (no key) service requests, tokens and updates; API keys for the admin page.

GET requests is public by the spec, so it reads appeals directly (not through the workers' scoped selectors) and
the presenters publish no reporter data. The list is newest first over ``(submitted_at, id)``,
``(category, submitted_at)`` or ``(unit, submitted_at)`` indexes, without a COUNT.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery

from gongzhi.accounts import scoping
from gongzhi.appeals.models import Appeal, AppealEvent
from gongzhi.org.divisions import UnitKind
from gongzhi.org.models import Unit, subtree_q

from . import permissions as perms
from .catalog import states_for
from .errors import Open311Error
from .models import ApiClient, Open311Request

MAX_PAGE_SIZE = 1000  # GeoReport: "first 1000 requests returned"
WINDOW = dt.timedelta(days=90)  # GeoReport: "a span of 90 days"

_RELATED = ("category", "unit", "assignee_unit", "assignee_team", "merged_into", "open311_link")


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_client_authenticate(key: str) -> ApiClient:
    if not key:
        raise Open311Error.API_KEY_MISSING.error()
    client = ApiClient.objects.select_related("unit", "acting_user").filter(key_digest=key_digest(key)).first()
    if client is None or not client.active:
        raise Open311Error.API_KEY_INVALID.error()
    return client


def jurisdiction_get(code: str | None) -> Unit | None:
    """jurisdiction_id is a district's division code; empty means the whole installation (spec: optional)."""
    if not code:
        return None
    unit = Unit.objects.filter(code=code, kind=UnitKind.DISTRICT).first()
    if unit is None:
        raise Open311Error.JURISDICTION_UNKNOWN.error(detail={"jurisdiction_id": code})
    return unit


def _requests(*, extensions: bool = False) -> QuerySet:
    last = AppealEvent.objects.filter(appeal=OuterRef("pk")).order_by("-at", "-pk").values("at")[:1]
    qs = Appeal.objects.select_related(*_RELATED).annotate(updated_at=Subquery(last))
    if extensions:
        qs = qs.prefetch_related(Prefetch("events", queryset=AppealEvent.objects.order_by("at", "pk")))
    return qs


def request_list(*, ids: list[str] | None = None, service_codes: list[str] | None = None,
                 start: dt.datetime, end: dt.datetime, statuses: list[str] | None = None,
                 jurisdiction: Unit | None = None, page: int = 1, page_size: int = MAX_PAGE_SIZE,
                 extensions: bool = False) -> list[Appeal]:
    """service_request_id overrides every other filter (spec); else the requested window, newest first."""
    qs = _requests(extensions=extensions)
    if ids:
        qs = qs.filter(number__in=ids)
    else:
        qs = qs.filter(submitted_at__gte=start, submitted_at__lte=end)
        if service_codes:
            qs = qs.filter(category__code__in=service_codes)
        if statuses and set(statuses) != {"open", "closed"}:
            qs = qs.filter(state__in=[s for status in statuses for s in states_for(status)])
        if jurisdiction is not None:
            qs = qs.filter(subtree_q(jurisdiction.path, "unit__path"))
    offset = (page - 1) * page_size
    return list(qs.order_by("-submitted_at", "-id")[offset:offset + page_size])


def request_get(*, number: str, extensions: bool = False) -> Appeal:
    appeal = _requests(extensions=extensions).filter(number=number).first()
    if appeal is None:
        raise Open311Error.REQUEST_UNKNOWN.error(detail={"service_request_id": number})
    return appeal


def token_resolve(*, token: str) -> Open311Request:
    link = Open311Request.objects.select_related("appeal").filter(token=token).first()
    if link is None:
        raise Open311Error.TOKEN_UNKNOWN.error(detail={"token": token})
    return link


def update_list(*, ids: list[str] | None = None, start: dt.datetime, end: dt.datetime, page: int = 1,
                page_size: int = MAX_PAGE_SIZE) -> list[AppealEvent]:
    """Request updates (the servicerequestupdates extension) in the window, oldest first, as clients poll them."""
    qs = AppealEvent.objects.select_related("appeal").filter(at__gte=start, at__lte=end)
    if ids:
        qs = qs.filter(appeal__number__in=ids)
    offset = (page - 1) * page_size
    return list(qs.order_by("at", "pk")[offset:offset + page_size])


def api_client_list(*, actor) -> QuerySet:
    scoping.require(actor, perms.MANAGE_KEYS)
    qs = ApiClient.objects.select_related("unit", "acting_user", "created_by", "revoked_by")
    return scoping.scope(qs, actor, perms.MANAGE_KEYS, "unit__path")


def api_client_get(*, actor, pk: int) -> ApiClient:
    return scoping.get_scoped(ApiClient.objects.select_related("unit"), actor, perms.MANAGE_KEYS, "unit__path", pk=pk)


def key_units(*, actor) -> QuerySet:
    """Units a key may be issued for: the district, streets and communities the admin manages."""
    return scoping.units_for(actor, perms.MANAGE_KEYS).filter(
        kind__in=[UnitKind.DISTRICT, UnitKind.STREET, UnitKind.COMMUNITY, UnitKind.VILLAGE]).order_by("path")
