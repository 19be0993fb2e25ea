"""The fixed demo logins. Their password exists only here, in demo data (never a default anywhere else)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

DEMO_PASSWORD = "demo12345"


@dataclass(frozen=True)
class DemoPerson:
    """The resident record behind a login (volunteer, resident, merchant)."""

    name: str
    birth: dt.date
    male: bool
    address: str
    tags: tuple[str, ...] = ()
    volunteer: bool = False
    skills: tuple[str, ...] = ()
    team: str = ""


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str  # accounts.roles.Role value
    unit_code: str
    display_name: str
    phone: str
    note: str  # what the login is for, for the printed table and docs/demo.md
    person: DemoPerson | None = None
    staff: bool = False


YONGXING = "370117001001"
YONGXING_GRID_1 = "370117001001001"

LOGINS = [
    DemoLogin("demo-district", "district_admin", "370117", "钢城区管理员（演示）", "17001170001",
              "全区：5个街道、全部社区/村、居民和志愿者；后台 /admin/ 只读", staff=True),
    DemoLogin("demo-street", "street_admin", "370117001", "艾山街道管理员（演示）", "17001170002",
              "艾山街道及其下辖社区"),
    DemoLogin("demo-community", "community_worker", YONGXING, "永兴社区工作者（演示）", "17001170003",
              "永兴社区：居民、志愿者审核、红马甲志愿服务队"),
    DemoLogin("demo-community-b", "community_worker", "370117002001", "洪沟社区工作者（演示）", "17001170004",
              "洪沟社区（里辛街道）：看不到永兴社区的人"),
    DemoLogin("demo-grid", "grid_worker", YONGXING_GRID_1, "永兴社区第一网格网格员（演示）", "17001170005",
              "永兴社区第一网格的居民"),
    DemoLogin("demo-socialworker", "social_worker", YONGXING, "永兴社区社工（演示）", "17001170006",
              "永兴社区：居民（脱敏）、志愿者审核"),
    DemoLogin("demo-volunteer", "volunteer", YONGXING, "亓晓雯", "17001170007",
              "永兴社区的在册志愿者，红马甲志愿服务队队员",
              person=DemoPerson("亓晓雯", dt.date(1992, 3, 14), False, "钢城区永兴路18号3号楼2单元101",
                                tags=("party_member",), volunteer=True, skills=("first_aid", "tutoring"),
                                team="永兴社区红马甲志愿服务队")),
    DemoLogin("demo-resident", "resident", YONGXING, "张建华", "17001170008", "永兴社区居民",
              person=DemoPerson("张建华", dt.date(1968, 9, 2), True, "钢城区永兴路26号1号楼1单元302")),
    DemoLogin("demo-merchant", "merchant", YONGXING, "刘春燕", "17001170009", "永兴社区便民超市店主（积分超市商户）",
              person=DemoPerson("刘春燕", dt.date(1979, 11, 20), False, "钢城区永兴路6号")),
]
