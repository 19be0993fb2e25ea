"""Ratings 1–5 (评价情况, R-V2), the incentive score with its formula (奖励制度), honours lists (表彰, R-V2)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from gongzhi.recognition import selectors
from gongzhi.recognition.models import Honour, HonourList, IncentiveFormula, Rating

from .factories import active_volunteer, activity, record


@pytest.fixture
def act(world, vol):
    a = activity(world.community_a, "义诊义剪", day=dt.date(2025, 9, 6))
    record(vol, a, 6)
    return a


def test_organiser_rates_and_a_rerating_supersedes(api, vol, act):
    """Append-only: the same rater's second rating is a new row pointing at the first; only it counts."""
    r1 = api("community").post("recognition/ratings", {"activity_id": act.pk, "volunteer_id": vol.pk, "score": 4})
    assert r1.status_code == 201, r1.content
    r2 = api("community").post("recognition/ratings", {"activity_id": act.pk, "volunteer_id": vol.pk, "score": 5,
                                                        "comment": "耐心细致"})
    assert r2.status_code == 201 and r2.json()["supersedes_id"] == r1.json()["id"]
    assert Rating.objects.count() == 2
    listed = api("community").get("recognition/ratings", volunteer_id=vol.pk).json()["items"]
    assert [(x["score"], x["comment"]) for x in listed] == [(5, "耐心细致")]


def test_beneficiary_rating_is_recorded_on_their_behalf(api, vol, act):
    r = api("socialworker").post("recognition/ratings", {"activity_id": act.pk, "volunteer_id": vol.pk, "score": 5,
                                                          "rater_kind": "beneficiary", "beneficiary_label": "刘奶奶"})
    assert r.status_code == 201 and (r.json()["rater_kind"], r.json()["beneficiary_label"]) == ("beneficiary", "刘奶奶")
    r = api("socialworker").post("recognition/ratings", {"activity_id": act.pk, "volunteer_id": vol.pk, "score": 5,
                                                          "rater_kind": "beneficiary"})
    assert (r.status_code, r.json()["code"]) == (400, "recognition.beneficiary_required")


@pytest.mark.parametrize("score", [0, 6, -1, 100])
def test_scores_outside_one_to_five_are_refused_and_nothing_saved(api, vol, act, score):
    r = api("community").post("recognition/ratings", {"activity_id": act.pk, "volunteer_id": vol.pk, "score": score})
    assert (r.status_code, r.json()["code"]) == (400, "recognition.score_invalid")
    assert not Rating.objects.exists()


def test_rating_needs_a_record_of_service(api, world, vol):
    other = activity(world.community_a, "没参加的活动")
    r = api("community").post("recognition/ratings", {"activity_id": other.pk, "volunteer_id": vol.pk, "score": 3})
    assert (r.status_code, r.json()["code"]) == (409, "recognition.not_served")


def test_rating_scoping(api, world, vol, act):
    """Observers may not rate (403); another community's worker does not find the activity (404)."""
    body = {"activity_id": act.pk, "volunteer_id": vol.pk, "score": 3}
    assert api("observer").post("recognition/ratings", body).status_code == 403
    assert api("community_b").post("recognition/ratings", body).status_code == 404
    assert not Rating.objects.exists()


def test_incentive_score_breakdown_follows_the_formula(world, vol, act):
    """奖励制度: hours × 1 + activities × 2 + honours × 20 + average satisfaction × 10 (formula v1)."""
    second = activity(world.community_a, "文明交通引导", day=dt.date(2025, 10, 1))
    record(vol, second, "2.5")
    record(vol, activity(world.community_a, "去年的活动", day=dt.date(2024, 5, 1)), 9)
    Rating.objects.create(activity=act, volunteer=vol, unit_path=act.unit.path, score=5, rater_kind="organiser",
                          rated_by=world.user("community"), rated_at=act.ends_at)
    Rating.objects.create(activity=second, volunteer=vol, unit_path=act.unit.path, score=4, rater_kind="organiser",
                          rated_by=world.user("community"), rated_at=act.ends_at)
    s = selectors.incentive_score(vol, selectors.year_period(2025))
    assert {i.key: (i.value, i.points) for i in s.items} == {
        "hours": (Decimal("8.5"), Decimal("8.5")), "activities": (2, 4), "honours": (0, 0),
        "satisfaction": (Decimal("4.5"), 45)}
    assert s.total == Decimal("57.5") and s.formula.version == 1


def test_a_new_formula_version_applies_from_its_date(world, vol, act):
    IncentiveFormula.objects.create(version=2, weight_hours=2, weight_activity=0, weight_honour=0,
                                    weight_satisfaction=0, valid_from=dt.date(2025, 12, 1))
    assert selectors.incentive_score(vol, selectors.year_period(2025)).total == 12
    assert selectors.incentive_score(vol, selectors.year_period(2024)).formula.version == 1


def test_my_recognition_shows_level_hours_next_level_and_formula(api, vol, act):
    body = api("volunteer").get("me/recognition", year=2025).json()
    assert body["star"] == {"level": 0, "eligible_level": 0, "hours": "6.00", "next_level": 1,
                            "next_min_hours": "100.00", "hours_to_next": "94.00"}
    assert body["score"]["formula_version"] == 1 and body["score"]["total"] == "8.00"
    assert [i["key"] for i in body["score"]["items"]] == ["hours", "activities", "honours", "satisfaction"]


def test_my_recognition_without_a_volunteer_profile(api, world):
    r = api("resident").get("me/recognition")
    assert (r.status_code, r.json()["code"]) == (409, "recognition.no_volunteer")


def test_honours_list_ranks_by_score_and_is_published_once(api, world, vol, act):
    """表彰: the top volunteers of the unit by incentive score become Honour rows; publishing twice is refused."""
    b = active_volunteer(world, "乙", world.grid_a, seq=81)
    record(b, act, 10)
    active_volunteer(world, "丙", world.community_a, seq=83)  # no service: not honoured
    far = active_volunteer(world, "丁", world.community_b, seq=85)
    record(far, activity(world.community_b, "洪沟活动", day=dt.date(2025, 3, 3)), 50)
    body = {"unit_id": world.community_a.pk, "year": 2025, "title": "优秀志愿者", "top": 5}
    r = api("community").post("recognition/honours", body)
    assert r.status_code == 201, r.content
    assert [(x["rank"], x["name"]) for x in r.json()["items"]] == [(1, "乙"), (2, "亓晓雯")]
    r = api("community").post("recognition/honours", body)
    assert (r.status_code, r.json()["code"]) == (409, "recognition.honours_published")
    assert Honour.objects.count() == 2 and HonourList.objects.count() == 1
    mine = api("volunteer").get("me/recognition", year=2025).json()
    assert mine["honours"] == [{"year": 2025, "title": "优秀志愿者", "unit": "永兴社区", "rank": 2}]
    assert mine["score"]["items"][2]["value"] == "1.00"  # the honour now counts as an outcome


def test_honours_scoping(api, world, vol, act):
    body = {"unit_id": world.community_a.pk, "year": 2025, "title": "优秀志愿者", "top": 5}
    assert api("community_b").post("recognition/honours", body).status_code == 404
    assert api("observer").post("recognition/honours", body).status_code == 403
    assert api("grid").post("recognition/honours", body).status_code == 404
    assert not HonourList.objects.exists()


def test_a_rating_filter_id_beyond_the_integer_range_is_422_not_a_500(api, world):
    for name in ("volunteer_id", "activity_id"):
        r = api("community").get("recognition/ratings", **{name: 2**63})
        assert r.status_code == 422 and r.json()["code"] == "validation_error", r.content
