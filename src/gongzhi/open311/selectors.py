"""Reads for Open311: public (no key) service requests, tokens and updates; API keys for the admin page.

GET requests is public by the spec, so it reads appeals directly (not through the workers' scoped selectors) and
the presenters publish no reporter data. The list is newest first over ``(submitted_at, id)``,
``(category, submitted_at)`` or ``(unit, submitted_at)`` indexes, without a COUNT.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.db import connection, transaction
from django.db.models import OuterRef, QuerySet, Subquery

from gongzhi.accounts import scoping
from gongzhi.appeals.models import Appeal, AppealEvent, Category
from gongzhi.org.divisions import UnitKind
from gongzhi.org.models import Unit, subtree_q

from . import permissions as perms
from .catalog import states_for
from .errors import Open311Error
from .models import ApiClient, Open311Request

MAX_PAGE_SIZE = 1000  # GeoReport: "first 1000 requests returned"
WINDOW = dt.timedelta(days=90)  # GeoReport: "a span of 90 days"


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


# the columns a service request is made of: one row per appeal (plain values, no model instances: at 1000 rows a
# page, building seven related objects per row costs more than the query)
ROW = ("id", "number", "state", "channel", "urgency", "description", "address", "latitude", "longitude",
       "submitted_at", "accept_due_at", "reply_due_at", "resolved_at", "reject_reason", "reopen_count",
       "category__code", "category__name", "unit__code", "unit__name", "assignee_team__name", "assignee_unit__name",
       "merged_into__number", "open311_link__media_url", "updated_at")


def _rows(qs: QuerySet, *, extensions: bool, offset: int = 0, limit: int = MAX_PAGE_SIZE) -> list[dict]:
    last = AppealEvent.objects.filter(appeal=OuterRef("pk")).order_by("-at", "-pk").values("at")[:1]
    columns = ROW if extensions else tuple(c for c in ROW if c != "resolved_at")  # resolved_at: for the warning
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # a page of ≤ 1000 rows is read along an ordered index ((submitted_at, id), (category, submitted_at)):
            # at 1 M PostgreSQL planned a parallel Gather Merge (the workers' start-up cost more than the scan,
            # ≈ 20 ms) and, for status=open, a bitmap scan of the (state, reply_due_at) index and a sort of every
            # open row in the window (it assumes open rows are spread over time; they are the recent ones).
            # The joins stay in the order written (the appeal, then its category, units, team, merged-into and
            # Open311 link, each by its key): searching the orders of seven relations took 13–19 ms of planning
            # for a query that runs in 6–9 ms.
            with connection.cursor() as cur:
                cur.execute("SET LOCAL max_parallel_workers_per_gather = 0")
                cur.execute("SET LOCAL enable_bitmapscan = off")
                cur.execute("SET LOCAL join_collapse_limit = 1")
        rows = list(qs.annotate(updated_at=Subquery(last)).values(*columns)[offset:offset + limit])
    if extensions and rows:
        notes: dict[int, list] = {row["id"]: [] for row in rows}
        for event in AppealEvent.objects.filter(appeal_id__in=list(notes)).order_by("at", "pk").values(
                "appeal_id", "action", "at", "detail"):
            notes[event["appeal_id"]].append(event)
        for row in rows:
            row["events"] = notes[row["id"]]
    return rows


def request_list(*, ids: list[str] | None = None, service_codes: list[str] | None = None,
                 start: dt.datetime, end: dt.datetime, statuses: list[str] | None = None,
                 jurisdiction: Unit | None = None, page: int = 1, page_size: int = MAX_PAGE_SIZE,
                 extensions: bool = False) -> list[dict]:
    """service_request_id overrides every other filter (spec); else the requested window, newest first."""
    qs = Appeal.objects.all()
    if ids:
        qs = qs.filter(number__in=ids)
    else:
        qs = qs.filter(submitted_at__gte=start, submitted_at__lte=end)
        if service_codes:
            # by the appeal's own column, so that (category, submitted_at) serves the page in order: at 1 M,
            # filtering on the joined category's code took 23–25 ms, its ids 7–9 ms
            qs = qs.filter(category_id__in=list(Category.objects.filter(code__in=service_codes)
                                                .values_list("id", flat=True)))
        if statuses and set(statuses) != {"open", "closed"}:
            qs = qs.filter(state__in=[s for status in statuses for s in states_for(status)])
        if jurisdiction is not None:
            qs = qs.filter(subtree_q(jurisdiction.path, "unit__path"))
    offset = (page - 1) * page_size
    return _rows(qs.order_by("-submitted_at", "-id"), extensions=extensions, offset=offset, limit=page_size)


def request_get(*, number: str, extensions: bool = False) -> dict:
    rows = _rows(Appeal.objects.filter(number=number), extensions=extensions)
    if not rows:
        raise Open311Error.REQUEST_UNKNOWN.error(detail={"service_request_id": number})
    return rows[0]


def token_resolve(*, token: str) -> Open311Request:
    link = Open311Request.objects.select_related("appeal").filter(token=token).first()
    if link is None:
        raise Open311Error.TOKEN_UNKNOWN.error(detail={"token": token})
    return link


def update_list(*, ids: list[str] | None = None, start: dt.datetime, end: dt.datetime, page: int = 1,
                page_size: int = MAX_PAGE_SIZE) -> list[dict]:
    """Request updates (the servicerequestupdates extension) in the window, oldest first, as clients poll them."""
    qs = AppealEvent.objects.filter(at__gte=start, at__lte=end)
    if ids:
        qs = qs.filter(appeal__number__in=ids)
    offset = (page - 1) * page_size
    return list(qs.order_by("at", "pk").values("pk", "action", "to_state", "at", "detail", "appeal__number")[
        offset:offset + page_size])


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
