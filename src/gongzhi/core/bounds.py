"""Bounds on what people type into page forms, shared so that every form refuses the same absurd values.

A date in year 1 or 9999 is storable but never meant (and a date-time in year 1 at UTC+8 cannot even be converted to
UTC: a 500); an integer beyond bigint cannot be bound by SQLite (OverflowError, a 500); a coordinate of latitude 91
is nowhere. Forms refuse them with a Chinese message instead.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .ids import MAX_ID  # noqa: F401 - re-exported for id fields (max_value=bounds.MAX_ID)

FIRST_YEAR = 1900
LAST_YEAR = 2199
COUNT_MAX = 1_000_000  # stock changes, capacities, points: nothing a community counts reaches a million


def sane_year(value: dt.date | dt.datetime | None) -> None:
    """A validator for date and date-time fields: the year lies between FIRST_YEAR and LAST_YEAR."""
    if value is not None and not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValidationError(_("日期须在 %(first)s 年至 %(last)s 年之间"), code="year_out_of_range",
                              params={"first": FIRST_YEAR, "last": LAST_YEAR})


def coordinate(value, *, limit: int) -> Decimal | None:
    """A latitude (``limit`` 90) or longitude (180) typed or sent by a browser: blank is None; anything else must be
    a finite number within ±limit (raises ValueError otherwise). Quantised to the columns' six decimal places."""
    if value is None or str(value).strip() == "":
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(value) from None
    if not number.is_finite() or abs(number) > limit:
        raise ValueError(value)
    return number.quantize(Decimal("0.000001"))
