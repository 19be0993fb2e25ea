"""The public map and list of appeals and the figures per tier: no login, no personal data (issue 5 item 7, R-H7, R-P3)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from gongzhi.appeals import services
from gongzhi.appeals.figures import period_bounds
from gongzhi.appeals.models import Appeal

from .conftest import MONDAY_10, jpeg, submit

URL = "/api/v1/public/appeals"
FIG = "/api/v1/public/appeals/figures"
SECRET_BITS = ["王秀英", "13812345678", "永兴路26号1号楼1单元302", "36.062345", "117.815678", "1号楼"]


def home_tap(world, **kw):
    """A livelihood service in someone's home, with every kind of personal detail in it."""
    return submit(world, category="S01", description="永兴路26号1号楼1单元302家里水龙头坏了，电话13812345678",
                  address="永兴路26号1号楼1单元302", latitude=Decimal("36.062345"), longitude=Decimal("117.815678"), **kw)


def street_lamp(world, **kw):
    kw.setdefault("latitude", Decimal("36.062345"))
    kw.setdefault("longitude", Decimal("117.815678"))
    return submit(world, category="C01", description=kw.pop("description", "永兴路12号路口的路灯不亮已经三天了，晚上很黑"),
                  address="永兴路26号1号楼1单元302", **kw)


def close(appeal, worker, *, rating=5, after_photo=False):
    services.appeal_accept(appeal=appeal, actor=worker)
    services.appeal_dispatch(appeal=appeal, actor=worker, unit=appeal.unit)
    services.appeal_start(appeal=appeal, actor=worker)
    if after_photo:
        services.appeal_photo_add(appeal=appeal, actor=worker, stage="after",
                                  upload=SimpleUploadedFile("a.jpg", jpeg(), content_type="image/jpeg"))
    services.appeal_resolve(appeal=appeal, actor=worker)
    services.appeal_inform(appeal=appeal, actor=worker)
    services.appeal_rate(appeal=appeal, actor=worker, rating=rating)
    services.appeal_visit(appeal=appeal, actor=worker, satisfied=rating > 2)
    if rating > 2:
        services.appeal_close(appeal=appeal, actor=worker)
    return Appeal.objects.get(pk=appeal.pk)


@pytest.fixture
def anon():
    return Client()


def test_anyone_sees_the_list_without_logging_in(anon, world, at):
    a = street_lamp(world)
    r = anon.get(URL)
    assert r.status_code == 200, r.content
    (item,) = r.json()["items"]
    assert (item["number"], item["category"], item["state"], item["open"]) == (a.number, "公用设施", "submitted", True)
    assert (item["street"], item["community"]) == ("艾山街道", "永兴社区")


def test_no_personal_data_in_the_public_list_api_or_page(anon, world, at):
    """R-H7: no reporter (not even masked), no address, no phone, no exact place, no house numbers in the text."""
    home_tap(world, name="王秀英")
    street_lamp(world, name="王秀英", description="永兴路26号1号楼1单元302门口路灯坏了 13812345678")
    for body in (anon.get(URL).content.decode("unicode_escape"),
                 anon.get(reverse("appeals:public")).content.decode()):
        for bit in SECRET_BITS:
            assert bit not in body
        assert "138****5678" not in body and "王*英" not in body


def test_public_space_place_is_snapped_to_about_100_m_and_a_home_to_its_grid(anon, world, at):
    world.grid_a.latitude, world.grid_a.longitude = Decimal("36.061000"), Decimal("117.814000")
    world.grid_a.save(update_fields=["latitude", "longitude"])
    street_lamp(world)
    home_tap(world)
    items = {i["category_code"]: i for i in anon.get(URL).json()["items"]}
    assert (Decimal(items["C01"]["latitude"]), Decimal(items["C01"]["longitude"])) == (Decimal("36.062"),
                                                                                      Decimal("117.816"))
    assert (Decimal(items["S01"]["latitude"]), Decimal(items["S01"]["longitude"])) == (Decimal("36.061"),
                                                                                      Decimal("117.814"))


def test_summary_is_short_and_a_home_service_has_none(anon, world, at):
    street_lamp(world, description="路灯" * 40)
    home_tap(world)
    items = {i["category_code"]: i for i in anon.get(URL).json()["items"]}
    assert items["C01"]["summary"] == "路灯" * 15 + "…"
    assert items["S01"]["summary"] == ""


def test_only_after_photos_of_closed_public_space_matters_are_shown(anon, world, at):
    worker = world.user("grid")
    done = street_lamp(world)
    services.appeal_photo_add(appeal=done, actor=world.user("resident"),
                              upload=SimpleUploadedFile("b.jpg", jpeg(), content_type="image/jpeg"))
    done = close(done, worker, after_photo=True)
    home = close(home_tap(world), worker, after_photo=True)
    items = {i["number"]: i for i in anon.get(URL).json()["items"]}
    (url,) = items[done.number]["after_photos"]
    assert url == done.photos.get(stage="after").file.url
    assert done.photos.get(stage="before").file.url not in json.dumps(items)
    assert items[home.number]["after_photos"] == []


def test_duplicates_and_refusals_for_privacy_are_not_public(anon, world, at):
    """A merged duplicate is shown through the appeal kept; a matter refused for secrecy or privacy (R-H2) is hidden."""
    worker = world.user("grid")
    kept, dup, secret, litigated = street_lamp(world), street_lamp(world), street_lamp(world), street_lamp(world)
    services.appeal_merge(appeal=dup, actor=worker, into=kept)
    services.appeal_reject(appeal=secret, actor=worker, reason="secrets_privacy")
    services.appeal_reject(appeal=litigated, actor=worker, reason="litigation")
    numbers = {i["number"] for i in anon.get(URL).json()["items"]}
    assert numbers == {kept.number, litigated.number}


def test_filters_by_street_community_category_state_and_open_closed(anon, world, at):
    worker = world.user("grid")
    lamp_a = street_lamp(world)
    tap_a = close(home_tap(world), worker)
    tap_b = home_tap(world, unit=world.community_b, actor=world.user("resident"))

    def numbers(query):
        r = anon.get(f"{URL}?{query}")
        assert r.status_code == 200, r.content
        return {i["number"] for i in r.json()["items"]}

    assert numbers("unit=370117001") == {lamp_a.number, tap_a.number}
    assert numbers("unit=370117002001") == {tap_b.number}
    assert numbers("category=S01") == {tap_a.number, tap_b.number}
    assert numbers("category=C") == {lamp_a.number}  # a major class takes its subclasses
    assert numbers("state=closed") == {tap_a.number}
    assert numbers("status=open") == {lamp_a.number, tap_b.number}
    assert numbers("status=closed") == {tap_a.number}


def test_bad_filters_are_refused(anon, world):
    assert anon.get(f"{URL}?unit=999999").status_code == 404
    assert anon.get(f"{URL}?state=nope").json()["code"] == "validation_error"
    assert anon.get(f"{URL}?status=maybe").status_code == 422
    assert anon.get(f"{FIG}?period=decade").status_code == 422
    assert anon.get(f"{FIG}?unit=999999").status_code == 404


# --- figures -----------------------------------------------------------------------------------------------------

def test_period_bounds_month_quarter_year():
    day = dt.date(2030, 5, 6)
    assert period_bounds("month", day) == (dt.date(2030, 5, 1), dt.date(2030, 5, 31))
    assert period_bounds("quarter", day) == (dt.date(2030, 4, 1), dt.date(2030, 6, 30))
    assert period_bounds("year", day) == (dt.date(2030, 1, 1), dt.date(2030, 12, 31))
    assert period_bounds("quarter", dt.date(2030, 12, 31)) == (dt.date(2030, 10, 1), dt.date(2030, 12, 31))
    assert period_bounds("month", dt.date(2030, 12, 9)) == (dt.date(2030, 12, 1), dt.date(2030, 12, 31))


def test_figures_per_tier_district_streets_then_communities(anon, world, at):
    """R-H8: count, 办结率, 满意率, median time to resolve and overdue, for the district and each street."""
    worker = world.user("grid")
    at(MONDAY_10 - dt.timedelta(days=3))  # Friday 10:00
    closed_happy = street_lamp(world)
    closed_unhappy = street_lamp(world)
    late = street_lamp(world)  # never accepted: overdue by Monday
    at(MONDAY_10 - dt.timedelta(days=3, hours=-2))  # two hours later
    close(closed_happy, worker, rating=5)
    close(closed_unhappy, worker, rating=2)  # unsatisfied: 重办 due, not closed
    at(MONDAY_10)
    home_tap(world, unit=world.community_b)
    at(MONDAY_10 + dt.timedelta(hours=1))
    r = anon.get(f"{FIG}?period=month&day=2030-05-06")
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["start"], body["end"]) == ("2030-05-01", "2030-05-31")
    total = body["total"]
    assert total["unit"]["name"] == "钢城区"
    assert (total["count"], total["closed"], total["rated"]) == (4, 1, 2)
    assert total["resolution_rate"] == 0.25 and total["satisfaction_rate"] == 0.5
    assert total["median_resolve_hours"] == 2.0
    assert total["overdue"] == 1  # the one never accepted, past its limit on Monday
    tiers = {row["unit"]["name"]: row for row in body["tiers"]}
    assert set(tiers) == {"艾山街道", "里辛街道"}
    assert (tiers["艾山街道"]["count"], tiers["里辛街道"]["count"]) == (3, 1)
    street = anon.get(f"{FIG}?unit=370117001&period=year&day=2030-05-06").json()
    assert {row["unit"]["name"] for row in street["tiers"]} == {"永兴社区", "金鼎社区"}
    assert street["total"]["count"] == 3 and (street["start"], street["end"]) == ("2030-01-01", "2030-12-31")
    assert late.number not in r.content.decode()


def test_figures_outside_the_period_do_not_count(anon, world, at):
    street_lamp(world)
    assert anon.get(f"{FIG}?period=month&day=2030-06-01").json()["total"]["count"] == 0
    assert anon.get(f"{FIG}?period=quarter&day=2030-06-01").json()["total"]["count"] == 1


# --- page --------------------------------------------------------------------------------------------------------

def test_public_page_has_map_list_figures_and_filters(anon, world, at):
    street_lamp(world)
    r = anon.get(reverse("appeals:public") + "?period=quarter")
    html = r.content.decode()
    assert r.status_code == 200
    assert "appeals/vendor/leaflet/leaflet.js" in html and 'id="public-map"' in html
    assert "办结率" in html and "满意率" in html and "艾山街道" in html and "公用设施" in html
    data = json.loads(html.split('<script id="map-data" type="application/json">')[1].split("</script>")[0])
    assert data["tile_url"] == "" and len(data["points"]) == 1
    assert data["points"][0]["lat"] == 36.062


def test_a_configured_tile_layer_reaches_the_map(anon, world, settings):
    settings.GONGZHI_MAP_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    html = anon.get(reverse("appeals:public")).content.decode()
    assert "https://tiles.example.org/{z}/{x}/{y}.png" in html


def test_public_page_filters_and_ignores_nonsense(anon, world, at):
    lamp = street_lamp(world)
    html = anon.get(reverse("appeals:public") + "?unit=370117002&state=bogus&status=x&period=y").content.decode()
    assert lamp.number not in html
    assert lamp.number in anon.get(reverse("appeals:public") + "?unit=370117001001").content.decode()
