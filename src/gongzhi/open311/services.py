"""Writes for Open311: issuing and revoking API keys, and filing a service request as an appeal."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction

from gongzhi.accounts import scoping
from gongzhi.accounts.services import user_create
from gongzhi.appeals.models import Channel, Urgency
from gongzhi.appeals.services import AppealInput, appeal_submit
from gongzhi.core import clock, crypto
from gongzhi.org.divisions import UnitKind
from gongzhi.org.models import Unit, subtree_q

from . import permissions as perms
from .catalog import attributes_clean, service_category
from .errors import Open311Error
from .models import ApiClient, Open311Request
from .selectors import key_digest


@transaction.atomic
def api_client_issue(*, name: str, unit: Unit, actor, acting_user=None) -> tuple[ApiClient, str]:
    """A new key for an application filing into ``unit``'s subtree; returns the row and the key (shown once).

    Without ``acting_user`` a dedicated login is made (no password, phone or person), so appeals it files carry
    no real user's data."""
    scoping.require(actor, perms.MANAGE_KEYS, unit)
    name = (name or "").strip()
    if not name:
        raise Open311Error.KEY_NAME_MISSING.error()
    if len(name) > 80:
        raise Open311Error.FIELD_TOO_LONG.error(detail={"field": "name"},
                                                message=Open311Error.FIELD_TOO_LONG.message % {"field": "name"})
    if acting_user is None:
        acting_user = user_create(username=f"open311-{secrets.token_hex(6)}", password=None, display_name=name)
    key = secrets.token_urlsafe(32)
    client = ApiClient.objects.create(name=name, key_prefix=key[:8], key_digest=key_digest(key), unit=unit,
                                      acting_user=acting_user, created_at=clock.now(),
                                      created_by=actor if getattr(actor, "is_authenticated", False) else None)
    return client, key


@transaction.atomic
def api_client_revoke(*, client: ApiClient, actor) -> ApiClient:
    """Revoked keys are refused at once; the row stays (who revoked it and when)."""
    client = ApiClient.objects.select_for_update().select_related("unit").get(pk=client.pk)
    scoping.require(actor, perms.MANAGE_KEYS, client.unit)
    if not client.active:
        raise Open311Error.KEY_ALREADY_REVOKED.error(detail={"client": client.pk})
    client.active, client.revoked_at, client.revoked_by = False, clock.now(), actor
    client.save(update_fields=["active", "revoked_at", "revoked_by"])
    return client


@dataclass
class RequestInput:
    """A parsed POST requests body (the edge checked types, lengths and ranges)."""

    service_code: str
    description: str
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    address_string: str = ""
    address_id: str = ""
    attributes: dict[str, list[str]] = field(default_factory=dict)
    email: str = ""
    first_name: str = ""
    last_name: str = ""
    phone: str = ""
    media_url: str = ""
    account_id: str = ""
    device_id: str = ""
    jurisdiction: Unit | None = None


def _full_name(first: str, last: str) -> str:
    """Family name first without a space for Chinese names (王 + 秀英), "first last" otherwise."""
    first, last = first.strip(), last.strip()
    if any("\u4e00" <= ch <= "\u9fff" for ch in first + last):
        return f"{last}{first}"
    return " ".join(p for p in (first, last) if p)


def _unit_for(client: ApiClient, address_id: str) -> Unit:
    if not address_id:
        return client.unit
    unit = Unit.objects.filter(subtree_q(client.unit.path), code=address_id,
                               kind__in=[UnitKind.COMMUNITY, UnitKind.VILLAGE, UnitKind.GRID]).first()
    if unit is None:
        raise Open311Error.ADDRESS_ID_UNKNOWN.error(detail={"address_id": address_id})
    return unit


@transaction.atomic
def request_create(*, client: ApiClient, data: RequestInput) -> Open311Request:
    """POST requests: one appeal through ``appeals.services.appeal_submit`` (channel open311) filed by the client's
    acting user in the client's subtree; a location (lat/long, address_string or address_id) is required."""
    if data.jurisdiction is not None and not client.unit.is_within(data.jurisdiction.path):
        raise Open311Error.OUTSIDE_JURISDICTION.error(detail={"jurisdiction_id": data.jurisdiction.code})
    category = service_category(data.service_code)
    if data.latitude is None and not data.address_string and not data.address_id:
        raise Open311Error.LOCATION_MISSING.error()
    if not data.description.strip():
        raise Open311Error.DESCRIPTION_MISSING.error()
    attributes = attributes_clean(data.attributes)
    unit = _unit_for(client, data.address_id)
    appeal = appeal_submit(data=AppealInput(
        channel=Channel.OPEN311, category_code=category.code, description=data.description, unit=unit,
        address=data.address_string, latitude=data.latitude, longitude=data.longitude,
        reporter_name=_full_name(data.first_name, data.last_name), reporter_phone=data.phone.strip(),
        anonymous=attributes.get("anonymous") == "true", urgency=attributes.get("urgency", Urgency.NORMAL),
        actor_is_reporter=False,  # the client's acting login files it; its phone or person is not the reporter's
    ), actor=client.acting_user)
    return Open311Request.objects.create(
        appeal=appeal, client=client, token=secrets.token_hex(16), media_url=data.media_url,
        email_enc=crypto.encrypt(data.email.strip()) if data.email.strip() else "", account_id=data.account_id,
        device_id=data.device_id, attributes=attributes, created_at=clock.now())
