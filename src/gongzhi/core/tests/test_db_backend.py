"""The PostgreSQL backend (core/db/postgresql) reads ``timestamptz`` values exactly as Django's own loader does —
same instant, same tzinfo, None for NULL, the same error for what Python cannot hold — but parses them with the
loader psycopg registers for itself (the compiled one, where psycopg's C implementation is installed)."""

from __future__ import annotations

import datetime as dt

import psycopg
import pytest
from django.db import DataError, connection
from django.db.backends.postgresql.psycopg_any import BaseTzLoader
from psycopg.pq import Format

from gongzhi.core.db.postgresql.base import TIMESTAMPTZ_OID, tz_loader

pytestmark = [pytest.mark.django_db, pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL")]

VALUES = [
    "2026-12-02 09:00:00+08",  # 学雷锋日 check-in
    "2026-12-02 01:00:00.000001+00",
    "2000-02-29 23:59:59.999999+00",
    "1949-10-01 15:00:00+08",
    "1900-01-01 00:00:00+00",
    "0001-01-01 00:00:00+00",
    "9999-12-31 23:59:59.999999+00",
]


def django_loader():
    class Django(BaseTzLoader):
        timezone = connection.timezone

    return Django


def test_values_are_the_ones_djangos_own_loader_gives():
    with connection.cursor() as cur:
        cur.execute("SELECT " + ", ".join(f"'{v}'::timestamptz" for v in VALUES) + ", NULL::timestamptz")
        ours = cur.fetchone()
        assert connection.connection.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT) is tz_loader(connection.timezone)
        cur.cursor.adapters.register_loader("timestamptz", django_loader())
        cur.execute("SELECT " + ", ".join(f"'{v}'::timestamptz" for v in VALUES) + ", NULL::timestamptz")
        theirs = cur.fetchone()
    assert ours == theirs and ours[-1] is None
    assert [v.tzinfo for v in ours[:-1]] == [v.tzinfo for v in theirs[:-1]] == [dt.UTC] * len(VALUES)
    assert ours[0] == dt.datetime(2026, 12, 2, 1, 0, tzinfo=dt.UTC)


def test_a_value_python_cannot_hold_is_refused_as_by_django():
    """PostgreSQL holds years to 294276 and 'infinity'; Python's datetime does not: both loaders raise the same
    DataError (Django's, wrapping psycopg's)."""
    for value in ("infinity", "-infinity", "10000-01-01 00:00:00+00"):
        for loader in (None, django_loader()):
            with connection.cursor() as cur:
                if loader is not None:
                    cur.cursor.adapters.register_loader("timestamptz", loader)
                cur.execute(f"SELECT '{value}'::timestamptz")
                with pytest.raises(DataError):
                    cur.fetchone()


def test_every_cursor_keeps_the_fast_loader_and_the_orm_reads_through_it():
    """Django's create_cursor re-registers its own loader when the connection's timezone differs from the
    loader's: the fast loader carries the same timezone, so every cursor (the ORM's included) keeps it."""
    from django.contrib.auth import get_user_model

    with connection.cursor() as cur:
        loader = cur.cursor.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)
    assert loader is tz_loader(connection.timezone) and loader.timezone == connection.timezone
    if psycopg.pq.__impl__ in ("c", "binary"):
        assert not type(loader(TIMESTAMPTZ_OID, None)._parse.__self__).__module__.startswith("psycopg.types")
    joined = dt.datetime(2026, 3, 5, 1, 2, 3, 456789, tzinfo=dt.UTC)  # 学雷锋日, 09:02 in 济南
    user = get_user_model().objects.create(username="backend-probe", date_joined=joined)
    again = get_user_model().objects.get(pk=user.pk)
    assert again.date_joined == joined and again.date_joined.tzinfo == dt.UTC
