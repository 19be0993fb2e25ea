"""Administrative division codes (GB/T 2260 + the 12-digit statistical code, R-I3; grid codes, R-U1).

The rules are a table: each unit kind has a code length, the number of leading digits that make its tree path,
and the allowed range of its own segment.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    PROVINCE = "province", _("省")
    CITY = "city", _("市")
    DISTRICT = "district", _("区县")
    STREET = "street", _("街道/乡镇")
    COMMUNITY = "community", _("社区")
    VILLAGE = "village", _("村")
    GRID = "grid", _("网格")


def grid_width() -> int:
    return int(getattr(settings, "GRID_CODE_WIDTH", 3))


@dataclass(frozen=True)
class CodeRule:
    length: int  # digits in the stored code
    path_length: int  # leading digits that identify the unit in the tree
    segment: tuple[int, int] | None  # (start, end) slice of the unit's own segment inside the code
    segment_range: tuple[int, int] | None  # allowed values of that segment
    parent_kinds: tuple[str, ...]


def code_rules() -> dict[str, CodeRule]:
    g = grid_width()
    return {
        UnitKind.PROVINCE: CodeRule(6, 2, (0, 2), (11, 82), ()),
        UnitKind.CITY: CodeRule(6, 4, (2, 4), (1, 99), (UnitKind.PROVINCE,)),
        UnitKind.DISTRICT: CodeRule(6, 6, (4, 6), (1, 99), (UnitKind.CITY, UnitKind.PROVINCE)),
        # R-I3: township 001–099 街道, 100–199 镇, 200–399 乡
        UnitKind.STREET: CodeRule(9, 9, (6, 9), (1, 399), (UnitKind.DISTRICT,)),
        # R-I3: village 001–199 居委会 (community), 200–399 村委会 (village)
        UnitKind.COMMUNITY: CodeRule(12, 12, (9, 12), (1, 199), (UnitKind.STREET,)),
        UnitKind.VILLAGE: CodeRule(12, 12, (9, 12), (200, 399), (UnitKind.STREET,)),
        UnitKind.GRID: CodeRule(12 + g, 12 + g, (12, 12 + g), (1, 10**g - 1), (UnitKind.COMMUNITY, UnitKind.VILLAGE)),
    }


def code_problem(kind: str, code: str, parent_code: str | None, parent_kind: str | None) -> str | None:
    """Why ``code`` is not a valid code for a unit of ``kind`` under the given parent, or None if it is."""
    rule = code_rules().get(kind)
    if rule is None:
        return "unknown_kind"
    if not code.isdigit() or len(code) != rule.length:
        return "bad_length"
    if kind in (UnitKind.PROVINCE, UnitKind.CITY) and code[rule.path_length :].strip("0"):
        return "bad_padding"
    if rule.segment:
        seg = int(code[rule.segment[0] : rule.segment[1]])
        lo, hi = rule.segment_range
        if not lo <= seg <= hi:
            return "segment_out_of_range"
    if parent_kind is None:
        return None  # a root: the deployment's top unit (a district, a city, a province)
    if parent_kind not in rule.parent_kinds:
        return "bad_parent_kind"
    if not code.startswith(path_for(parent_kind, parent_code)):
        return "not_under_parent"
    return None


def path_for(kind: str, code: str) -> str:
    """The tree path: the significant leading digits of the code. A subtree is every path with this prefix."""
    return code[: code_rules()[kind].path_length]


def prefix_upper_bound(prefix: str) -> str | None:
    """Smallest digit string greater than every string starting with ``prefix`` (None if there is none).

    Lets a subtree be a plain range scan on an ordinary b-tree index on any database and collation.
    """
    digits = list(prefix)
    i = len(digits) - 1
    while i >= 0 and digits[i] == "9":
        i -= 1
    if i < 0:
        return None
    return "".join(digits[:i]) + str(int(digits[i]) + 1)
