"""Needs API: register (every refusal a clear 4xx with nothing saved), list from an appeal, filters, close, summary."""

from __future__ import annotations

import pytest

from gongzhi.appeals import services as appeal_services
from gongzhi.matching import services
from gongzhi.matching.models import Need, NeedEvent

GOOD = {"kind": "elderly", "title": "高龄老人助餐", "source": "survey", "beneficiaries": 30}


def _appeal(world, category="S01", unit=None):
    return appeal_services.appeal_submit(data=appeal_services.AppealInput(
        channel="walk_in", category_code=category, description="家里水龙头坏了，能不能帮忙想想办法？",
        unit=unit or world.community_a, reporter_name="张阿姨", reporter_phone="13812345678"),
        actor=world.user("resident"))


def test_register_a_need_from_the_survey(api, world, at):
    r = api("community").post("matching/needs", {**GOOD, "unit_id": world.community_a.pk})
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["status"], body["source"], body["kind"]["code"], body["beneficiaries"]) == ("open", "survey",
                                                                                             "elderly", 30)
    assert [e["action"] for e in body["events"]] == ["create"]


@pytest.mark.parametrize(("change", "code", "status"), [
    ({"kind": "astrology"}, "matching.kind_unknown", 400),
    ({"title": "  "}, "matching.title_empty", 400),
    ({"title": "长" * 121}, "matching.title_empty", 400),
    ({"beneficiaries": 0}, "matching.beneficiaries_invalid", 400),
    ({"beneficiaries": 10**20}, "validation_error", 422),
    ({"latitude": "36.1"}, "matching.coordinates_invalid", 400),
    ({"latitude": "91", "longitude": "117.8"}, "matching.coordinates_invalid", 400),
    ({"latitude": "1234567.1234567", "longitude": "117.8"}, "validation_error", 422),
    ({"source": "appeal"}, "matching.source_unknown", 400),
    ({"unit_id": 10**20}, "validation_error", 422),
    ({"unit_id": 987654}, "not_found", 404),
])
def test_bad_need_input_is_refused_and_nothing_saved(api, world, at, change, code, status):
    r = api("community").post("matching/needs", {**GOOD, "unit_id": world.community_a.pk, **change})
    assert r.status_code == status, r.content
    assert r.json()["code"] == code and r.json()["message"]
    assert not Need.objects.exists() and not NeedEvent.objects.exists()


def test_need_from_an_appeal_takes_its_unit_place_words_and_kind(api, world, at):
    appeal = _appeal(world)
    r = api("community").post("matching/needs/from-appeal", {"appeal_id": appeal.pk})
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["source"], body["kind"]["code"], body["appeal"], body["unit_id"]) == (
        "appeal", "repair", appeal.number, appeal.unit_id)
    assert "13812345678" not in r.content.decode() and "张阿姨" not in r.content.decode()  # R-H7


def test_one_need_per_appeal_and_an_unmapped_category_needs_a_kind(api, world, at):
    client = api("community")
    appeal = _appeal(world)
    assert client.post("matching/needs/from-appeal", {"appeal_id": appeal.pk}).status_code == 201
    r = client.post("matching/needs/from-appeal", {"appeal_id": appeal.pk})
    assert (r.status_code, r.json()["code"]) == (409, "matching.appeal_already_listed")
    lamp = _appeal(world, category="C01")  # 公用设施: no livelihood kind to guess
    r = client.post("matching/needs/from-appeal", {"appeal_id": lamp.pk})
    assert (r.status_code, r.json()["code"]) == (400, "matching.appeal_kind_unknown")
    r = client.post("matching/needs/from-appeal", {"appeal_id": lamp.pk, "kind": "nonsense"})
    assert (r.status_code, r.json()["code"]) == (400, "matching.kind_unknown")
    assert client.post("matching/needs/from-appeal", {"appeal_id": lamp.pk, "kind": "convenience"}).status_code == 201
    assert client.post("matching/needs/from-appeal", {"appeal_id": 987654}).status_code == 404
    assert Need.objects.count() == 2


def test_list_filters_by_kind_status_source_and_unit(api, world, lists):
    grid_need = lists.need(unit=world.grid_a, kind="repair", title="楼道灯")
    community_need = lists.need(kind="elderly", source="visit")
    client = api("community")

    def ids(**params):
        return {x["id"] for x in client.get("matching/needs", **params).json()["items"]}

    assert ids() == {grid_need.pk, community_need.pk}
    assert ids(kind="repair") == {grid_need.pk}
    assert ids(source="visit") == {community_need.pk}
    assert ids(unit_id=world.grid_a.pk) == {grid_need.pk}
    assert ids(unit_id=world.community_b.pk) == set()  # another street's unit lists nothing, no leak
    assert ids(unit_id=10**20) == set()
    assert ids(status="served") == set()
    assert client.get("matching/needs", page=10**20).json()["items"] == []


def test_closing_a_need_withdraws_its_live_matches(api, world, lists):
    need, res = lists.need(), lists.resource()
    match = services.match_propose(need=need, resource=res, actor=world.user("district"))
    r = api("community").post(f"matching/needs/{need.pk}/close", {"note": "居民已自行解决"})
    assert r.status_code == 200 and r.json()["status"] == "closed"
    match.refresh_from_db()
    assert match.status == "withdrawn"
    assert [e.action for e in NeedEvent.objects.filter(need=need)] == ["create", "close"]
    r = api("community").post(f"matching/needs/{need.pk}/close", {})
    assert (r.status_code, r.json()["code"]) == (409, "matching.bad_transition")


def test_summary_counts_per_kind_and_marks_gaps(api, world, lists):
    lists.need(kind="elderly")
    lists.need(kind="legal")
    lists.need(unit=world.community_b, kind="mental")  # another street: not in the community worker's figures
    lists.resource(offers=("elderly", "health"))
    lists.project(kinds=("elderly",))
    lists.project(kinds=("legal",), running=False)  # planned projects do not cover a need yet
    rows = {r["kind"]["code"]: r for r in api("community").get("matching/summary").json()}
    assert (rows["elderly"]["needs"], rows["elderly"]["resources"], rows["elderly"]["projects"]) == (1, 1, 1)
    assert rows["elderly"]["gap"] is False
    assert (rows["legal"]["open_needs"], rows["legal"]["projects"], rows["legal"]["gap"]) == (1, 0, True)
    assert rows["mental"]["needs"] == 0 and rows["health"]["resources"] == 1 and rows["health"]["gap"] is False
    assert list(rows)[:3] == ["elderly", "disability", "children"]  # the seeded order


def test_detail_of_an_id_beyond_the_integer_range_is_404(api, world):
    assert api("community").get("matching/needs/99999999999999999999").status_code == 404
    assert api("community").get("matching/needs/99999999999999999999/suggestions").status_code == 404
