"""Pinyin keys for name search: full pinyin ("zhangsanfeng") and initials ("zsf").

A name is read as pypinyin reads it (phrases first, else each character's most common reading), with one
correction: the surname. pypinyin does not know that the first character of a name is a surname, and several common
surnames are polyphonic with a reading of their own (曾 is zeng, not ceng; 单 shan, not dan). ``SURNAMES`` and
``COMPOUND_SURNAMES`` are those readings, as a table.

Speed (bulk imports read 100,000 names): pypinyin segments every name into words, which costs ~25 µs. Most names
contain no word of pypinyin's phrase dictionary, and then its reading is simply each character's reading; those are
kept in a per-character dict (bounded by the number of distinct characters), and only names that contain a phrase
or a character outside the dictionary (Latin letters, ·) go through pypinyin itself (LRU-cached).
"""

from __future__ import annotations

import functools

from pypinyin import lazy_pinyin
from pypinyin.constants import PHRASES_DICT, PINYIN_DICT

# Surname readings that differ from pypinyin's most common reading of the character; used for the first character
# of a name only.
SURNAMES = {
    "单": "shan", "曾": "zeng", "仇": "qiu", "解": "xie", "朴": "piao", "区": "ou", "查": "zha", "缪": "miao",
    "翟": "zhai", "盖": "ge", "乐": "yue", "覃": "qin", "长": "chang", "都": "du", "牟": "mu", "粘": "nian",
    "句": "gou", "员": "yun", "秘": "bi", "召": "shao", "种": "chong", "重": "chong", "藏": "zang", "隗": "wei",
    "佴": "nai", "薄": "bo", "宓": "fu", "折": "she", "祭": "zhai", "阚": "kan", "繁": "po",
}
# Two-character surnames whose reading is not the characters' own (长孙 is zhangsun although 长 alone is chang).
COMPOUND_SURNAMES = {
    "万俟": ("mo", "qi"), "澹台": ("tan", "tai"), "尉迟": ("yu", "chi"), "长孙": ("zhang", "sun"),
    "单于": ("chan", "yu"),
}

_CHARS: dict[str, tuple[str, str]] = {}  # character → (reading, its first letter)


def _errors(text: str) -> list[str]:
    return list(text.lower())


@functools.lru_cache(maxsize=4096)
def _syllables_slow(text: str) -> tuple[str, ...]:
    return tuple(lazy_pinyin(text, errors=_errors))


def _has_phrase(text: str) -> bool:
    """Whether a word of pypinyin's phrase dictionary occurs in ``text`` (then its segmentation matters)."""
    n = len(text)
    if n < 2:
        return False
    if n == 2:
        return text in PHRASES_DICT
    if n == 3:
        return text in PHRASES_DICT or text[:2] in PHRASES_DICT or text[1:] in PHRASES_DICT
    return any(text[i:j] in PHRASES_DICT for i in range(n - 1) for j in range(i + 2, n + 1))


def _char(c: str) -> tuple[str, str] | None:
    if ord(c) not in PINYIN_DICT:
        return None
    reading = lazy_pinyin(c)[0]
    hit = _CHARS[c] = (reading, reading[:1])
    return hit


def _keys(text: str) -> tuple[str, str]:
    """(full, initials) of ``text`` as pypinyin's lazy_pinyin reads it, without its segmentation when possible."""
    if not _has_phrase(text):
        full = initials = ""
        for c in text:
            hit = _CHARS.get(c) or _char(c)
            if hit is None:
                break
            full += hit[0]
            initials += hit[1]
        else:
            return full, initials
    syllables = _syllables_slow(text)
    return "".join(syllables), "".join(s[0] for s in syllables if s)


def _pinyin_keys(name: str) -> tuple[str, str]:
    compound = COMPOUND_SURNAMES.get(name[:2])
    if compound is not None:
        full, initials = _keys(name[2:])
        return "".join(compound) + full, "".join(s[0] for s in compound) + initials
    surname = SURNAMES.get(name[:1])
    if surname is not None:
        full, initials = _keys(name[1:])
        return surname + full, surname[0] + initials
    return _keys(name)


def pinyin_keys(name: str) -> tuple[str, str]:
    full, initials = _pinyin_keys(name)
    return full.lower()[:200], initials.lower()[:50]
