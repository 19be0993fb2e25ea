"""Fixtures for Open311 tests: a key for the district, a GeoReport client over the Django test client that parses
every answer (XML with the stdlib), and appeals at a controlled time."""

from __future__ import annotations

import datetime as dt
import json
from xml.etree import ElementTree as ET

import pytest
from django.test import Client
from django.utils import timezone

from gongzhi.appeals import services as appeal_services
from gongzhi.appeals.models import Channel
from gongzhi.open311 import services

BASE = "/open311/v2"
# Monday 2030-05-06 10:00 Asia/Shanghai
MONDAY_10 = timezone.make_aware(dt.datetime(2030, 5, 6, 10, 0))


@pytest.fixture
def at(monkeypatch):
    """``at(moment)`` sets ``gongzhi.core.clock.now``; starts at MONDAY_10."""

    def set_to(moment):
        monkeypatch.setattr("gongzhi.core.clock.now", lambda: moment)
        return moment

    set_to(MONDAY_10)
    return set_to


@pytest.fixture
def key(world):
    """An API key for an application filing anywhere in the district."""
    _, secret = services.api_client_issue(name="随手拍App", unit=world.district, actor=world.user("district"))
    return secret


class GeoReport:
    """Calls /open311/v2/<path>.<fmt> and returns (status, parsed body): JSON as is, XML as an Element."""

    def __init__(self):
        self.client = Client()

    def _parse(self, r, fmt):
        if fmt == "json":
            assert r["Content-Type"] == "application/json; charset=utf-8"
            return json.loads(r.content)
        assert r["Content-Type"] == "text/xml; charset=utf-8"
        assert r.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
        return ET.fromstring(r.content)

    def get(self, path, fmt="json", **params):
        r = self.client.get(f"{BASE}/{path}.{fmt}" if fmt else f"{BASE}/{path}", params)
        return r.status_code, self._parse(r, fmt or "xml")

    def post(self, path="requests", fmt="json", **data):
        r = self.client.post(f"{BASE}/{path}.{fmt}", data)
        return r.status_code, self._parse(r, fmt)


@pytest.fixture
def geo():
    return GeoReport()


def submit(world, *, unit=None, category="C01", channel=Channel.PHOTO_REPORT, **extra):
    data = appeal_services.AppealInput(
        channel=channel, category_code=category, description=extra.pop("description", "永兴路12号路灯不亮"),
        unit=unit or world.grid_a, reporter_name=extra.pop("name", "王秀英"),
        reporter_phone=extra.pop("phone", "13812345678"), **extra)
    return appeal_services.appeal_submit(data=data, actor=world.user("resident"))


def children(el, name):
    """Names of ``el``'s child elements, in order, after checking they are all ``name``."""
    assert [c.tag for c in el] == [name] * len(el), [c.tag for c in el]
    return list(el)


def tags(el) -> list[str]:
    return [c.tag for c in el]
