"""The org tree and organisations of the 钢城区 demo (called by ``gongzhi demo``, see ``gongzhi.core.demo``)."""

from __future__ import annotations

from decimal import Decimal

from gongzhi.core.demo_data.places import (
    DISTRICT_CENTRE,
    DISTRICT_CODE,
    DISTRICT_NAME,
    FEDERATION,
    GRID_ORDINALS,
    MADE_UP,
    PLACES,
    SOCIAL_ORGS,
    STREETS,
    TEAMS,
    alliance_name,
)

from .divisions import UnitKind
from .models import OrgKind
from .services import organisation_create, unit_create


def _coord(value: float) -> Decimal:
    return Decimal(f"{value:.6f}")


def contribute(ctx) -> None:
    rng = ctx.rng("org")
    district = unit_create(
        code=DISTRICT_CODE, name=DISTRICT_NAME, kind=UnitKind.DISTRICT, parent=None, actor=None,
        latitude=_coord(DISTRICT_CENTRE[0]), longitude=_coord(DISTRICT_CENTRE[1]),
    )
    federation = organisation_create(
        name=FEDERATION, kind=OrgKind.FEDERATION, unit=district, actor=None,
        description="区委社会工作部牵头，统筹“区—街道—社区（村）”三级志愿服务网络（“1+10+N”志愿服务体系）",
    )
    orgs = {FEDERATION: federation}
    units = 1
    for street in STREETS:
        unit = unit_create(code=street.code, name=street.name, kind=UnitKind.STREET, parent=district, actor=None,
                           latitude=_coord(street.centre[0]), longitude=_coord(street.centre[1]))
        units += 1
        name = alliance_name(street.name, "street")
        orgs[name] = organisation_create(name=name, kind=OrgKind.STREET_ALLIANCE, unit=unit, parent=federation,
                                         actor=None, description="街道级志愿服务联盟")
    centres = {s.code: s.centre for s in STREETS}
    for place in PLACES:
        street = ctx.unit(place.street_code)
        lat0, lng0 = centres[place.street_code]
        lat, lng = lat0 + rng.uniform(-0.015, 0.015), lng0 + rng.uniform(-0.015, 0.015)
        kind = UnitKind.COMMUNITY if place.kind == "community" else UnitKind.VILLAGE
        address = f"{DISTRICT_NAME}{place.road}1号" if place.road else f"{DISTRICT_NAME}{street.name}{place.name}"
        # R-I3: the real 12-digit codes are unknown, so every community/village code here is synthetic.
        unit = unit_create(code=place.code, name=place.name, kind=kind, parent=street, actor=None, synthetic=True,
                           address=f"{address}（党群服务中心）", latitude=_coord(lat), longitude=_coord(lng))
        units += 1
        name = alliance_name(place.name, place.kind)
        org_kind = OrgKind.VILLAGE_POINT if place.kind == "village" else OrgKind.COMMUNITY_ALLIANCE
        orgs[name] = organisation_create(
            name=name, kind=org_kind, unit=unit, parent=orgs[alliance_name(street.name, "street")], actor=None,
            description=("村级志愿服务点" if place.kind == "village" else "社区志愿服务联盟")
            + ("" if place.from_seed else MADE_UP),
        )
        for seq in range(1, (place.grids or rng.randint(2, 4)) + 1):
            unit_create(
                code=f"{place.code}{seq:03d}", name=f"{place.name}第{GRID_ORDINALS[seq - 1]}网格", kind=UnitKind.GRID,
                parent=unit, actor=None, synthetic=True,
                latitude=_coord(lat + rng.uniform(-0.003, 0.003)), longitude=_coord(lng + rng.uniform(-0.003, 0.003)),
            )
            units += 1
    for spec in SOCIAL_ORGS:
        orgs[spec.name] = organisation_create(name=spec.name, kind=OrgKind.SOCIAL_ORG, unit=ctx.unit(spec.unit_code),
                                              parent=orgs[spec.parent], actor=None, description=spec.description)
    for spec in TEAMS:
        orgs[spec.name] = organisation_create(name=spec.name, kind=OrgKind.TEAM, unit=ctx.unit(spec.unit_code),
                                              parent=orgs[spec.parent], actor=None, description=spec.description)
    ctx.count("行政单元", units)
    ctx.count("组织", len(orgs))
    ctx.count("其中志愿服务队", len(TEAMS))
