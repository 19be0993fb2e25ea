"""Roles change what a user sees at once: grants, revocations, several roles, superusers; /me reports them."""

from __future__ import annotations

from gongzhi.accounts.models import RoleAssignment
from gongzhi.accounts.services import user_create
from gongzhi.conftest import ApiClient
from gongzhi.core.testing.world import PASSWORD, make_person


def _people(client) -> set[str]:
    r = client.get("people")
    assert r.status_code == 200, r.content
    return {p["name"] for p in r.json()["items"]}


def test_me_reports_roles_units_and_permissions(api, world):
    """GET /me: username, name, each role with its unit, and the named permissions they add up to."""
    body = api("community").get("me").json()
    assert (body["username"], body["name"], body["person_id"]) == ("t-community", "community", None)
    assert [(r["role"], r["role_name"], r["unit_code"], r["unit_name"]) for r in body["roles"]] == [
        ("community_worker", "社区工作者", "370117001001", "永兴社区")]
    assert {"people.view", "people.reveal", "volunteers.review"} <= set(body["permissions"])
    assert "privacy.view_access_log" not in body["permissions"]
    social = api("socialworker").get("me").json()["permissions"]
    assert "people.view" in social and "people.reveal" not in social
    assert api("resident").get("me").json()["person_id"] == world.people["resident"].pk


def test_revoking_a_role_takes_effect_on_the_next_request(api, world):
    """The district admin revokes the community worker's role; the worker's next call is refused."""
    worker = api("community")
    assert "张三丰" in _people(worker)
    ra = RoleAssignment.objects.get(user=world.user("community"))
    r = api("district").delete(f"roles/{ra.pk}")
    assert r.status_code == 200
    assert worker.get("people").status_code == 403
    assert worker.get(f"people/{world.people['a'].pk}").status_code == 403
    ra.refresh_from_db()
    assert ra.revoked_at is not None and ra.revoked_by == world.user("district")  # the row stays: history


def test_granting_a_role_opens_that_subtree_only(api, world):
    """An observer made community worker of 金鼎社区 sees 金鼎's people, not 永兴's."""
    make_person(world, "孙七", world.community_a2, seq=21)
    observer = api("observer")
    assert observer.get("people").status_code == 403
    r = api("street").post("roles", {"user_id": world.user("observer").pk, "role": "community_worker",
                                     "unit_id": world.community_a2.pk})
    assert r.status_code == 201, r.content
    assert _people(observer) == {"孙七"}


def test_several_roles_add_up(api, world):
    """A worker holding roles in two communities of different streets sees both, and only those."""
    api("district").post("roles", {"user_id": world.user("community").pk, "role": "community_worker",
                                   "unit_id": world.community_b.pk})
    assert _people(api("community")) == {"张三丰", "李四", "赵六", "王五"}
    assert api("community").get("access-log").status_code == 403  # more units, not more rights


def test_role_in_a_grid_does_not_reach_up(api, world):
    """A grid worker's role covers the grid; the community above it is not theirs."""
    grid = api("grid")
    assert _people(grid) == {"李四"}
    assert grid.get(f"units/{world.community_a.pk}").status_code == 404


def test_street_admin_cannot_touch_roles_above_or_beside(api, world):
    """A street admin cannot revoke the district admin's role or a role in the other street (404)."""
    for name in ("district", "community_b", "street_b"):
        ra = RoleAssignment.objects.get(user=world.user(name))
        assert api("street").delete(f"roles/{ra.pk}").status_code == 404
        ra.refresh_from_db()
        assert ra.revoked_at is None


def test_superuser_sees_everything(world):
    """A superuser without roles sees every unit's people and the whole access log."""
    boss = user_create(username="t-root", password=PASSWORD)
    boss.is_superuser = True
    boss.save(update_fields=["is_superuser"])
    client = ApiClient(boss)
    assert _people(client) == {"张三丰", "李四", "赵六", "王五"}
    assert client.get("access-log").status_code == 200


def test_account_without_roles_sees_nothing(world):
    """A registered account with no role gets 403 on scoped lists and an empty /me role list."""
    nobody = ApiClient(user_create(username="t-nobody", password=PASSWORD))
    assert nobody.get("me").json()["roles"] == []
    for path in ("people", "units", "units/tree", "orgs", "volunteers"):
        assert nobody.get(path).status_code == 403, path


def test_get_scoped_answers_not_found_for_an_id_no_row_can_have(world):
    """One place for it: an id beyond bigint (or ≤ 0) is 404 in every app, never the driver's OverflowError."""
    import pytest

    from gongzhi.accounts import scoping
    from gongzhi.core.errors import DomainError
    from gongzhi.people.models import Person

    for pk in (2**63, 10**20, 0, -1):
        with pytest.raises(DomainError) as err:
            scoping.get_scoped(Person.objects.all(), world.user("district"), "people.view", "unit__path", pk=pk)
        assert err.value.status == 404
    person = world.people["a"]
    assert scoping.get_scoped(Person.objects.all(), world.user("district"), "people.view", "unit__path",
                              pk=person.pk) == person
