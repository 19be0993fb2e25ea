"""Fixtures for the three lists: needs, resources, projects and matches built through the services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from gongzhi.matching import services
from gongzhi.matching.models import ProjectStatus

# Monday 2030-05-06 10:00 Asia/Shanghai
MONDAY_10 = timezone.make_aware(dt.datetime(2030, 5, 6, 10, 0))

# 永兴社区第一网格 and around (approximate, the demo's 艾山街道 centre is 36.062 N, 117.815 E)
GRID_POINT = (Decimal("36.062000"), Decimal("117.815000"))


@pytest.fixture
def at(monkeypatch):
    """``at(moment)`` sets ``gongzhi.core.clock.now``; starts at MONDAY_10."""

    def set_to(moment):
        monkeypatch.setattr("gongzhi.core.clock.now", lambda: moment)
        return moment

    set_to(MONDAY_10)
    return set_to


def need(world, *, unit=None, kind="elderly", title="独居老人居家安全隐患排查", actor=None, **extra):
    return services.need_create(data=services.NeedInput(unit=unit or world.community_a, kind_code=kind, title=title,
                                                        **extra), actor=actor or world.user("district"))


def resource(world, *, unit=None, name="永兴社区便民超市", kind="merchant", offers=("elderly",), actor=None, **extra):
    return services.resource_create(data=services.ResourceInput(unit=unit or world.community_a, name=name, kind=kind,
                                                                offer_codes=list(offers), **extra),
                                    actor=actor or world.user("district"))


def project(world, *, unit=None, name="“爱上门”助老服务项目", kinds=("elderly",), running=True, actor=None, **extra):
    actor = actor or world.user("district")
    extra.setdefault("funder", "钢城区民政局")
    extra.setdefault("budget", Decimal("120000.00"))
    extra.setdefault("starts_on", dt.date(2030, 1, 1))
    extra.setdefault("ends_on", dt.date(2030, 12, 31))
    p = services.project_create(data=services.ProjectInput(unit=unit or world.community_a, name=name,
                                                           kind_codes=list(kinds), **extra), actor=actor)
    if running:
        p = services.project_status_change(project=p, action="start", actor=actor)
        assert p.status == ProjectStatus.RUNNING
    return p


@pytest.fixture
def lists(world, at):
    """Builders bound to the world: ``lists.need(...)``, ``lists.resource(...)``, ``lists.project(...)``."""

    class Lists:
        def need(self, **kw):
            return need(world, **kw)

        def resource(self, **kw):
            return resource(world, **kw)

        def project(self, **kw):
            return project(world, **kw)

    return Lists()
