"""Pages: the three lists side by side with the kinds matrix, list/detail/create pages, the matching view, actions."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse

from gongzhi.matching.models import Match, Need, Project, Resource

from .conftest import GRID_POINT


def test_home_shows_the_kinds_matrix_with_gaps(browser_login, world, lists):
    """A kind with needs waiting and no resource or project is marked as a gap; a covered kind is not."""
    lists.need(kind="elderly")
    lists.need(kind="legal", title="老旧小区物业纠纷法律咨询")
    lists.resource(offers=("elderly",))
    html = browser_login("community").get(reverse("matching:home")).content.decode()
    assert "服务类别 × 三张清单" in html and "有需求无资源" in html
    rows = {r.split("<td>")[1].split("<")[0]: r for r in html.split('id="matrix"')[1].split("</tbody>")[0].split("<tr")[2:]}
    assert 'class="gap"' in rows["法律服务"] and "缺口" in rows["法律服务"]
    assert 'class="gap"' not in rows["助老"] and "1 / 1" in rows["助老"]
    assert "永兴社区便民超市" in html and "独居老人居家安全隐患排查" in html


def test_home_is_403_without_the_view_right(browser_login, world):
    assert browser_login("volunteer").get(reverse("matching:home")).status_code == 403


def test_lists_filter_by_kind_and_status(browser_login, world, lists):
    lists.need(kind="elderly", title="高龄老人助餐")
    lists.need(kind="repair", title="楼道灯维修")
    client = browser_login("community")
    html = client.get(reverse("matching:needs"), {"kind": "repair"}).content.decode()
    assert "楼道灯维修" in html and "高龄老人助餐" not in html
    html = client.get(reverse("matching:needs"), {"status": "served"}).content.decode()
    assert "楼道灯维修" not in html
    assert client.get(reverse("matching:needs"), {"unit": "99999999999999999999999"}).status_code == 200


def test_worker_registers_a_need_and_lands_on_the_matching_view(browser_login, world, lists):
    client = browser_login("community")
    r = client.post(reverse("matching:need_create"), {
        "unit": world.community_a.pk, "kind": "elderly", "title": "独居老人上门理发", "source": "survey",
        "beneficiaries": "12"})
    need = Need.objects.get()
    assert r.status_code == 302 and r.url == reverse("matching:need_match", args=[need.pk])
    assert (need.source, need.beneficiaries, need.created_by) == ("survey", 12, world.user("community"))


def test_a_need_without_title_or_with_one_coordinate_is_refused_and_nothing_saved(browser_login, world):
    client = browser_login("community")
    r = client.post(reverse("matching:need_create"), {"unit": world.community_a.pk, "kind": "elderly", "title": "",
                                                      "source": "survey", "beneficiaries": "1"})
    assert r.status_code == 400
    r = client.post(reverse("matching:need_create"), {"unit": world.community_a.pk, "kind": "elderly", "title": "x",
                                                      "source": "survey", "beneficiaries": "1", "latitude": "36.1"})
    assert r.status_code == 400 and "经纬度须成对填写" in r.content.decode()
    assert not Need.objects.exists()


def test_observer_cannot_open_the_create_forms(browser_login, world):
    client = browser_login("observer")
    assert client.get(reverse("matching:need_create")).status_code == 403
    assert client.get(reverse("matching:resource_create")).status_code == 403
    assert browser_login("community").get(reverse("matching:project_create")).status_code == 403


def test_matching_view_lists_resources_nearest_first_with_distance_and_reason(browser_login, world, lists):
    need = lists.need(latitude=GRID_POINT[0], longitude=GRID_POINT[1])
    lists.resource(name="远处的养老院", kind="institution", latitude=Decimal("36.080000"), longitude=GRID_POINT[1])
    lists.resource(name="楼下的便民超市", latitude=Decimal("36.063000"), longitude=GRID_POINT[1])
    lists.resource(name="只修水电的维修点", offers=("repair",))
    lists.project(name="“爱上门”助老服务项目")
    html = browser_login("community").get(reverse("matching:need_match", args=[need.pk])).content.decode()
    resources = html.split('id="suggested-resources"')[1].split('id="suggested-projects"')[0]
    assert resources.index("楼下的便民超市") < resources.index("远处的养老院")
    assert "只修水电的维修点" not in resources
    assert "距离约111米" in resources and "距离约2.0公里" in resources and "提供助老" in resources
    assert "“爱上门”助老服务项目" in html.split('id="suggested-projects"')[1]
    assert reverse("matching:match_propose", args=[need.pk]) in html


def test_propose_and_agree_from_the_matching_view(browser_login, world, lists):
    need, res = lists.need(), lists.resource()
    client = browser_login("community")
    r = client.post(reverse("matching:match_propose", args=[need.pk]), {"resource": res.pk, "agree": "1"})
    assert r.status_code == 302
    match = Match.objects.get()
    need.refresh_from_db()
    assert (match.status, need.status) == ("agreed", "matched")
    html = client.get(reverse("matching:need_match", args=[need.pk])).content.decode()
    assert reverse("matching:match_transition", args=[match.pk, "serve"]) in html and "对接中" in html
    r = client.post(reverse("matching:match_transition", args=[match.pk, "serve"]))
    need.refresh_from_db()
    assert r.status_code == 302 and need.status == "served"


def test_matching_view_for_an_observer_has_no_buttons(browser_login, world, lists):
    need = lists.need()
    lists.resource()
    html = browser_login("observer").get(reverse("matching:need_match", args=[need.pk])).content.decode()
    assert "永兴社区便民超市" in html and reverse("matching:match_propose", args=[need.pk]) not in html
    assert browser_login("observer").post(reverse("matching:match_propose", args=[need.pk]),
                                          {"resource": Resource.objects.get().pk}).status_code == 403


def test_illegal_match_action_on_the_page_is_409(browser_login, world, lists):
    from gongzhi.matching import services

    match = services.match_propose(need=lists.need(), resource=lists.resource(), actor=world.user("district"))
    client = browser_login("community")
    assert client.post(reverse("matching:match_transition", args=[match.pk, "serve"])).status_code == 409
    assert client.post(reverse("matching:match_transition", args=[match.pk, "explode"])).status_code == 404


def test_other_units_pages_are_404(browser_login, world, lists):
    need, res, proj = lists.need(), lists.resource(), lists.project()
    client = browser_login("community_b")
    for name, pk in (("need_detail", need.pk), ("need_match", need.pk), ("resource_detail", res.pk),
                     ("project_detail", proj.pk)):
        assert client.get(reverse(f"matching:{name}", args=[pk])).status_code == 404, name
    assert client.get("/matching/needs/99999999999999999999999/").status_code == 404


def test_resource_form_registers_a_resource_and_withdraw_keeps_it(browser_login, world, lists):
    client = browser_login("community")
    r = client.post(reverse("matching:resource_create"), {
        "unit": world.community_a.pk, "name": "永兴社区卫生室", "kind": "clinic", "offers": ["health", "elderly"],
        "address": "永兴路20号", "capacity": "每周三免费测血压"})
    res = Resource.objects.get()
    assert r.status_code == 302 and r.url == reverse("matching:resource_detail", args=[res.pk])
    assert {k.code for k in res.offers.all()} == {"health", "elderly"}
    r = client.post(reverse("matching:resource_withdraw", args=[res.pk]), {"reason": "搬迁"})
    res.refresh_from_db()
    assert r.status_code == 302 and not res.active and res.withdraw_reason == "搬迁"
    html = client.get(reverse("matching:resource_detail", args=[res.pk])).content.decode()
    assert "已退出" in html and "搬迁" in html


def test_resource_form_without_offers_is_refused(browser_login, world):
    r = browser_login("community").post(reverse("matching:resource_create"), {
        "unit": world.community_a.pk, "name": "永兴社区卫生室", "kind": "clinic"})
    assert r.status_code == 400 and not Resource.objects.exists()


def test_social_worker_registers_a_project_and_its_page_shows_budget_funder_and_board_link(browser_login, world,
                                                                                            lists):
    client = browser_login("socialworker")
    r = client.post(reverse("matching:project_create"), {
        "unit": world.community_a.pk, "name": "温暖小哥上门维修", "kinds": ["repair", "elderly"],
        "funder": "永兴社区公益基金", "funding": "community_fund", "budget": "20000", "starts_on": "2030-01-01",
        "ends_on": "2030-12-31", "social_worker": world.user("socialworker").pk})
    project = Project.objects.get()
    assert r.status_code == 302, r.content.decode()[:2000]
    r = client.post(reverse("matching:project_status", args=[project.pk, "start"]))
    assert r.status_code == 302
    need = lists.need(kind="repair", title="水龙头坏了")
    project.refresh_from_db()
    from gongzhi.matching import services

    services.match_propose(need=need, project=project, actor=world.user("socialworker"))
    html = client.get(reverse("matching:project_detail", args=[project.pk])).content.decode()
    assert "20,000.00" in html and "永兴社区公益基金" in html and "社区基金" in html and "socialworker" in html
    assert "水电维修" in html and "水龙头坏了" in html
    assert f"?project={project.pk}" in html


def test_project_form_refuses_end_before_start(browser_login, world):
    r = browser_login("socialworker").post(reverse("matching:project_create"), {
        "unit": world.community_a.pk, "name": "x", "kinds": ["repair"], "funder": "街道", "funding": "government",
        "budget": "1", "starts_on": "2030-02-01", "ends_on": "2030-01-01"})
    assert r.status_code == 400 and "项目结束日期不能早于开始日期" in r.content.decode()
    assert not Project.objects.exists()


def test_need_from_an_appeal_page(browser_login, world, lists):
    from gongzhi.appeals import services as appeal_services

    appeal = appeal_services.appeal_submit(data=appeal_services.AppealInput(
        channel="walk_in", category_code="S01", description="家里水龙头坏了，能不能帮忙想想办法？", unit=world.community_a,
        reporter_name="张阿姨", reporter_phone="13812345678"), actor=world.user("resident"))
    client = browser_login("community")
    html = client.get(reverse("matching:need_create"), {"appeal": appeal.pk}).content.decode()
    assert appeal.number in html and "家里水龙头坏了" in html and "13812345678" not in html
    r = client.post(reverse("matching:need_create") + f"?appeal={appeal.pk}", {"beneficiaries": "1"})
    need = Need.objects.get()
    assert r.status_code == 302 and (need.appeal, need.kind.code, need.source) == (appeal, "repair", "appeal")
    assert client.get(reverse("matching:need_create"), {"appeal": appeal.pk}).status_code == 200
    r = client.post(reverse("matching:need_create") + f"?appeal={appeal.pk}", {"beneficiaries": "1"})
    assert r.status_code == 400 and "该诉求已列入需求清单" in r.content.decode() and Need.objects.count() == 1


def test_appeal_page_offers_listing_it_as_a_need_then_links_to_the_need(browser_login, world, lists):
    """The appeal's page (appeals imports no capability app) shows matching's link through ``core.links``: first
    "列入需求清单", once listed the need itself; a worker of another community cannot open the appeal at all."""
    from gongzhi.appeals import services as appeal_services

    appeal = appeal_services.appeal_submit(data=appeal_services.AppealInput(
        channel="walk_in", category_code="S01", description="家里水龙头坏了", unit=world.community_a,
        reporter_name="张阿姨", reporter_phone="13812345678"), actor=world.user("resident"))
    client = browser_login("community")
    detail = reverse("appeals:detail", args=[appeal.pk])
    html = client.get(detail).content.decode()
    listing = reverse("matching:need_create") + f"?appeal={appeal.pk}"
    assert "列入需求清单" in html and f'href="{listing}"' in html
    client.post(listing, {"beneficiaries": "1"})
    need = Need.objects.get(appeal=appeal)
    html = client.get(detail).content.decode()
    assert f"已列入需求清单：{need.title}" in html and reverse("matching:need_match", args=[need.pk]) in html
    assert f'href="{listing}"' not in html
    assert browser_login("community_b").get(detail).status_code == 404


def test_appeal_page_has_no_listing_link_for_a_refused_appeal(browser_login, world, lists):
    from gongzhi.appeals import services as appeal_services

    appeal = appeal_services.appeal_submit(data=appeal_services.AppealInput(
        channel="walk_in", category_code="S01", description="家里水龙头坏了", unit=world.community_a,
        reporter_name="张阿姨", reporter_phone="13812345678"), actor=world.user("resident"))
    appeal_services.appeal_reject(appeal=appeal, actor=world.user("community"), reason="litigation", note="")
    html = browser_login("community").get(reverse("appeals:detail", args=[appeal.pk])).content.decode()
    assert "列入需求清单" not in html
