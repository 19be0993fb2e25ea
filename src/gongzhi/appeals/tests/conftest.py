"""Fixtures for appeals tests: appeals built by the services at a controlled time."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from PIL import Image

from gongzhi.appeals import services
from gongzhi.appeals.models import Channel

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


def submit(world, *, actor=None, unit=None, channel=Channel.PHOTO_REPORT, category="C01", **extra):
    data = services.AppealInput(channel=channel, category_code=category, description=extra.pop("description",
                                "永兴路12号路灯不亮"), unit=unit or world.grid_a, reporter_name=extra.pop("name", "王秀英"),
                                reporter_phone=extra.pop("phone", "13812345678"), **extra)
    return services.appeal_submit(data=data, actor=actor or world.user("resident"))


@pytest.fixture
def make_appeal(world, at):
    def make(**kw):
        return submit(world, **kw)

    return make


def jpeg(*, size=(40, 30), gps=True, fmt="JPEG") -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    out = io.BytesIO()
    if gps and fmt == "JPEG":
        exif = Image.Exif()
        exif[0x010F] = "TestCam"  # Make
        exif[0x8825] = {1: "N", 2: (36.0, 3.0, 43.2), 3: "E", 4: (117.0, 48.0, 54.0)}
        image.save(out, format=fmt, exif=exif)
    else:
        image.save(out, format=fmt)
    return out.getvalue()
