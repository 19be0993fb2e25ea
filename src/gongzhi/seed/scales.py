"""How much data each scale holds (the table ``gongzhi seed --help`` and the README quote).

District is 钢城区 as the seeds describe it (~300,000 residents, 6 streets, 22 communities and 220 villages, 6.5万
registered volunteers, 476 teams); province is the issue's target (1 M volunteers, 10 M service records, 1 M
requests, 5 M points transactions, 100 k places) over the real cities and districts of 山东省; city (济南市) sits
between. ``tiny`` is for tests. ``fraction`` scales the row counts, never the tree's shape.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass


@dataclass(frozen=True)
class Tree:
    root: str  # division code of the top unit: a province, a city or a district
    streets: int  # per district (街道/乡镇)
    communities: int  # per street (社区, 居委会)
    villages: int  # per street (村, 村委会)
    community_grids: int  # grids per community
    village_grids: int  # grids per village


@dataclass(frozen=True)
class Scale:
    name: str
    tree: Tree
    people: int  # residents on record (aged 14 and over), volunteers among them
    volunteers: int
    records: int  # original service records (corrections and revocations come on top, ≈ 1.3 %)
    appeals: int  # 诉求 (≈ 8.5 AppealEvent rows each)
    points: int  # points transactions (awards, redemptions, a few reversals)
    places: int  # 资源清单 entries: venues, shops, clinics, schools … with coordinates

    def scaled(self, fraction: float) -> Scale:
        if fraction == 1:
            return self
        n = lambda v: max(1, round(v * fraction))  # noqa: E731
        return dataclasses.replace(self, people=n(self.people), volunteers=n(self.volunteers),
                                   records=n(self.records), appeals=n(self.appeals), points=n(self.points),
                                   places=n(self.places))

    def with_counts(self, **counts) -> Scale:
        out = dataclasses.replace(self, **counts)
        if out.volunteers > out.people:
            out = dataclasses.replace(out, people=out.volunteers)
        return out


SCALES: dict[str, Scale] = {
    "tiny": Scale("tiny", Tree("370117", streets=2, communities=2, villages=2, community_grids=2, village_grids=1),
                  people=1_200, volunteers=400, records=3_000, appeals=300, points=1_500, places=40),
    "district": Scale("district", Tree("370117", streets=6, communities=4, villages=37, community_grids=4,
                                       village_grids=1),
                      people=300_000, volunteers=65_000, records=650_000, appeals=65_000, points=325_000,
                      places=6_500),
    "city": Scale("city", Tree("370100", streets=8, communities=10, villages=25, community_grids=3, village_grids=1),
                  people=1_000_000, volunteers=250_000, records=2_500_000, appeals=250_000, points=1_250_000,
                  places=25_000),
    "province": Scale("province", Tree("370000", streets=10, communities=8, villages=25, community_grids=3,
                                       village_grids=1),
                      people=3_000_000, volunteers=1_000_000, records=10_000_000, appeals=1_000_000,
                      points=5_000_000, places=100_000),
}


def get(name: str, fraction: float = 1.0) -> Scale:
    return SCALES[name].scaled(fraction)


def table() -> str:
    """The sizes as lines of text (for --help and the README)."""
    lines = [f"{'scale':<9}{'root':<8}{'people':>11}{'volunteers':>12}{'records':>12}{'appeals':>11}"
             f"{'points tx':>11}{'places':>9}"]
    for s in SCALES.values():
        lines.append(f"{s.name:<9}{s.tree.root:<8}{s.people:>11,}{s.volunteers:>12,}{s.records:>12,}"
                     f"{s.appeals:>11,}{s.points:>11,}{s.places:>9,}")
    return "\n".join(lines)
