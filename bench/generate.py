"""Synthetic people sheets for the import benchmark: valid-checksum IDs, Chinese names, phones, some tags.

Deterministic for a seed. Written with xlsxwriter in constant_memory mode (rows go straight to disk), with the ID,
phone and unit-code columns as text, as a careful community worker's sheet would have them.
"""

from __future__ import annotations

import datetime as dt
import random

import xlsxwriter

from gongzhi.people.identity import make_id_number

HEADERS = ["姓名*", "身份证号", "手机号", "住址", "所属单元代码", "户", "人群标签"]

DISTRICT = ("370117", "钢城区")
STREETS = [("370117001", "艾山街道"), ("370117002", "里辛街道"), ("370117003", "汶源街道")]
COMMUNITIES_PER_STREET = 6
GRIDS_PER_COMMUNITY = 3

# Common surnames (roughly by frequency) and characters of given names.
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
            "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN = ("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华玉萍红娥玲芬燕彬鹏辉建国文斌宇浩凯健俊帆帅旭宁婷雪琳"
         "晨欣怡梓涵子轩雨欢海波志成庆东晓红春梅立新永利金凤德胜荣振家瑞祥福林树云飞龙宏亮佳鑫博睿思琪婉清淑珍")
ROADS = ("钢都大街", "府前大街", "汇河大道", "双元大街", "银河路", "永兴路", "金鼎路", "新兴路", "艾山路", "里辛路")
TAGS = ("独居老人", "空巢老人", "残疾人", "低保", "新就业群体", "退役军人", "党员", "留守儿童")
# Historical address codes are valid too (R-I2): 371203 was 钢城区's code before 2018.
ADDRESS_CODES = ("370117", "370117", "370117", "371203", "370102", "370181")


def unit_codes() -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str, str]]]:
    """(code, name, street code) of each community and (code, name, community code, kind) of each grid."""
    communities, grids = [], []
    for street_code, street_name in STREETS:
        for c in range(1, COMMUNITIES_PER_STREET + 1):
            code = f"{street_code}{c:03d}"
            communities.append((code, f"{street_name[:2]}第{c}社区", street_code))
            for g in range(1, GRIDS_PER_COMMUNITY + 1):
                grids.append((f"{code}{g:03d}", f"{street_name[:2]}第{c}社区第{g}网格", code, "grid"))
    return communities, grids


def rows(n: int, *, seed: int = 20240601):
    """Yield ``n`` rows; every ID number is distinct (sequence and birth date spread over the range)."""
    rnd = random.Random(seed)
    communities, grids = unit_codes()
    homes = [c[0] for c in communities] + [g[0] for g in grids]
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
