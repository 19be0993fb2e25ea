"""Pinyin keys for name search: pypinyin's reading (phrases included), surnames read as surnames, fast per character."""

from __future__ import annotations

import random

import pytest
from pypinyin import lazy_pinyin

from gongzhi.people import pinyin
from gongzhi.people.pinyin import pinyin_keys


def pypinyin_keys(text: str) -> tuple[str, str]:
    """What the keys were before the per-character table: lazy_pinyin over the whole name."""
    syllables = lazy_pinyin(text, errors=lambda s: list(s.lower()))
    return "".join(syllables).lower()[:200], "".join(s[0] for s in syllables if s).lower()[:50]


def test_zhang_sanfeng():
    """张三丰 is zhangsanfeng, initials zsf (the search example of issue 2)."""
    assert pinyin_keys("张三丰") == ("zhangsanfeng", "zsf")


@pytest.mark.parametrize(("name", "keys"), [
    ("曾小明", ("zengxiaoming", "zxm")), ("单田芳", ("shantianfang", "stf")), ("仇英", ("qiuying", "qy")),
    ("解缙", ("xiejin", "xj")), ("朴树", ("piaoshu", "ps")), ("区志强", ("ouzhiqiang", "ozq")),
    ("查良镛", ("zhaliangyong", "zly")), ("翟志刚", ("zhaizhigang", "zzg")), ("覃丽", ("qinli", "ql")),
    ("曾经", ("zengjing", "zj")),  # a phrase (cengjing) when not a name
    ("长孙无忌", ("zhangsunwuji", "zswj")), ("尉迟恭", ("yuchigong", "ycg")), ("万俟卨", ("moqixie", "mqx")),
])
def test_polyphonic_surnames_are_read_as_surnames(name, keys):
    """A polyphonic first character takes its surname reading (曾 zeng, not ceng); compound surnames too."""
    assert pinyin_keys(name) == keys


def test_surname_readings_apply_to_the_first_character_only():
    """曾 later in a name keeps pypinyin's reading."""
    assert pinyin_keys("王曾") == pypinyin_keys("王曾") == ("wangceng", "wc")


@pytest.mark.parametrize("name", ["王重庆", "李长江", "John Smith", "买买提·艾力", "Anna张", "〇", "张 三"])
def test_names_with_phrases_or_other_characters_read_as_pypinyin_reads_them(name):
    """Phrases (重庆 chongqing, not zhongqing), Latin letters and separators go through pypinyin itself."""
    assert pinyin_keys(name) == pypinyin_keys(name)


def test_per_character_reading_equals_pypinyin_on_random_names():
    """Without the surname table, the per-character path gives exactly lazy_pinyin's keys (20,000 random names)."""
    rnd = random.Random(7)
    chars = [chr(c) for c in rnd.sample(range(0x4E00, 0x9FA6), 2500)] + list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗")
    for _ in range(20_000):
        name = "".join(rnd.choice(chars) for _ in range(rnd.randint(1, 4)))
        assert pinyin._keys(name) == pypinyin_keys(name), name


def test_a_name_not_starting_with_a_table_surname_keeps_its_old_keys():
    """Only the surname table changes keys: of 5,000 common-surname names, just those of 曾 and 覃 differ."""
    rnd = random.Random(11)
    surnames, given = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗曾覃", "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚华玉"
    names = [rnd.choice(surnames) + rnd.choice(given) + rnd.choice(given) for _ in range(5000)]
    changed = {n for n in names if pinyin_keys(n) != pypinyin_keys(n)}
    assert changed == {n for n in names if n[0] in "曾覃"}
