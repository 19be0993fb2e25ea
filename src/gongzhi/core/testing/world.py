"""A small org tree with one user per role, for tests: two streets, two communities each, a grid, people.

District 370117 钢城区 → 艾山街道 (370117001) → 永兴社区 (370117001001, grid 370117001001001), 金鼎社区 (…002)
                      → 里辛街道 (370117002) → 洪沟社区 (370117002001)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from gongzhi.accounts.models import User
from gongzhi.accounts.roles import Role
from gongzhi.accounts.services import role_grant, user_create
from gongzhi.org.divisions import UnitKind
from gongzhi.org.models import Organisation, OrgKind, Unit
from gongzhi.org.services import organisation_create, unit_create
from gongzhi.people.identity import make_id_number
from gongzhi.people.models import Person
from gongzhi.people.services import PersonInput, person_create

PASSWORD = "test-pass-123"


@dataclass
class World:
    district: Unit
    street_a: Unit
    street_b: Unit
    community_a: Unit
    community_a2: Unit
    community_b: Unit
    grid_a: Unit
    team_a: Organisation
    users: dict[str, User] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)

    def user(self, name: str) -> User:
        return self.users[name]


def build_world() -> World:
    d = unit_create(code="370117", name="钢城区", kind=UnitKind.DISTRICT, parent=None)
    sa = unit_create(code="370117001", name="艾山街道", kind=UnitKind.STREET, parent=d)
    sb = unit_create(code="370117002", name="里辛街道", kind=UnitKind.STREET, parent=d)
    ca = unit_create(code="370117001001", name="永兴社区", kind=UnitKind.COMMUNITY, parent=sa)
    ca2 = unit_create(code="370117001002", name="金鼎社区", kind=UnitKind.COMMUNITY, parent=sa)
    cb = unit_create(code="370117002001", name="洪沟社区", kind=UnitKind.COMMUNITY, parent=sb)
    ga = unit_create(code="370117001001001", name="永兴社区第一网格", kind=UnitKind.GRID, parent=ca)
    team = organisation_create(name="永兴邻里志愿服务队", kind=OrgKind.TEAM, unit=ca)
    w = World(d, sa, sb, ca, ca2, cb, ga, team)
    roles = {
        "district": (Role.DISTRICT_ADMIN, d),
        "street": (Role.STREET_ADMIN, sa),
        "street_b": (Role.STREET_ADMIN, sb),
        "community": (Role.COMMUNITY_WORKER, ca),
        "community_b": (Role.COMMUNITY_WORKER, cb),
        "grid": (Role.GRID_WORKER, ga),
        "socialworker": (Role.SOCIAL_WORKER, ca),
        "socialworker2": (Role.SOCIAL_WORKER, sa),
        "teamleader": (Role.TEAM_LEADER, ca),
        "mediator": (Role.MEDIATOR, sa),
        "observer": (Role.OBSERVER, ca),
        "volunteer": (Role.VOLUNTEER, ca),
        "resident": (Role.RESIDENT, ca),
        "merchant": (Role.MERCHANT, ca),
    }
    for i, (name, (role, unit)) in enumerate(roles.items()):
        user = user_create(username=f"t-{name}", password=PASSWORD, display_name=name, phone=f"1390000{i:04d}")
        role_grant(user=user, role=role, unit=unit, actor=None)
        w.users[name] = user
    w.people["a"] = make_person(w, "张三丰", ca, seq=11, phone="13812345678", address="钢城区永兴路8号3号楼2单元101")
    w.people["a_grid"] = make_person(w, "李四", ga, seq=13, phone="13912340001")
    w.people["b"] = make_person(w, "王五", cb, seq=15, phone="13700001111", tags=["disabled"])
    w.people["resident"] = make_person(w, "赵六", ca, seq=17, phone="13600002222")
    w.people["resident"].user = w.users["resident"]
    w.people["resident"].save(update_fields=["user"])
    return w


def make_person(w: World, name: str, unit: Unit, *, seq: int, phone: str = "", address: str = "",
                tags: list[str] | None = None, birth: dt.date = dt.date(1980, 5, 17)) -> Person:
    return person_create(
        data=PersonInput(name=name, unit=unit, id_number=make_id_number("370117", birth, seq), phone=phone,
                         address=address, tags=tags or []),
        actor=w.users["district"],
        source="test",
    )
