"""Matches API: propose (need ↔ resource and/or project within reach, same kind), agree, serve, withdraw; suggestions
nearest first with distance and reason; every refusal a 4xx that changes nothing."""

from __future__ import annotations

from decimal import Decimal

from gongzhi.matching import services
from gongzhi.matching.models import Match, MatchEvent, Need

from .conftest import GRID_POINT


def _propose(client, need, **partners):
    return client.post("matching/matches", {"need_id": need.pk, **{f"{k}_id": v.pk for k, v in partners.items()}})


def test_propose_agree_serve_moves_the_need_and_keeps_every_step(api, world, lists):
    need, res, proj = lists.need(), lists.resource(), lists.project()
    client = api("community")
    r = _propose(client, need, resource=res, project=proj)
    assert r.status_code == 201, r.content
    m = r.json()
    assert (m["status"], m["resource"], m["project"], m["actions"]) == ("proposed", res.name, proj.name,
                                                                         ["agree", "withdraw"])
    assert "提供助老" in m["reason"] and "项目覆盖助老" in m["reason"]
    r = client.post(f"matching/matches/{m['id']}/agree", {"note": "超市同意每周送餐"})
    assert r.json()["status"] == "agreed"
    assert Need.objects.get().status == "matched"
    r = client.post(f"matching/matches/{m['id']}/serve", {})
    assert r.json()["status"] == "served" and r.json()["actions"] == []
    assert Need.objects.get().status == "served"
    assert [e.action for e in MatchEvent.objects.order_by("pk")] == ["propose", "agree", "serve"]
    assert [e.action for e in Need.objects.get().events.all()] == ["create", "match", "serve"]
    detail = client.get(f"matching/needs/{need.pk}").json()
    assert [x["action"] for x in detail["matches"][0]["events"]] == ["propose", "agree", "serve"]


def test_withdrawing_the_only_agreed_match_puts_the_need_back_to_waiting(api, world, lists):
    need, a, b = lists.need(), lists.resource(name="超市甲"), lists.resource(name="超市乙")
    client = api("community")
    first = _propose(client, need, resource=a).json()["id"]
    second = _propose(client, need, resource=b).json()["id"]
    client.post(f"matching/matches/{first}/agree", {})
    client.post(f"matching/matches/{second}/agree", {})
    client.post(f"matching/matches/{first}/withdraw", {"note": "超市甲人手不足"})
    assert Need.objects.get().status == "matched"  # the other agreement still stands
    client.post(f"matching/matches/{second}/withdraw", {})
    assert Need.objects.get().status == "open"
    again = _propose(client, need, resource=a)  # a new proposal is a new row; the withdrawn one stays
    assert again.status_code == 201 and Match.objects.filter(need=need, resource=a).count() == 2


def test_refusals_change_nothing(api, world, lists):
    need = lists.need()
    repair_only = lists.resource(name="维修点", offers=("repair",))
    far = lists.resource(unit=world.community_b, name="洪沟社区超市")  # another street
    gone = lists.resource(name="已停业超市")
    services.resource_withdraw(resource=gone, actor=world.user("district"))
    planned = lists.project(running=False)
    ok = lists.resource()
    client = api("district")
    cases = [
        ({"need_id": need.pk}, 400, "matching.partner_required"),
        ({"need_id": need.pk, "resource_id": 987654}, 400, "matching.partner_required"),
        ({"need_id": need.pk, "resource_id": repair_only.pk}, 400, "matching.kind_not_offered"),
        ({"need_id": need.pk, "resource_id": far.pk}, 400, "matching.out_of_reach"),
        ({"need_id": need.pk, "resource_id": gone.pk}, 409, "matching.resource_withdrawn"),
        ({"need_id": need.pk, "project_id": planned.pk}, 409, "matching.project_not_running"),
        ({"need_id": need.pk, "resource_id": 10**20}, 422, "validation_error"),
        ({"need_id": 987654, "resource_id": ok.pk}, 404, "not_found"),
    ]
    for body, status, code in cases:
        r = client.post("matching/matches", body)
        assert (r.status_code, r.json()["code"]) == (status, code), (body, r.content)
    assert not Match.objects.exists()
    assert _propose(client, need, resource=ok).status_code == 201
    r = _propose(client, need, resource=ok)
    assert (r.status_code, r.json()["code"]) == (409, "matching.already_matched")
    assert Match.objects.count() == 1


def test_illegal_match_actions_are_409_and_unknown_ones_404(api, world, lists):
    need, res = lists.need(), lists.resource()
    client = api("community")
    mid = _propose(client, need, resource=res).json()["id"]
    r = client.post(f"matching/matches/{mid}/serve", {})
    assert (r.status_code, r.json()["code"]) == (409, "matching.bad_transition")
    assert r.json()["detail"]["allowed"] == ["agree", "withdraw"]
    assert client.post(f"matching/matches/{mid}/teleport", {}).status_code == 404
    assert client.post("matching/matches/99999999999999999999/agree", {}).status_code == 404
    client.post(f"matching/matches/{mid}/withdraw", {})
    for action in ("agree", "serve", "withdraw"):
        assert client.post(f"matching/matches/{mid}/{action}", {}).status_code == 409
    assert MatchEvent.objects.count() == 2


def test_a_served_or_closed_need_takes_no_new_proposals(api, world, lists):
    need, res, other = lists.need(), lists.resource(), lists.resource(name="另一家超市")
    d = world.user("district")
    m = services.match_agree(match=services.match_propose(need=need, resource=res, actor=d), actor=d)
    services.match_serve(match=m, actor=d)
    r = _propose(api("community"), need, resource=other)
    assert (r.status_code, r.json()["code"]) == (409, "matching.need_finished")


def test_suggestions_nearest_first_with_distance_reason_and_running_projects(api, world, lists):
    lat, lng = GRID_POINT
    need = lists.need(unit=world.grid_a, latitude=lat, longitude=lng)
    far = lists.resource(unit=world.community_a2, name="金鼎社区养老院", kind="institution",
                         latitude=lat + Decimal("0.02"), longitude=lng)  # same street, ~2.2 km
    near = lists.resource(unit=world.grid_a, name="网格内便民超市", latitude=lat + Decimal("0.001"), longitude=lng)
    unknown = lists.resource(name="无坐标的社会组织", kind="social_org")  # no coordinates at all: last
    lists.resource(unit=world.community_b, name="外街道的超市")  # another street: not suggested
    lists.resource(name="维修点", offers=("repair",))  # another kind: not suggested
    running = lists.project(unit=world.street_a, name="街道助老项目")
    lists.project(name="未开始的项目", running=False)
    lists.project(name="维修项目", kinds=("repair",))
    body = api("grid").get(f"matching/needs/{need.pk}/suggestions").json()
    assert [s["id"] for s in body["resources"]] == [near.pk, far.pk, unknown.pk]
    assert [s["distance_m"] for s in body["resources"]][:2] == [111, 2224]
    assert body["resources"][0]["reason"] == "提供助老；距离约111米；同一单元"
    assert body["resources"][1]["reason"] == "提供助老；距离约2.2公里；同街道的金鼎社区"
    assert "距离未知" in body["resources"][2]["reason"]
    assert [s["id"] for s in body["projects"]] == [running.pk]
    assert "上级单元艾山街道" in body["projects"][0]["reason"] and "政府购买服务" in body["projects"][0]["reason"]
    # the grid worker may propose the street-level project for a need in their grid
    assert _propose(api("grid"), need, project=running).status_code == 201
    assert _propose(api("grid"), need, resource=far).status_code == 201
