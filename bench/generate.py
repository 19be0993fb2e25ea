"""Synthetic people sheets for the import benchmark: valid-checksum IDs, Chinese names, phones, some tags.

The names, roads and the org tree are the scale data's (``gongzhi.seed``: the district scale's 钢城区 tree — 6
streets, 24 communities, 222 villages and their grids — whose units the import benchmark's database holds).
Deterministic for a seed. Written with xlsxwriter in constant_memory mode (rows go straight to disk), with the ID,
phone and unit-code columns as text, as a careful community worker's sheet would have them.
"""

from __future__ import annotations

import datetime as dt
import random

import xlsxwriter

from gongzhi.people.identity import make_id_number
from gongzhi.seed.names import GIVEN, ROADS, SURNAMES
from gongzhi.seed.scales import SCALES

HEADERS = ["姓名*", "身份证号", "手机号", "住址", "所属单元代码", "户", "人群标签"]
TREE = SCALES["district"].tree
TAGS = ("独居老人", "空巢老人", "残疾人", "低保", "新就业群体", "退役军人", "党员", "留守儿童")
# Historical address codes are valid too (R-I2): 371203 was 钢城区's code before 2018.
ADDRESS_CODES = ("370117", "370117", "370117", "371203", "370102", "370181")


def home_codes() -> list[str]:
    """Codes of every community, village and grid of the district scale's tree (as ``seed.org.build`` makes them)."""
    out = []
    for s in range(1, TREE.streets + 1):
        street = f"{TREE.root}{s:03d}"
        for c in range(1, TREE.communities + 1):
            out.append(f"{street}{c:03d}")
            out += [f"{street}{c:03d}{g:03d}" for g in range(1, TREE.community_grids + 1)]
        for v in range(1, TREE.villages + 1):
            out.append(f"{street}{199 + v:03d}")
            out += [f"{street}{199 + v:03d}{g:03d}" for g in range(1, TREE.village_grids + 1)]
    return out


def rows(n: int, *, seed: int = 20240601):
    """Yield ``n`` rows; every ID number is distinct (sequence and birth date spread over the range)."""
    rnd = random.Random(seed)
    homes = home_codes()
    start = dt.date(1935, 1, 1)
    for i in range(n):
        surname = rnd.choice(SURNAMES)
        given = rnd.choice(GIVEN) + (rnd.choice(GIVEN) if rnd.random() < 0.75 else "")
        # i → (day, sequence) so IDs never repeat: 1000 sequences per birth date, ~25,000 days available.
        birth = start + dt.timedelta(days=(i // 1000 * 7919 + i % 1000) % 25000)
        ident = make_id_number(rnd.choice(ADDRESS_CODES), birth, i % 1000)
        phone = f"1{rnd.choice('3456789')}{rnd.randrange(10**9):09d}"
        road = rnd.choice(ROADS)
        building, door = rnd.randrange(1, 40), rnd.randrange(101, 2603)
        roll = rnd.random()
        tags = "" if roll < 0.75 else ("、".join(rnd.sample(TAGS, 2)) if roll > 0.95 else rnd.choice(TAGS))
        yield [surname + given, ident, phone, f"钢城区{road}{building}号{door}室", rnd.choice(homes),
               f"{road}{building}号{door}", tags]


def write_people_xlsx(path: str, n: int, *, seed: int = 20240601) -> None:
    book = xlsxwriter.Workbook(path, {"constant_memory": True})
    ws = book.add_worksheet("居民")
    ws.write_row(0, 0, HEADERS)
    for r, row in enumerate(rows(n, seed=seed), start=1):
        for c, value in enumerate(row):
            if value:
                ws.write_string(r, c, value)
    book.close()
