"""Resources and projects API: registration refusals, withdrawal keeps the row and reopens needs, project statuses."""

from __future__ import annotations

import pytest

from gongzhi.matching import services
from gongzhi.matching.models import Match, Need, Project, ProjectEvent, Resource
from gongzhi.org.models import OrgKind
from gongzhi.org.services import organisation_create
from gongzhi.supermarket import services as shop_services
from gongzhi.supermarket.models import MerchantKind

RESOURCE = {"name": "永兴社区卫生室", "kind": "clinic", "offers": ["health", "elderly"], "address": "永兴路20号",
            "capacity": "每周三免费测血压", "contact_name": "刘医生", "contact_phone": "0634-6000000"}
PROJECT = {"name": "“爱上门”助老服务项目", "kinds": ["elderly"], "funder": "钢城区民政局", "funding": "government",
           "budget": "120000.00", "starts_on": "2030-01-01", "ends_on": "2030-12-31"}


def test_register_a_clinic_and_a_points_supermarket_merchant(api, world, at):
    client = api("community")
    r = client.post("matching/resources", {**RESOURCE, "unit_id": world.community_a.pk})
    assert r.status_code == 201, r.content
    assert {k["code"] for k in r.json()["offers"]} == {"health", "elderly"} and r.json()["active"] is True
    shop = shop_services.merchant_create(unit=world.community_a, name="永兴社区积分超市", kind=MerchantKind.STORE,
                                         address="永兴社区党群服务中心一楼", actor=world.user("district"))
    r = client.post("matching/resources", {"unit_id": world.community_a.pk, "name": "永兴社区积分超市",
                                           "kind": "merchant", "offers": ["convenience"], "merchant_id": shop.pk})
    assert r.status_code == 201, r.content
    assert (r.json()["merchant"], r.json()["address"]) == ("永兴社区积分超市", "永兴社区党群服务中心一楼")


@pytest.mark.parametrize(("change", "code", "status"), [
    ({"offers": []}, "matching.offers_empty", 400),
    ({"offers": ["health", "alchemy"]}, "matching.kind_unknown", 400),
    ({"kind": "spaceship"}, "matching.resource_kind_unknown", 400),
    ({"name": ""}, "matching.name_empty", 400),
    ({"organisation_id": 987654}, "matching.organisation_invalid", 400),
    ({"merchant_id": 987654}, "matching.merchant_invalid", 400),
    ({"merchant_id": 10**20}, "validation_error", 422),
    ({"longitude": "117.8"}, "matching.coordinates_invalid", 400),
])
def test_bad_resource_input_is_refused_and_nothing_saved(api, world, at, change, code, status):
    r = api("community").post("matching/resources", {**RESOURCE, "unit_id": world.community_a.pk, **change})
    assert (r.status_code, r.json()["code"]) == (status, code), r.content
    assert not Resource.objects.exists()


def test_an_organisation_outside_the_workers_units_is_refused(api, world, at):
    other = organisation_create(name="洪沟社区社会工作站", kind=OrgKind.SOCIAL_ORG, unit=world.community_b)
    r = api("community").post("matching/resources", {**RESOURCE, "unit_id": world.community_a.pk,
                                                     "organisation_id": other.pk})
    assert (r.status_code, r.json()["code"]) == (400, "matching.organisation_invalid")


def test_withdrawing_a_resource_keeps_it_and_reopens_needs_it_was_agreed_for(api, world, lists):
    need, res = lists.need(), lists.resource()
    d = world.user("district")
    services.match_agree(match=services.match_propose(need=need, resource=res, actor=d), actor=d)
    need.refresh_from_db()
    assert need.status == "matched"
    r = api("community").post(f"matching/resources/{res.pk}/withdraw", {"reason": "停业"})
    assert r.status_code == 200 and r.json()["active"] is False and r.json()["withdraw_reason"] == "停业"
    need.refresh_from_db()
    assert need.status == "open" and Match.objects.get().status == "withdrawn"
    assert [e.action for e in need.events.all()] == ["create", "match", "reopen"]
    r = api("community").post(f"matching/resources/{res.pk}/withdraw", {})
    assert (r.status_code, r.json()["code"]) == (409, "matching.resource_withdrawn")
    assert Resource.objects.filter(pk=res.pk).exists()
    assert api("community").get("matching/resources").json()["count"] == 0
    assert api("community").get("matching/resources", active="false").json()["count"] == 1


def test_resource_list_filters_by_kind_type_and_unit(api, world, lists):
    clinic = lists.resource(name="卫生室", kind="clinic", offers=("health",))
    shop = lists.resource(unit=world.grid_a, name="超市", offers=("convenience",))
    client = api("community")

    def ids(**params):
        return {x["id"] for x in client.get("matching/resources", **params).json()["items"]}

    assert ids() == {clinic.pk, shop.pk}
    assert ids(kind="health") == {clinic.pk}
    assert ids(type="merchant") == {shop.pk}
    assert ids(unit_id=world.grid_a.pk) == {shop.pk}


def test_social_worker_registers_a_project_with_themselves_dispatching(api, world, at):
    sw = world.user("socialworker")
    r = api("socialworker").post("matching/projects", {**PROJECT, "unit_id": world.community_a.pk,
                                                       "social_worker_id": sw.pk})
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["status"], body["social_worker_id"], body["budget"], body["funding_label"]) == (
        "planned", sw.pk, "120000.00", "政府购买服务")
    assert body["actions"] == ["start"]


@pytest.mark.parametrize(("change", "code", "status"), [
    ({"kinds": []}, "matching.offers_empty", 400),
    ({"kinds": ["unknown"]}, "matching.kind_unknown", 400),
    ({"funder": ""}, "matching.funder_empty", 400),
    ({"funding": "lottery"}, "matching.funding_unknown", 400),
    ({"budget": "-1"}, "matching.budget_invalid", 400),
    ({"budget": "1234567890123.00"}, "validation_error", 422),
    ({"starts_on": "2030-06-01", "ends_on": "2030-05-31"}, "matching.dates_invalid", 400),
    ({"social_worker_id": "GRID"}, "matching.social_worker_invalid", 400),
    ({"social_worker_id": "OTHER_STREET"}, "matching.social_worker_invalid", 400),
    ({"social_worker_id": 987654}, "matching.social_worker_invalid", 400),
    ({"name": ""}, "matching.name_empty", 400),
])
def test_bad_project_input_is_refused_and_nothing_saved(api, world, at, change, code, status):
    if change.get("social_worker_id") == "GRID":
        change = {"social_worker_id": world.user("grid").pk}  # a grid worker is not a 社工
    if change.get("social_worker_id") == "OTHER_STREET":
        from gongzhi.accounts.roles import Role
        from gongzhi.accounts.services import role_grant

        other = world.user("community_b")
        role_grant(user=other, role=Role.SOCIAL_WORKER, unit=world.community_b, actor=None)
        change = {"social_worker_id": other.pk}  # a 社工 of another street cannot dispatch here
    r = api("district").post("matching/projects", {**PROJECT, "unit_id": world.community_a.pk, **change})
    assert (r.status_code, r.json()["code"]) == (status, code), r.content
    assert not Project.objects.exists()


def test_project_statuses_follow_the_table(api, world, lists):
    project = lists.project(running=False)
    client = api("socialworker")
    r = client.post(f"matching/projects/{project.pk}/finish", {})
    assert (r.status_code, r.json()["code"]) == (409, "matching.bad_transition")
    assert r.json()["detail"]["allowed"] == ["start"]
    r = client.post(f"matching/projects/{project.pk}/explode", {})
    assert (r.status_code, r.json()["code"]) == (409, "matching.bad_transition")
    assert client.post(f"matching/projects/{project.pk}/start", {"note": "签订购买服务合同"}).json()["status"] == "running"
    need = lists.need()
    services.match_propose(need=need, project=Project.objects.get(pk=project.pk), actor=world.user("district"))
    r = client.post(f"matching/projects/{project.pk}/finish", {})
    assert r.status_code == 200 and r.json()["status"] == "finished" and r.json()["actions"] == []
    assert Match.objects.get().status == "withdrawn"  # a finished project serves no more
    assert [e.action for e in ProjectEvent.objects.filter(project=project)] == ["create", "start", "finish"]
    assert api("community").post(f"matching/projects/{project.pk}/finish", {}).status_code == 403
    assert Need.objects.get().status == "open"


def test_project_detail_lists_matched_needs_the_viewer_may_see(api, world, lists):
    street_project = lists.project(unit=world.street_a, kinds=("repair",))
    d = world.user("district")
    mine = lists.need(kind="repair", title="水龙头坏了")
    other = lists.need(unit=world.community_a2, kind="repair", title="金鼎社区水管")
    for n in (mine, other):
        services.match_propose(need=n, project=street_project, actor=d)
    assert {m["need"] for m in api("street").get(f"matching/projects/{street_project.pk}").json()["matches"]} == {
        "水龙头坏了", "金鼎社区水管"}
    # a community worker does not see the street project itself (it is above their unit) → 404
    assert api("community").get(f"matching/projects/{street_project.pk}").status_code == 404
