"""Possible duplicates on intake: open appeals of the same category within ~50 m from the last days (issue 5 item 7)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from gongzhi.appeals import selectors, services
from gongzhi.appeals.models import Appeal
from gongzhi.org.models import Unit

from .conftest import MONDAY_10, submit

LAT, LNG = Decimal("36.062000"), Decimal("117.815000")
# 1 m north–south ≈ 0.000008983° of latitude
M = Decimal("0.000008983")


def near(meters: int) -> tuple[Decimal, Decimal]:
    return (LAT + M * meters).quantize(Decimal("0.000001")), LNG


def lamp(world, meters: int = 0, **kw):
    lat, lng = near(meters)
    return submit(world, latitude=lat, longitude=lng, **kw)


def offered(**kw) -> list[Appeal]:
    return [c.appeal for c in selectors.duplicate_candidates(latitude=LAT, longitude=LNG, **kw)]


def test_haversine_is_in_metres():
    lat, lng = near(30)
    assert selectors.haversine_m(LAT, LNG, lat, lng) == pytest.approx(30, abs=0.5)


def test_same_category_30_m_away_is_offered_80_m_away_is_not(world, at):
    close, far = lamp(world, 30), lamp(world, 80)
    found = selectors.duplicate_candidates(category="C01", latitude=LAT, longitude=LNG)
    assert [c.appeal for c in found] == [close]
    assert found[0].distance_m == pytest.approx(30, abs=1)
    assert far not in offered(category="C01")


def test_nearest_first_and_the_appeal_itself_excluded(world, at):
    a20, a10 = lamp(world, 20), lamp(world, 10)
    assert offered(category="C01") == [a10, a20]
    assert offered(category="C01", exclude=a10) == [a20]
    assert offered(category="C01", exclude=a10.pk) == [a20]


def test_another_category_is_not_offered(world, at):
    lamp(world, 10, category="C01")
    assert offered(category="C02") == []


def test_finished_appeals_are_not_offered(world, at):
    """Closed, refused (R-H2) or already merged appeals are no duplicates of a new report."""
    rejected, merged, kept = lamp(world, 5), lamp(world, 6), lamp(world, 7)
    worker = world.user("grid")
    services.appeal_reject(appeal=rejected, actor=worker, reason="litigation")
    services.appeal_merge(appeal=merged, actor=worker, into=kept)
    Appeal.objects.filter(pk=lamp(world, 8).pk).update(state="closed")
    assert offered(category="C01") == [kept]


def test_an_appeal_in_progress_is_still_open_and_offered(world, at):
    a = lamp(world, 10)
    services.appeal_accept(appeal=a, actor=world.user("grid"))
    assert offered(category="C01") == [a]


def test_older_than_the_window_is_not_offered(world, at, settings):
    """APPEALS_DUPLICATE_DAYS (default 7) bounds how far back a duplicate may have been filed."""
    at(MONDAY_10 - dt.timedelta(days=8))
    old = lamp(world, 10)
    at(MONDAY_10 - dt.timedelta(days=6))
    recent = lamp(world, 10)
    at(MONDAY_10)
    assert offered(category="C01") == [recent]
    settings.APPEALS_DUPLICATE_DAYS = 10
    assert set(offered(category="C01")) == {old, recent}


def test_without_a_location_nothing_is_offered(world, at):
    lamp(world, 0)
    assert selectors.duplicate_candidates(category="C01", latitude=None, longitude=None) == []


# --- API ---------------------------------------------------------------------------------------------------------

def test_api_offers_candidates_without_personal_data(api, world, at):
    a = lamp(world, 30, description="永兴路12号路灯不亮，我是王秀英", name="王秀英", phone="13812345678")
    r = api("resident").get(f"/api/v1/appeals/duplicates?category=C01&latitude={LAT}&longitude={LNG}")
    assert r.status_code == 200, r.content
    (item,) = r.json()
    assert item["number"] == a.number and item["distance_m"] == 30 and item["state"] == "submitted"
    text = r.content.decode()
    assert "王秀英" not in text and "13812345678" not in text and "路灯不亮" not in text


def test_api_refuses_an_unknown_category_and_a_point_off_the_globe(api, world, at):
    client = api("resident")
    r = client.get(f"/api/v1/appeals/duplicates?category=NOPE&latitude={LAT}&longitude={LNG}")
    assert (r.status_code, r.json()["code"]) == (400, "appeals.category_unknown")
    r = client.get("/api/v1/appeals/duplicates?category=C01&latitude=91&longitude=117")
    assert (r.status_code, r.json()["code"]) == (422, "validation_error")
    r = client.get("/api/v1/appeals/duplicates?category=C01&latitude=abc&longitude=117")
    assert r.status_code == 422


def test_api_needs_a_login(client, world):
    r = client.get(f"/api/v1/appeals/duplicates?category=C01&latitude={LAT}&longitude={LNG}")
    assert r.status_code == 401


# --- pages -------------------------------------------------------------------------------------------------------

def test_report_page_asks_for_nearby_duplicates(browser_login, world):
    html = browser_login("resident").get(reverse("appeals:report")).content.decode()
    assert "附近已有相同问题" in html and reverse("api:duplicate_list") in html
    assert "继续提交" in html  # the reporter may go on


def test_worker_detail_lists_candidates_and_merges_into_one(browser_login, world, at):
    kept, dup = lamp(world, 0), lamp(world, 25, description="路灯又坏了")
    client = browser_login("grid")
    html = client.get(reverse("appeals:detail", args=[dup.pk])).content.decode()
    assert "可能重复的诉求" in html and kept.number in html
    assert f'name="into_id" value="{kept.pk}"' in html
    r = client.post(reverse("appeals:transition", args=[dup.pk, "merge"]), {"into_id": kept.pk})
    assert r.status_code == 302
    dup.refresh_from_db()
    assert (dup.state, dup.merged_into) == ("merged", kept)


def test_detail_shows_no_candidates_once_merge_is_not_allowed(browser_login, world, at):
    kept, dup = lamp(world, 0), lamp(world, 25)
    worker = world.user("grid")
    services.appeal_accept(appeal=dup, actor=worker)
    services.appeal_dispatch(appeal=dup, actor=worker, unit=world.grid_a)
    html = browser_login("grid").get(reverse("appeals:detail", args=[dup.pk])).content.decode()
    assert "可能重复的诉求" not in html and kept.number not in html


def test_candidates_outside_the_workers_units_are_not_listed(browser_login, world, at):
    """A worker only merges into appeals they may handle: another street's appeal at the same spot is not listed."""
    other = lamp(world, 0, unit=Unit.objects.get(code="370117002001"))
    dup = lamp(world, 20)
    html = browser_login("grid").get(reverse("appeals:detail", args=[dup.pk])).content.decode()
    assert other.number not in html
