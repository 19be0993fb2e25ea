from __future__ import annotations

from ninja import Query, Router, Schema, Status

from gongzhi.accounts import scoping
from gongzhi.core.errors import CommonError
from gongzhi.core.pagination import paginate

from . import permissions as perms
from . import selectors, services
from .divisions import UnitKind
from .models import OrgKind
from .schemas import (
    OrgCreateIn,
    OrgDetailOut,
    OrgOut,
    PageMeta,
    UnitCreateIn,
    UnitDetailOut,
    UnitOut,
    UnitTreeOut,
)

router = Router(tags=["org"])


class UnitFilter(Schema):
    kind: str | None = None
    under: str | None = None
    q: str = ""
    page: int = 1
    page_size: int = 100


class UnitPage(PageMeta):
    items: list[UnitOut]


class OrgFilter(Schema):
    kind: str | None = None
    under: str | None = None
    q: str = ""
    page: int = 1
    page_size: int = 50


class OrgPage(PageMeta):
    items: list[OrgOut]


def _page(p):
    return {"items": p.items, "count": p.count, "page": p.page, "page_size": p.page_size, "pages": p.pages}


@router.get("/units", response=UnitPage, summary="本辖区的行政单元（可按类型、上级筛选）")
def unit_list(request, filters: Query[UnitFilter]):
    qs = selectors.unit_list(actor=request.auth, kind=filters.kind, under=filters.under, q=filters.q)
    return _page(paginate(qs, page=filters.page, page_size=filters.page_size))


@router.get("/units/tree", response=list[UnitTreeOut], summary="本辖区的单元树")
def unit_tree(request, root_id: int | None = None, depth: int = 3):
    actor = request.auth
    scoping.require(actor, perms.VIEW)
    if root_id is not None:
        roots = [selectors.unit_get(actor=actor, pk=root_id)]
    else:
        roots = [u for u in scoping.top_units(actor)]
        roots = [u for u in roots if not any(u.path != r.path and u.path.startswith(r.path) for r in roots)]
    out = []
    for root in roots:
        rows = list(selectors.unit_subtree(actor=actor, unit=root).filter(depth__lte=root.depth + max(0, min(depth, 6))))
        nodes = {u.pk: {**UnitOut.model_validate(u).model_dump(), "children": []} for u in rows}
        for u in rows:
            if u.parent_id in nodes and u.pk != root.pk:
                nodes[u.parent_id]["children"].append(nodes[u.pk])
        if root.pk in nodes:
            out.append(nodes[root.pk])
    return out


@router.get("/units/{int:unit_id}", response=UnitDetailOut, summary="单元详情")
def unit_detail(request, unit_id: int):
    unit = selectors.unit_get(actor=request.auth, pk=unit_id)
    data = UnitOut.model_validate(unit).model_dump()
    data.update(
        address=unit.address,
        children=[UnitOut.model_validate(c).model_dump() for c in selectors.unit_children(unit=unit)],
        breadcrumbs=[UnitOut.model_validate(b).model_dump() for b in selectors.unit_breadcrumbs(actor=request.auth, unit=unit)],
    )
    return data


@router.get("/units/{int:unit_id}/subtree", response=UnitPage, summary="单元及其全部下级（一次索引查询）")
def unit_subtree(request, unit_id: int, page: int = 1, page_size: int = 200):
    unit = selectors.unit_get(actor=request.auth, pk=unit_id)
    return _page(paginate(selectors.unit_subtree(actor=request.auth, unit=unit), page=page, page_size=page_size))


@router.post("/units", response={201: UnitOut}, summary="新增下级单元")
def unit_create(request, payload: UnitCreateIn):
    if payload.kind not in UnitKind.values:
        raise CommonError.VALIDATION.error(detail=[{"loc": ["kind"], "msg": "unknown kind"}])
    parent = selectors.unit_get(actor=request.auth, pk=payload.parent_id)
    unit = services.unit_create(
        code=payload.code, name=payload.name, kind=payload.kind, parent=parent, actor=request.auth,
        address=payload.address, latitude=payload.latitude, longitude=payload.longitude,
    )
    return Status(201, unit)


@router.get("/orgs", response=OrgPage, summary="本辖区的组织与志愿服务队")
def org_list(request, filters: Query[OrgFilter]):
    qs = selectors.organisation_list(actor=request.auth, kind=filters.kind, under=filters.under, q=filters.q)
    return _page(paginate(qs, page=filters.page, page_size=filters.page_size))


@router.get("/teams", response=OrgPage, summary="本辖区的志愿服务队")
def team_list(request, under: str | None = None, q: str = "", page: int = 1, page_size: int = 50):
    qs = selectors.organisation_list(actor=request.auth, kind=OrgKind.TEAM, under=under, q=q)
    return _page(paginate(qs, page=page, page_size=page_size))


@router.get("/orgs/{int:org_id}", response=OrgDetailOut, summary="组织详情（队伍含队员）")
def org_detail(request, org_id: int):
    org = selectors.organisation_get(actor=request.auth, pk=org_id)
    members = [
        {"person_id": m.person_id, "name": m.person.name, "role": m.role, "joined_on": m.joined_on.isoformat(),
         "volunteer_number": getattr(getattr(m.person, "volunteer", None), "number", None)}
        for m in org.memberships.filter(left_on__isnull=True).select_related("person", "person__volunteer")
    ]
    data = OrgOut.model_validate(org).model_dump()
    data.update(description=org.description, contact_name=org.contact_name, members=members,
                member_count=len(members))
    return data


@router.post("/orgs", response={201: OrgOut}, summary="登记组织或志愿服务队")
def org_create(request, payload: OrgCreateIn):
    if payload.kind not in OrgKind.values:
        raise CommonError.VALIDATION.error(detail=[{"loc": ["kind"], "msg": "unknown kind"}])
    unit = selectors.unit_get(actor=request.auth, pk=payload.unit_id)
    parent = selectors.organisation_get(actor=request.auth, pk=payload.parent_id) if payload.parent_id else None
    org = services.organisation_create(
        name=payload.name, kind=payload.kind, unit=unit, actor=request.auth, parent=parent,
        description=payload.description, contact_name=payload.contact_name, contact_phone=payload.contact_phone,
    )
    return Status(201, org)
