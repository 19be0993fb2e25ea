"""Absurd numbers, coordinates, dates and ids typed into the page forms (not the API: core/tests/test_api_hostile_values
covers that) are a form error in Chinese or a 4xx, save nothing, and never answer 500.

Enumerated: every number, date and time field of every Django form of the pages is cleaned with the absurd values
below; whatever a field accepts must be something the database can hold (an integer within bigint, a date-time that
converts to UTC). The pages that parse numbers by hand (随手拍's coordinates) and ids in URLs and hidden fields are
posted to directly.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from gongzhi.appeals.models import Appeal

from . import payloads as p
from .test_hostile_text import form_classes

NUMBERS = ["NaN", "nan", "Infinity", "-Infinity", "1e308", "-1e308", "99999999999999999999", "-99999999999999999999",
           "1e-400", "0x10", "１２"]
DATES = ["0000-01-01", "0001-01-01", "9999-12-31", "2026-02-30", "2026-13-01", "99999-01-01", "-2026-01-01"]
DATETIMES = ["0001-01-01 00:00", "0001-01-01T00:00", "9999-12-31 23:59", "9999-12-31T23:59:59+14:00",
             "2026-02-30 10:00", "2026-05-06 25:00", "2026-05-06T10:00", "2026-05-06 10:00:00-12:00"]
TIMES = ["24:00", "23:60", "-01:00", "10:00+08:00"]
BIGINT = 2 ** 63 - 1
# fields whose service refuses absurd values itself, with its own message (the page shows it on the form)
CHECKED_BY_THE_SERVICE = {
    ("gongzhi.activities.forms.ActivityForm", "starts_at"),  # activities: 活动时间须在2000年至2100年之间
    ("gongzhi.activities.forms.ActivityForm", "ends_at"),
}


def fields_of(kind) -> list[tuple[str, str, forms.Field]]:
    return [(form, name, field) for form, cls in form_classes().items() for name, field in cls.base_fields.items()
            if isinstance(field, kind)]


def _holdable(value) -> bool:
    """Could the database store this cleaned value without an error (overflow, non-finite, out of range)?"""
    if value is None or value == "":
        return True
    if isinstance(value, bool):
        return True
    if isinstance(value, int):
        return -BIGINT <= value <= BIGINT
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, Decimal):
        return value.is_finite() and abs(value) < Decimal("1e15")
    if isinstance(value, dt.datetime):
        try:
            value.astimezone(dt.UTC)
        except (OverflowError, ValueError):
            return False
        return dt.datetime(1900, 1, 1, tzinfo=dt.UTC) <= value.astimezone(dt.UTC) <= dt.datetime(
            2200, 1, 1, tzinfo=dt.UTC)
    if isinstance(value, dt.date):
        return dt.date(1900, 1, 1) <= value <= dt.date(2200, 1, 1)
    return True


def _check(kind, values) -> list:
    bad = []
    for form, name, field in fields_of(kind):
        if (form, name) in CHECKED_BY_THE_SERVICE:
            continue
        for value in values:
            try:
                cleaned = field.clean(value)
            except ValidationError as err:
                if not any(p.has_cjk(str(m)) for m in err.messages):
                    bad.append((form, name, value, "message not Chinese", err.messages))
                continue
            except Exception as exc:  # noqa: BLE001 - that is the 500
                bad.append((form, name, value, type(exc).__name__))
                continue
            if not _holdable(cleaned):
                bad.append((form, name, value, repr(cleaned)[:60]))
    return bad


def test_the_number_and_date_fields_are_enumerated():
    assert len(fields_of((forms.IntegerField, forms.DecimalField, forms.FloatField))) >= 15
    assert len(fields_of((forms.DateField, forms.DateTimeField))) >= 8


def test_number_fields_refuse_what_no_column_can_hold():
    bad = _check((forms.IntegerField, forms.DecimalField, forms.FloatField), NUMBERS)
    assert not bad, bad


def test_date_fields_refuse_impossible_and_absurd_dates():
    bad = _check(forms.DateField, DATES)
    assert not bad, bad


def test_datetime_fields_refuse_what_cannot_be_stored_in_utc():
    bad = _check(forms.DateTimeField, DATETIMES + DATES)
    assert not bad, bad


def test_time_fields_refuse_impossible_times():
    bad = _check(forms.TimeField, TIMES)
    assert not bad, bad


def test_negative_counts_are_refused_where_a_count_is_meant():
    """Hours, points, capacity, quantities, budgets: a negative value is a form error."""
    words = ("hours", "points", "capacity", "quantity", "stock", "budget", "price", "beneficiaries", "count")
    accepted = []
    for form, name, field in fields_of((forms.IntegerField, forms.DecimalField)):
        if not any(w in name for w in words):
            continue
        try:
            field.clean("-5")
        except ValidationError:
            continue
        accepted.append((form, name))
    assert not accepted, accepted


# --- pages parsing by hand ---------------------------------------------------------------------------------------

def _page(world, role: str) -> Client:
    client = Client()
    client.force_login(world.user(role), backend="gongzhi.accounts.backends.PhoneOrUsernameBackend")
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("lat,lng", [("91", "117.8"), ("36.2", "181"), ("-91", "0"), ("NaN", "NaN"),
                                     ("Infinity", "117.8"), ("1e308", "1e308"), ("36.2", "-Infinity"),
                                     ("36.2abc", "117.8")])
def test_the_photo_report_refuses_absurd_coordinates(world, lat, lng):
    before = Appeal.objects.count()
    r = _page(world, "resident").post(reverse("appeals:report"), {
        "category": "C01", "unit": world.grid_a.pk, "description": "路灯不亮", "latitude": lat, "longitude": lng})
    assert 400 <= r.status_code < 500, (lat, lng, r.status_code)
    assert p.has_cjk(r.content.decode())
    assert Appeal.objects.count() == before


@pytest.mark.django_db
def test_the_photo_report_with_sane_coordinates_works(world):
    r = _page(world, "resident").post(reverse("appeals:report"), {
        "category": "C01", "unit": world.grid_a.pk, "description": "路灯不亮", "latitude": "36.2",
        "longitude": "117.8"})
    assert r.status_code == 302
    assert Appeal.objects.get().latitude == Decimal("36.200000")


@pytest.mark.django_db
@pytest.mark.parametrize("unit", ["99999999999999999999", "-1", "1e5", "<script>", "9223372036854775808"])
def test_the_photo_report_with_an_absurd_hidden_unit_id_is_a_4xx(world, unit):
    r = _page(world, "resident").post(reverse("appeals:report"), {
        "category": "C01", "unit": unit, "description": "路灯不亮"})
    assert r.status_code < 500
    assert Appeal.objects.count() in (0, 1)  # a unit may be found from the category and location, never a 500


@pytest.mark.django_db
@pytest.mark.parametrize("pk", ["99999999999999999999", "9223372036854775808", "0"])
def test_huge_ids_in_page_urls_are_404(world, pk):
    client = _page(world, "district")
    for name in ("appeals:detail", "people:detail", "dispatch:detail", "matching:need_detail"):
        url = reverse(name, args=[1]).replace("/1/", f"/{pk}/")
        r = client.get(url)
        assert r.status_code == 404, (url, r.status_code)
        r = client.post(url, {"note": "x"})
        assert r.status_code in (404, 405), (url, r.status_code)
