"""Org pages: tree with on-demand children, unit and organisation pages, team members, unit/org create forms."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gongzhi.org.models import Organisation, OrgKind, Unit
from gongzhi.people import services as people_services
from gongzhi.people.models import TeamMembership

pytestmark = pytest.mark.django_db


@pytest.fixture
def volunteer_a(world):
    """张三丰 as an active volunteer of 永兴社区."""
    profile = people_services.volunteer_apply(person=world.people["a"], actor=world.user("community"),
                                              consent_confirmed=True)
    people_services.volunteer_review(profile=profile, actor=world.user("community"), decision="pass")
    people_services.volunteer_review(profile=profile, actor=world.user("socialworker"), decision="pass")
    return profile


def test_tree_shows_top_units_with_children_and_counts(browser_login, world):
    """A district admin sees 钢城区 open with its streets; counts include residents in scope."""
    body = browser_login("district").get(reverse("org:tree")).content.decode()
    assert "组织架构" in body and "钢城区" in body and "艾山街道" in body and "里辛街道" in body
    assert "2 个下级" in body  # 钢城区 → two streets
    assert "4 人" in body  # the whole district's residents
    assert f'hx-get="{reverse("org:children", args=[world.street_a.pk])}"' in body


def test_tree_children_partial(browser_login, world):
    """Expanding a street loads its communities as a partial with their resident counts."""
    r = browser_login("district").get(reverse("org:children", args=[world.street_a.pk]), HTTP_HX_REQUEST="true")
    body = r.content.decode()
    assert r.status_code == 200 and "<html" not in body
    assert "永兴社区" in body and "金鼎社区" in body and "洪沟社区" not in body
    assert "3 人" in body  # 永兴社区: 张三丰, 赵六, and 李四 in its grid


def test_tree_for_community_worker_and_resident(browser_login):
    """A community worker's tree starts at the community; a resident sees it without resident counts."""
    body = browser_login("community").get(reverse("org:tree")).content.decode()
    assert "永兴社区" in body and "永兴社区第一网格" in body and "艾山街道</a>" not in body
    body = browser_login("resident").get(reverse("org:tree")).content.decode()
    assert "永兴社区" in body and " 人</small>" not in body and " 人<" not in body


def test_unit_page(browser_login, world):
    """The unit page shows breadcrumbs, code, children with counts, the team and a link to its people."""
    body = browser_login("street").get(reverse("org:unit", args=[world.community_a.pk])).content.decode()
    assert "艾山街道" in body and "370117001001" in body and "永兴社区第一网格" in body
    assert "永兴邻里志愿服务队" in body and "本单元居民" in body
    assert f'{reverse("people:list")}?unit={world.community_a.pk}' in body
    assert "新增下级" in body and "登记组织" in body


def test_unit_of_other_street_is_404(browser_login, world):
    """A community worker asking for another street's unit gets 404."""
    client = browser_login("community")
    assert client.get(reverse("org:unit", args=[world.community_b.pk])).status_code == 404
    assert client.get(reverse("org:children", args=[world.street_b.pk])).status_code == 404


def test_org_page_lists_members_and_manager_adds_and_removes(browser_login, world, volunteer_a):
    """A team manager finds an active volunteer, adds them, sees them listed, and removes them."""
    client = browser_login("community")
    team = world.team_a
    r = client.get(reverse("org:org", args=[team.pk]))
    assert r.status_code == 200 and "永兴邻里志愿服务队" in r.content.decode() and "添加队员" in r.content.decode()
    r = client.get(reverse("org:member_candidates", args=[team.pk]), {"q": "zsf"}, HTTP_HX_REQUEST="true")
    assert "张三丰" in r.content.decode() and volunteer_a.number in r.content.decode()
    r = client.post(reverse("org:member_add", args=[team.pk]), {"volunteer": volunteer_a.pk, "role": "leader"})
    assert r.status_code == 302
    membership = TeamMembership.objects.get(team=team, left_on__isnull=True)
    assert membership.person == world.people["a"] and membership.role == "leader"
    body = client.get(reverse("org:org", args=[team.pk])).content.decode()
    assert "张三丰" in body and "队长" in body
    # already a member: refused on the page with 400
    r = client.post(reverse("org:member_add", args=[team.pk]), {"volunteer": volunteer_a.pk, "role": "member"})
    assert r.status_code == 400 and "已是该队队员" in r.content.decode()
    r = client.post(reverse("org:member_remove", args=[team.pk, world.people["a"].pk]))
    assert r.status_code == 302
    assert not TeamMembership.objects.filter(team=team, left_on__isnull=True).exists()


def test_member_names_hidden_from_residents_and_add_forbidden(browser_login, world, volunteer_a):
    """A resident sees the team and its size but not the member names (R-V11), and cannot add members (403)."""
    people_services.team_member_add(team=world.team_a, person=world.people["a"], actor=world.user("community"))
    client = browser_login("resident")
    body = client.get(reverse("org:org", args=[world.team_a.pk])).content.decode()
    assert "永兴邻里志愿服务队" in body and "张三丰" not in body and "添加队员" not in body
    r = client.post(reverse("org:member_add", args=[world.team_a.pk]), {"volunteer": volunteer_a.pk, "role": "member"})
    assert r.status_code == 403
    assert TeamMembership.objects.filter(left_on__isnull=True).count() == 1


def test_team_leader_manages_members_of_their_own_team_only(browser_login, world, volunteer_a):
    """A 队长 adds members to the team they lead; another team of the same community answers 403."""
    import datetime as dt

    from gongzhi.core.testing.world import make_person
    from gongzhi.people.models import TeamMembership, TeamRole

    leader = make_person(world, "钱队长", world.community_a, seq=95)
    leader.user = world.user("teamleader")
    leader.save(update_fields=["user"])
    TeamMembership.objects.create(team=world.team_a, person=leader, role=TeamRole.LEADER, joined_on=dt.date(2025, 3, 5))
    other = Organisation.objects.create(name="永兴文艺志愿服务队", kind=OrgKind.TEAM, unit=world.community_a)
    client = browser_login("teamleader")
    r = client.post(reverse("org:member_add", args=[other.pk]), {"volunteer": volunteer_a.pk, "role": "member"})
    assert r.status_code == 403
    r = client.post(reverse("org:member_add", args=[world.team_a.pk]), {"volunteer": volunteer_a.pk, "role": "member"})
    assert r.status_code == 302


def test_org_of_other_street_is_404(browser_login, world):
    """Organisations outside the actor's subtree are not found."""
    other = Organisation.objects.create(name="洪沟志愿服务队", kind=OrgKind.TEAM, unit=world.community_b)
    assert browser_login("community").get(reverse("org:org", args=[other.pk])).status_code == 404


def test_grid_create_prefills_next_code_and_saves(browser_login, world):
    """A street admin adds a grid under 永兴社区; the form proposes the next grid code (R-U1)."""
    client = browser_login("street")
    url = reverse("org:unit_create", args=[world.community_a.pk])
    body = client.get(url).content.decode()
    assert 'value="370117001001002"' in body
    r = client.post(url, {"kind": "grid", "code": "370117001001002", "name": "永兴社区第二网格", "address": ""})
    assert r.status_code == 302
    assert Unit.objects.get(code="370117001001002").parent == world.community_a


def test_unit_create_bad_code_is_400(browser_login, world):
    """A code that does not fit the parent (R-I3) is refused on the code field and nothing is saved."""
    r = browser_login("street").post(reverse("org:unit_create", args=[world.street_a.pk]),
                                      {"kind": "community", "code": "370117002009", "name": "错误社区"})
    assert r.status_code == 400 and "区划代码与单元类型或上级不符" in r.content.decode()
    assert not Unit.objects.filter(code="370117002009").exists()


def test_unit_create_forbidden_for_community_worker(browser_login, world):
    """Only admins manage units: a community worker gets 403."""
    assert browser_login("community").get(reverse("org:unit_create", args=[world.community_a.pk])).status_code == 403


def test_org_create_by_community_worker(browser_login, world):
    """A community worker registers a team at their community; a duplicate name is a 400 on the name field."""
    client = browser_login("community")
    url = reverse("org:org_create", args=[world.community_a.pk])
    assert client.get(url).status_code == 200
    r = client.post(url, {"name": "永兴助老服务队", "kind": "team", "contact_name": "刘敏"})
    org = Organisation.objects.get(name="永兴助老服务队")
    assert r.status_code == 302 and r["Location"] == reverse("org:org", args=[org.pk])
    r = client.post(url, {"name": "永兴助老服务队", "kind": "team"})
    assert r.status_code == 400 and "该单元下已有同名组织" in r.content.decode()


def test_org_create_forbidden_for_resident(browser_login, world):
    """Residents cannot register organisations."""
    assert browser_login("resident").get(reverse("org:org_create", args=[world.community_a.pk])).status_code == 403
