"""Writes for the org tree: units (validated against division-code rules) and organisations."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from gongzhi.accounts import scoping
from gongzhi.core import events

from . import events as org_events
from . import permissions as perms
from .divisions import UnitKind, code_problem, path_for
from .errors import OrgError
from .models import Organisation, Unit


@transaction.atomic
def unit_create(
    *, code: str, name: str, kind: str, parent: Unit | None, actor=None, address: str = "",
    latitude: Decimal | None = None, longitude: Decimal | None = None, synthetic: bool = False,
) -> Unit:
    """Add a unit under ``parent``. ``actor`` None is system set-up (demo, migrations)."""
    code, name = (code or "").strip(), (name or "").strip()
    if not name:
        raise OrgError.NAME_REQUIRED.error(detail={"field": "name"})
    if actor is not None:
        if parent is None:
            raise OrgError.PARENT_REQUIRED.error(detail={"field": "parent"})
        scoping.require(actor, perms.MANAGE_UNITS, parent)
    problem = code_problem(kind, code, parent.code if parent else None, parent.kind if parent else None)
    if problem:
        raise OrgError.CODE_INVALID.error(detail={"field": "code", "reason": problem})
    if Unit.objects.filter(code=code).exists():
        raise OrgError.CODE_TAKEN.error(detail={"field": "code"})
    return Unit.objects.create(
        code=code, name=name[:100], kind=kind, parent=parent, path=path_for(kind, code),
        depth=(parent.depth + 1) if parent else 0, address=address[:200], latitude=latitude, longitude=longitude,
        synthetic=synthetic,
    )


def next_grid_code(community: Unit) -> str:
    from .divisions import grid_width

    last = Unit.objects.filter(parent=community, kind=UnitKind.GRID).order_by("-code").values_list("code", flat=True).first()
    seq = int(last[len(community.code):]) + 1 if last else 1
    return f"{community.code}{seq:0{grid_width()}d}"


@transaction.atomic
def unit_rename(*, unit: Unit, name: str, actor) -> Unit:
    scoping.require(actor, perms.MANAGE_UNITS, unit)
    name = (name or "").strip()
    if not name:
        raise OrgError.NAME_REQUIRED.error(detail={"field": "name"})
    unit.name = name[:100]
    unit.save(update_fields=["name"])
    return unit


@transaction.atomic
def organisation_create(
    *, name: str, kind: str, unit: Unit, actor=None, parent: Organisation | None = None, description: str = "",
    contact_name: str = "", contact_phone: str = "",
) -> Organisation:
    name = (name or "").strip()
    if not name:
        raise OrgError.NAME_REQUIRED.error(detail={"field": "name"})
    if actor is not None:
        scoping.require(actor, perms.MANAGE_ORGS, unit)
    if parent is not None and not unit.path.startswith(parent.unit.path):
        raise OrgError.ORG_PARENT_INVALID.error(detail={"field": "parent"})
    if Organisation.objects.filter(unit=unit, name=name).exists():
        raise OrgError.ORG_NAME_TAKEN.error(detail={"field": "name"})
    organisation = Organisation.objects.create(
        name=name[:120], kind=kind, unit=unit, parent=parent, description=description[:5000],
        contact_name=contact_name[:50], contact_phone=contact_phone[:20],
    )
    events.publish(org_events.ORGANISATION_CHANGED, organisation=organisation, before=None)
    return organisation


@transaction.atomic
def organisation_save(*, organisation: Organisation) -> Organisation:
    """Save an organisation as the back office edited it (its unit, kind or active flag may have changed) and
    announce it with the row as it was stored, so what others derive from it moves with it."""
    before = None
    if organisation.pk is not None:
        before = Organisation.objects.select_for_update().select_related("unit").filter(pk=organisation.pk).first()
    organisation.save()
    events.publish(org_events.ORGANISATION_CHANGED, organisation=organisation, before=before)
    return organisation
