"""GET /reports/dashboard: figures of a unit, its children, by category and month; scoped by reports.view."""

from __future__ import annotations

import pytest

from gongzhi.conftest import ApiClient

pytestmark = pytest.mark.django_db

FIGS = ("activities", "participations", "volunteers", "hours", "beneficiaries")


def figs(d: dict) -> tuple:
    return tuple(float(d[k]) if k == "hours" else d[k] for k in FIGS)


def test_district_figures_for_a_year(world, api, small_world):
    """2025: 3 held (a4 still ongoing), 5 人次 (a revoked record does not count), 4 volunteers, 13 h, 70 惠及."""
    r = api("district").get("reports/dashboard", unit_id=world.district.pk, period="2025")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["source"] == "rollup" and body["period"]["label"] == "2025年"
    assert figs(body["figures"]) == (3, 5, 4, 13.0, 70)
    assert body["registered"] == {"volunteers": 4, "organisations": 0, "teams": 1}
    rows = {c["unit"]["name"]: c for c in body["children"]}
    assert list(rows) == ["艾山街道", "里辛街道"]
    assert figs(rows["艾山街道"]["figures"]) == (2, 4, 3, 11.5, 50)
    assert figs(rows["里辛街道"]["figures"]) == (1, 1, 1, 1.5, 20)
    assert rows["艾山街道"]["registered"] == {"volunteers": 3, "organisations": 0, "teams": 1}
    cats = {c["code"]: (c["activities"], c["participations"], float(c["hours"]), c["beneficiaries"])
            for c in body["by_category"]}
    assert cats == {"convenience": (1, 3, 7.5, 50), "child_care": (1, 1, 4.0, 0), "environment": (1, 1, 1.5, 20)}
    months = {m["month"]: figs(m) for m in body["by_month"]}
    assert len(months) == 12
    assert months["2025-03"] == (2, 3, 3, 8.0, 70)
    assert months["2025-05"] == (1, 1, 1, 4.0, 0)
    assert months["2025-06"] == (0, 1, 1, 1.0, 0)
    assert months["2025-01"] == (0, 0, 0, 0.0, 0)


def test_all_time_quarter_and_month(world, api, small_world):
    """All time adds the 2024 activity; Q1 2025 and March 2025 hold the March facts only."""
    c = api("district")
    assert figs(c.get("reports/dashboard", period="all").json()["figures"]) == (4, 6, 4, 15.0, 70)
    assert figs(c.get("reports/dashboard", period="2025-Q1").json()["figures"]) == (2, 3, 3, 8.0, 70)
    assert figs(c.get("reports/dashboard", period="2025-03").json()["figures"]) == (2, 3, 3, 8.0, 70)
    assert figs(c.get("reports/dashboard", period="2024").json()["figures"]) == (1, 1, 1, 2.0, 0)


def test_date_range_falls_back_to_base_tables_with_the_same_figures(world, api, small_world):
    """A date range is computed from the base tables and agrees with the month rollup for a whole month."""
    c = api("district")
    r = c.get("reports/dashboard", start="2025-03-01", end="2025-03-31").json()
    assert r["source"] == "base"
    assert figs(r["figures"]) == (2, 3, 3, 8.0, 70)
    rows = {x["unit"]["name"]: figs(x["figures"]) for x in r["children"]}
    assert rows == {"艾山街道": (1, 2, 2, 6.5, 50), "里辛街道": (1, 1, 1, 1.5, 20)}
    assert {x["code"]: x["hours"] for x in r["by_category"]} == {"convenience": "6.5000", "environment": "1.5000"}
    assert [m["month"] for m in r["by_month"]] == ["2025-03"]
    narrow = c.get("reports/dashboard", start="2025-03-09", end="2025-03-09").json()
    assert figs(narrow["figures"]) == (0, 1, 1, 1.0, 0)


def test_community_children_are_grids(world, api, small_world):
    """A community's table lists its grids; the community total includes activities organised at it directly."""
    body = api("community").get("reports/dashboard", period="2025").json()
    assert body["unit"]["name"] == "永兴社区"  # default: the user's top unit
    assert figs(body["figures"]) == (2, 3, 3, 10.5, 50)
    assert [(c["unit"]["name"], figs(c["figures"])) for c in body["children"]] == [
        ("永兴社区第一网格", (1, 1, 1, 4.0, 0))]
    grid = api("community").get("reports/dashboard", unit_id=body["children"][0]["unit"]["id"], period="2025")
    assert grid.status_code == 200 and grid.json()["children"] == []  # a leaf: no children's rows to read
    assert figs(grid.json()["figures"]) == (1, 1, 1, 4.0, 0)


def test_street_admin_sees_only_their_street(world, api, small_world):
    """Scoping: another street and the district answer 404; roles without reports.view 403; anonymous 401."""
    street = api("street")
    mine = street.get("reports/dashboard", unit_id=world.street_a.pk, period="2025")
    assert mine.status_code == 200 and figs(mine.json()["figures"]) == (2, 4, 3, 11.5, 50)
    assert mine.json()["parent"] is None  # the district is not theirs to open
    assert street.get("reports/dashboard").json()["unit"]["name"] == "艾山街道"
    for unit in (world.street_b, world.district, world.community_b):
        r = street.get("reports/dashboard", unit_id=unit.pk)
        assert r.status_code == 404 and r.json()["code"] == "not_found"
    assert api("volunteer").get("reports/dashboard").status_code == 403
    assert api(None).get("reports/dashboard").status_code == 401


def test_unit_kind_labels_follow_the_request_language(world, api):
    """The kind labels are translated once per language and kept: an English request gets English ones, the next
    Chinese request Chinese ones again."""
    district = api("district")
    district.headers["HTTP_ACCEPT_LANGUAGE"] = "en"
    body = district.get("reports/dashboard", unit_id=world.street_a.pk).json()
    assert body["unit"]["kind_label"] == "Street/township"
    assert body["parent"]["kind_label"] != "区县"
    del district.headers["HTTP_ACCEPT_LANGUAGE"]
    body = district.get("reports/dashboard", unit_id=world.street_a.pk).json()
    assert body["unit"]["kind_label"] == "街道/乡镇"
    assert body["parent"]["kind_label"] == "区县"


def test_the_unit_its_children_and_its_parent(world, api, small_world, django_user_model):
    """The district admin opening a street sees the district as its parent; a missing id, or one no row can
    have, is 404; a superuser without roles lands on the top of the tree."""
    district = api("district")
    body = district.get("reports/dashboard", unit_id=world.street_a.pk, period="2025").json()
    assert body["unit"] == {"id": world.street_a.pk, "name": "艾山街道", "kind": "street",
                            "kind_label": "街道/乡镇", "code": "370117001"}
    assert body["parent"]["name"] == "钢城区"
    assert [c["unit"]["name"] for c in body["children"]] == ["永兴社区", "金鼎社区"]
    for missing in (999_999, 2**63):
        r = district.get("reports/dashboard", unit_id=missing)
        assert r.status_code == 404 and r.json()["code"] == "not_found", r.json()
    root = django_user_model.objects.create(username="root", is_superuser=True, is_staff=True)
    top = ApiClient(root).get("reports/dashboard", period="2025").json()
    assert top["unit"]["name"] == "钢城区" and top["parent"] is None
    assert [c["unit"]["name"] for c in top["children"]] == ["艾山街道", "里辛街道"]


@pytest.mark.parametrize("params, code", [
    ({"period": "2025-13"}, "reports.period_invalid"),
    ({"period": "last year"}, "reports.period_invalid"),
    ({"period": "2025-Q5"}, "reports.period_invalid"),
    ({"start": "2025-03-01"}, "reports.range_invalid"),
    ({"start": "2025-03-02", "end": "2025-03-01"}, "reports.range_invalid"),
    ({"start": "2000-01-01", "end": "2025-01-01"}, "reports.range_too_long"),
])
def test_bad_periods_are_refused(world, api, params, code):
    """Bad periods answer 400 with a machine code and a Chinese message."""
    r = api("district").get("reports/dashboard", **params)
    assert r.status_code == 400, r.content
    assert r.json()["code"] == code and r.json()["message"]


def test_bad_date_is_422(world, api):
    assert api("district").get("reports/dashboard", start="2025-02-30", end="2025-03-01").status_code == 422
