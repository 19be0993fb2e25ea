"""On a phone, without logging in: the public map (Leaflet, no tiles offline) with markers, figures and list."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from gongzhi.appeals import services

from .conftest import submit


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the live server reads committed rows
def test_public_map_and_list_on_a_phone(live_server, world, chromium_page):
    page, base = chromium_page, live_server.url
    for unit, (lat, lng) in ((world.community_a, ("36.062", "117.815")), (world.community_a2, ("36.058", "117.806")),
                             (world.community_b, ("36.112", "117.772"))):
        unit.latitude, unit.longitude = Decimal(lat), Decimal(lng)
        unit.save(update_fields=["latitude", "longitude"])
    worker = world.user("grid")
    lamp = submit(world, latitude=Decimal("36.062400"), longitude=Decimal("117.815300"),
                  description="永兴路12号路口路灯不亮", name="王秀英", phone="13812345678")
    submit(world, category="S01", description="家里水龙头坏了", unit=world.community_b, name="赵大妈")
    services.appeal_accept(appeal=lamp, actor=worker)

    page.goto(f"{base}{reverse('appeals:public')}")
    page.wait_for_selector("#public-map path.leaflet-interactive")
    page.wait_for_timeout(300)
    page.screenshot(path="test-artifacts/appeals-public.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # three community dots and two appeals; no tile images (none offline, none configured)
    assert page.locator("#public-map path.leaflet-interactive").count() == 5
    assert page.locator("#public-map img.leaflet-tile").count() == 0
    html = page.content()
    assert "公用设施" in html and "水电维修" in html and "办结率" in html
    assert "王秀英" not in html and "13812345678" not in html and "赵大妈" not in html

    page.select_option("select[name=status]", "open")
    page.select_option("select[name=unit]", world.community_b.code)
    page.click("#public-filters button[type=submit]")
    page.wait_for_selector("#public-map path.leaflet-interactive")
    page.screenshot(path="test-artifacts/appeals-public-filtered.png", full_page=True)
    assert page.locator("#public-items li.public-item").count() == 1
    assert "水电维修" in page.locator("#public-items").inner_text()
