"""Pinyin keys for name search: full pinyin ("zhangsanfeng") and initials ("zsf")."""

from __future__ import annotations

import functools

from pypinyin import Style, lazy_pinyin


@functools.lru_cache(maxsize=65536)
def pinyin_keys(name: str) -> tuple[str, str]:
    syllables = lazy_pinyin(name, errors=lambda s: list(s.lower()))
    full = "".join(syllables).lower()
    initials = "".join(s[0] for s in lazy_pinyin(name, style=Style.FIRST_LETTER, errors=lambda s: list(s.lower())) if s)
    return full[:200], initials.lower()[:50]
