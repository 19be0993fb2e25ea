"""HTTP flows of every role: a worker awards, a grid worker enters a deduction, a community worker approves (never
their own), the resident sees it and appeals, the checker upholds; the public board masks and stays in its village."""

from __future__ import annotations

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from gongzhi.core import clock
from gongzhi.points import selectors

from .factories import adopt, give, person_in


@pytest.fixture
def rules(world):
    return adopt(world)


def month() -> str:
    return clock.now().strftime("%Y-%m")


def png() -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (4, 4), "green").save(buf, "PNG")
    return SimpleUploadedFile("焚烧现场.png", buf.getvalue(), content_type="image/png")


def enter(api_client, person_id: int, **fields):
    data = {"person_id": person_id, "reason": "在麦田焚烧秸秆", **fields}
    return api_client.client.post("/api/v1/points/deductions", data, **api_client.headers)


def test_a_worker_awards_with_a_reason_and_a_retry_returns_the_first(api, world, rules):
    person = world.people["resident"]
    body = {"person_id": person.pk, "reason": "主动清扫楼道", "idempotency_key": "web-1",
            "rule_item_id": rules.items.get(code="env").pk, "evidence": "网格员照片 2026-03-01"}
    r = api("community").post("points/awards", body)
    assert r.status_code == 201, r.content
    assert r.json()["amount"] == 5 and r.json()["rule_item"] == "环境整治"
    again = api("community").post("points/awards", body)
    assert again.json()["id"] == r.json()["id"]
    r = api("community").post("points/awards", {**body, "reason": " ", "idempotency_key": "web-2"})
    assert r.status_code == 400 and r.json()["code"] == "points.reason_required"
    assert api("resident").get("me/points").json()["balance"] == 5


def test_maker_checker_over_http(api, world, rules):
    """The same person cannot enter and approve (403 with a code); another checker can."""
    person = world.people["resident"]
    give(world, person, 25)
    r = enter(api("community"), person.pk, photo=png())
    assert r.status_code == 201, r.content
    assert r.json()["has_photo"] and r.json()["status"] == "pending"
    did = r.json()["id"]
    r = api("community").post(f"points/deductions/{did}/approve", {"note": ""})
    assert r.status_code == 403 and r.json()["code"] == "points.same_person"
    r = api("street").post(f"points/deductions/{did}/approve", {"note": "属实"})
    assert r.status_code == 200 and r.json()["deducted"] == 10
    assert api("resident").get("me/points").json()["balance"] == 15


def test_a_broken_photo_is_refused_and_nothing_saved(api, world, rules):
    r = enter(api("grid"), world.people["a_grid"].pk, photo=SimpleUploadedFile("x.jpg", b"nope"))
    assert r.status_code == 400 and r.json()["code"] == "points.photo_invalid"
    assert api("community").get("points/deductions").json()["count"] == 0


def test_the_resident_appeals_and_an_upheld_appeal_gives_the_points_back(api, world, rules):
    person = world.people["resident"]
    give(world, person, 25)
    did = enter(api("socialworker"), person.pk).json()["id"]
    api("community").post(f"points/deductions/{did}/approve", {"note": ""})
    mine = api("resident").get("me/points/deductions").json()
    assert mine[0]["can_appeal"] and mine[0]["deducted"] == 10
    r = api("resident").post(f"me/points/deductions/{did}/appeal", {"reason": "当天我在外地打工"})
    assert r.status_code == 200 and r.json()["status"] == "appealed"
    queue = api("community").get("points/deductions", status="appealed").json()
    assert [d["id"] for d in queue["items"]] == [did]
    r = api("community").post(f"points/deductions/{did}/appeal-decision", {"upheld": True, "note": "经核实不在场"})
    assert r.status_code == 200 and r.json()["status"] == "upheld"
    assert api("resident").get("me/points").json()["balance"] == 25
    history = api("resident").get("me/points/transactions").json()["items"]
    assert [h["kind"] for h in history][:2] == ["reversal", "deduction"]
    assert selectors.ledger_findings() == []


def test_rule_versions_over_http(api, world):
    body = {"unit_id": world.community_a.pk, "title": "永兴社区积分细则", "decision": "2025年3月12日村民代表会议表决通过",
            "adopted_on": "2025-03-12", "effective_from": "2025-04-01", "expiry": "yearly",
            "items": [{"code": "hour", "name": "志愿服务每小时", "kind": "earn", "trigger": "volunteer_hour",
                       "points": 1, "cap_per_day": 8}]}
    r = api("community").post("points/rulesets", body)
    assert r.status_code == 201 and r.json()["version"] == 1
    assert api("community").post("points/rulesets", body).json()["version"] == 2  # R-J1: a new version, never an edit
    bad = {**body, "items": [{**body["items"][0], "kind": "deduct"}]}
    r = api("community").post("points/rulesets", bad)
    assert r.status_code == 400 and r.json()["code"] == "points.ruleset_invalid"
    for cap in (2**63, 2**31, 0):  # beyond the column's integer range is refused, not a 500
        huge = {**body, "items": [{**body["items"][0], "cap_per_day": cap}]}
        r = api("community").post("points/rulesets", huge)
        assert r.status_code == 400 and r.json()["code"] == "points.ruleset_invalid", r.content
    assert len(api("observer").get("points/rulesets").json()) == 2


def test_the_public_board_masks_names_and_shows_only_its_village(api, world, rules):
    """R-J2 monthly posting: no login, names masked (张*丰), no ids; another village's board shows none of them."""
    adopt(world, world.community_b)
    give(world, world.people["a"], 12)  # 张三丰, 永兴社区
    from gongzhi.points import services

    services.award_grant(person=world.people["b"], reason="好人好事", actor=world.user("district"),
                         idempotency_key="b1", points=3)  # 王五, 洪沟社区
    anon = api(None)
    r = anon.get(f"points/board/{world.community_a.code}/{month()}")
    assert r.status_code == 200
    text = json.dumps(r.json(), ensure_ascii=False)
    assert "张*丰" in text and "张三丰" not in text and "王*" not in text
    assert '"id"' not in text and "person" not in text
    assert r.json()["leaderboard"][0] == {"name": "张*丰", "earned": 12, "deducted": 0, "balance": 12,
                                          "items": [["其他好人好事", 12]]}
    other = anon.get(f"points/board/{world.community_b.code}/{month()}").json()
    assert [p["name"] for p in other["people"]] == ["王*"]
    assert anon.get(f"points/board/{world.community_a.code}/2026-13").json()["code"] == "points.month_invalid"
    assert anon.get(f"points/board/999999/{month()}").status_code == 404


def test_red_flowers_list_village_rule_earners_without_deductions(api, world, rules):
    good = person_in(world, "李好人")
    from gongzhi.points import services

    services.award_grant(person=good, reason="清理垃圾", actor=world.user("community"), idempotency_key="g",
                         rule_item=rules.items.get(code="env"), evidence="照片")
    body = api(None).get(f"points/board/{world.community_a.code}/{month()}").json()
    assert [r["name"] for r in body["red_flowers"]] == ["李*人"]
    assert body["items"][0] == {"name": "环境整治", "kind": "earn", "times": 1, "points": 5}


def test_accounts_are_scoped_and_reversal_needs_the_right(api, world, rules):
    tx = give(world, world.people["a"], 9)
    names = {a["person_name"] for a in api("grid").get("points/accounts").json()["items"]}
    assert "张三丰" not in names  # 张三丰 lives in 永兴社区, not in the grid
    assert "张三丰" in {a["person_name"] for a in api("community").get("points/accounts").json()["items"]}
    assert api("community").post(f"points/transactions/{tx.pk}/reversal", {"reason": "重复"}).status_code == 403
    r = api("district").post(f"points/transactions/{tx.pk}/reversal", {"reason": "重复发放"})
    assert r.status_code == 201 and r.json()["reverses_id"] == tx.pk
    again = api("district").post(f"points/transactions/{tx.pk}/reversal", {"reason": "重复发放"})
    assert again.json()["id"] == r.json()["id"]  # a retried reversal posts nothing new
    assert selectors.ledger_findings() == []


def test_the_board_adds_up_households_under_a_masked_name(api, world, rules):
    from gongzhi.people.models import Household

    home = Household.objects.create(unit=world.community_a, label="永兴路8号3号楼2单元101")
    for key in ("a", "resident"):
        world.people[key].household = home
        world.people[key].save(update_fields=["household"])
    give(world, world.people["a"], 4)
    give(world, world.people["resident"], 6)
    body = api(None).get(f"points/board/{world.community_a.code}/{month()}").json()
    assert body["households"] == [{"name": "张*丰", "earned": 10, "deducted": 0, "balance": 10, "items": []}]
    assert "永兴路" not in json.dumps(body, ensure_ascii=False)  # no address on a public board
