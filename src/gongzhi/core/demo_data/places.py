"""The demo's org tree and organisations: 济南市钢城区 (370117), its five streets (real codes, R-I3) and the
communities, villages and teams the seed pages name; everything the seeds are silent on is made up.

Community and village codes are all synthetic (the real 12-digit codes are unknown) but follow R-I3: communities
(居委会) 001–199, villages (村委会) 200–399. Coordinates are approximate, around 36.06 N, 117.80 E.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DISTRICT_CODE = "370117"
DISTRICT_NAME = "钢城区"
DISTRICT_CENTRE = (36.060, 117.810)


@dataclass(frozen=True)
class Street:
    code: str
    name: str
    centre: tuple[float, float]


@dataclass(frozen=True)
class Place:
    """A community (社区) or village (村) under a street."""

    code: str
    name: str
    kind: str  # "community" | "village"
    road: str = ""  # urban communities: the road their addresses are on
    from_seed: bool = False
    weight: float = 1.0  # share of the demo residents
    grids: int | None = None  # None: 2–4 drawn from the seed

    @property
    def street_code(self) -> str:
        return self.code[:9]


# R-I3: 艾山 001, 里辛 002, 汶源 003 (街道); 颜庄 100, 辛庄 103 (township codes, today named 街道).
STREETS = [
    Street("370117001", "艾山街道", (36.062, 117.815)),
    Street("370117002", "里辛街道", (36.112, 117.772)),
    Street("370117003", "汶源街道", (36.045, 117.790)),
    Street("370117100", "颜庄街道", (36.022, 117.862)),
    Street("370117103", "辛庄街道", (36.140, 117.722)),
]

PLACES = [
    # 艾山街道
    Place("370117001001", "永兴社区", "community", road="永兴路", from_seed=True, weight=1.6, grids=4),
    Place("370117001002", "金鼎社区", "community", road="金鼎路", from_seed=True, weight=1.8, grids=4),
    Place("370117001003", "和美社区", "community", road="和美路"),
    Place("370117001004", "安康社区", "community", road="安康街"),
    Place("370117001005", "青松社区", "community", road="青松路", weight=0.8),
    # 里辛街道
    Place("370117002001", "洪沟社区", "community", road="洪沟路", from_seed=True, weight=1.4, grids=3),
    Place("370117002002", "同心社区", "community", road="同心路"),
    Place("370117002003", "康宁社区", "community", road="康宁街", weight=0.8),
    Place("370117002201", "东岭村", "village", weight=0.6),
    # 汶源街道
    Place("370117003001", "梅苑社区", "community", road="梅苑路", from_seed=True, weight=1.3, grids=3),
    Place("370117003002", "幸福社区", "community", road="幸福路"),
    Place("370117003003", "清源社区", "community", road="清源街", weight=0.8),
    Place("370117003201", "南沟村", "village", weight=0.6),
    # 颜庄街道
    Place("370117100001", "瑞和社区", "community", road="瑞和路", weight=0.9),
    Place("370117100201", "柳桥峪村", "village", from_seed=True, weight=0.9, grids=3),
    Place("370117100202", "石门村", "village", weight=0.6),
    Place("370117100203", "北岭村", "village", weight=0.5),
    # 辛庄街道
    Place("370117103001", "泰和社区", "community", road="泰和路", weight=0.9),
    Place("370117103201", "西峪村", "village", weight=0.6),
    Place("370117103202", "槐树村", "village", weight=0.5),
    Place("370117103203", "杏林村", "village", weight=0.5),
]

GRID_ORDINALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class OrgSpec:
    name: str
    kind: str  # org.models.OrgKind value
    unit_code: str
    parent: str = ""  # name of the parent organisation
    description: str = ""


@dataclass(frozen=True)
class TeamSpec:
    """A 志愿服务队 and how the people demo fills it: ``size`` members (one leader) from active volunteers
    under ``unit_code``, preferring those with ``prefer_tag``."""

    name: str
    unit_code: str
    size: int
    parent: str = ""
    description: str = ""
    prefer_tag: str = ""
    extra_units: tuple[str, ...] = field(default=())


FEDERATION = "钢城区志愿服务联合会"
SEED_NOTE = "（名称见于报道；成员和数据为演示虚构）"
MADE_UP = "（演示虚构）"

SOCIAL_ORGS = [
    OrgSpec("钢城区百善社会工作服务中心", "social_org", DISTRICT_CODE, FEDERATION,
            "“专业社工+志愿服务”融合项目的承接机构" + MADE_UP),
    OrgSpec("艾山街道社会工作服务站", "social_org", "370117001", "艾山街道志愿服务联盟",
            "街道社工站：个案管理、资源链接、志愿者培训" + MADE_UP),
    OrgSpec("钢城区爱心理发志愿者协会", "social_org", DISTRICT_CODE, FEDERATION,
            "志愿理发小屋的公益理发服务" + MADE_UP),
    OrgSpec("汶源街道睦邻互助社", "social_org", "370117003", "汶源街道志愿服务联盟",
            "“社区半月谈”议事平台的协办社会组织" + MADE_UP),
]

_JINDING_TEAMS = ["平安巡查", "扶弱助残", "文化惠民", "环境美化", "助老陪伴", "儿童关爱",
                  "便民维修", "文明劝导", "政策宣讲", "健康义诊", "睦邻调解", "绿色家园"]

TEAMS = [
    TeamSpec("手拉手孤困儿童关爱志愿团", DISTRICT_CODE, 30, FEDERATION,
             "“钢城无孤”公益行动：长期结对帮扶，入户访视、课业辅导、心理疏导、趣味陪伴" + SEED_NOTE),
    TeamSpec("手拉手孤困儿童关爱志愿团辛庄街道团队", "370117103", 8, "手拉手孤困儿童关爱志愿团",
             "辛庄街道的入户走访与物资捐助" + SEED_NOTE),
    TeamSpec("马上志愿服务队", "370117002001", 10, "洪沟社区志愿服务联盟",
             "配备专属服务设备，群众诉求快速响应、高效处置" + SEED_NOTE),
    TeamSpec("永兴社区红马甲志愿服务队", "370117001001", 12, "永兴社区志愿服务联盟",
             "“红马甲一刻钟”党建服务：网格走访、便民驿站、闲置物品跳蚤市场" + SEED_NOTE),
    *[
        TeamSpec(f"金鼎社区{topic}邻里志愿服务队", "370117001002", 5, "金鼎社区志愿服务联盟",
                 f"金鼎社区12支邻里志愿服务队之一：{topic}" + SEED_NOTE)
        for topic in _JINDING_TEAMS
    ],
    TeamSpec("梅苑社区智慧助老志愿服务队", "370117003001", 6, "梅苑社区志愿服务联盟",
             "智慧养老手环回访、独居老人探访" + MADE_UP),
    TeamSpec("“天更蓝水更清”环保志愿服务队", DISTRICT_CODE, 15, FEDERATION,
             "河流、公园垃圾清理和环保宣传" + SEED_NOTE),
    TeamSpec("文明交通引导志愿服务队", DISTRICT_CODE, 15, FEDERATION,
             "路口文明交通引导、劝导不文明交通行为" + SEED_NOTE),
    TeamSpec("泉新泉驿新就业群体志愿服务队", "370117001", 8, "艾山街道志愿服务联盟",
             "快递员、网约车司机组成的“随手拍”和应急服务小分队" + MADE_UP, prefer_tag="new_employment"),
    TeamSpec("柳桥峪村志愿服务队", "370117100201", 6, "柳桥峪村志愿服务点",
             "村务公开宣传、环境整治" + MADE_UP),
]


def alliance_name(unit_name: str, kind: str) -> str:
    """The volunteer-service organisation of a street (联盟), community (联盟) or village (服务点)."""
    return f"{unit_name}志愿服务点" if kind == "village" else f"{unit_name}志愿服务联盟"
