"""The org tree and organisations through the API: tree, one-query subtrees, division-code rules (R-I3), teams."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongzhi.org.divisions import UnitKind
from gongzhi.org.services import next_grid_code, unit_create
from gongzhi.people.services import volunteer_apply


def _names(nodes) -> list:
    return [(n["name"], _names(n["children"])) for n in nodes]


def test_district_tree(api, world):
    """The district admin's tree starts at 钢城区 and nests streets, communities and grids."""
    r = api("district").get("units/tree")
    assert r.status_code == 200
    assert _names(r.json()) == [
        ("钢城区", [
            ("艾山街道", [("永兴社区", [("永兴社区第一网格", [])]), ("金鼎社区", [])]),
            ("里辛街道", [("洪沟社区", [])]),
        ])
    ]
    assert r.json()[0]["kind_name"] == "区县"


@pytest.mark.parametrize(
    ("role", "tree"),
    [
        ("street", [("艾山街道", [("永兴社区", [("永兴社区第一网格", [])]), ("金鼎社区", [])])]),
        ("community_b", [("洪沟社区", [])]),
        ("grid", [("永兴社区第一网格", [])]),
    ],
)
def test_tree_starts_at_the_roles_unit(api, world, role, tree):
    """Each role's tree is its own subtree: nothing above, nothing beside."""
    assert _names(api(role).get("units/tree").json()) == tree


def test_tree_depth_and_root(api, world):
    """?depth limits the levels; ?root_id starts lower down and answers 404 outside the caller's scope."""
    shallow = api("district").get("units/tree", depth=1).json()
    assert _names(shallow) == [("钢城区", [("艾山街道", []), ("里辛街道", [])])]
    rooted = api("street").get("units/tree", root_id=world.community_a.pk).json()
    assert _names(rooted) == [("永兴社区", [("永兴社区第一网格", [])])]
    assert api("street").get("units/tree", root_id=world.community_b.pk).status_code == 404


def test_unit_detail_breadcrumbs_show_only_visible_ancestors(api, world):
    """Breadcrumbs never disclose units above the caller's own (a community worker sees no street or district)."""
    grid = world.grid_a.pk
    assert [b["name"] for b in api("district").get(f"units/{grid}").json()["breadcrumbs"]] == [
        "钢城区", "艾山街道", "永兴社区"]
    assert [b["name"] for b in api("community").get(f"units/{grid}").json()["breadcrumbs"]] == ["永兴社区"]
    detail = api("street").get(f"units/{world.street_a.pk}").json()
    assert [c["name"] for c in detail["children"]] == ["永兴社区", "金鼎社区"]


def test_unit_list_filters(api, world):
    """?kind, ?under (a path prefix) and ?q (name or code prefix) narrow the list within scope."""
    c = api("district")
    assert [u["name"] for u in c.get("units", kind="community").json()["items"]] == ["永兴社区", "金鼎社区", "洪沟社区"]
    assert [u["code"] for u in c.get("units", under=world.street_b.path).json()["items"]] == [
        "370117002", "370117002001"]
    assert [u["name"] for u in c.get("units", q="金鼎").json()["items"]] == ["金鼎社区"]
    assert [u["name"] for u in c.get("units", q="370117002").json()["items"]] == ["里辛街道", "洪沟社区"]
    assert api("community").get("units", under=world.street_b.path).json()["count"] == 0


def _subtree_unit_queries(client, unit_id) -> tuple[int, list[int]]:
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(f"units/{unit_id}/subtree")
    assert r.status_code == 200
    unit_queries = [q["sql"] for q in ctx.captured_queries if '"org_unit"' in q["sql"]]
    range_selects = [q for q in unit_queries if '"org_unit"."path" >=' in q
                     and not q.startswith("SELECT COUNT") and '"org_unit"."id" =' not in q]
    assert len(range_selects) == 1  # the rows of the whole subtree come from one path-range query
    return len(unit_queries), [u["id"] for u in r.json()["items"]]


def test_subtree_is_one_query_whatever_the_depth(api, world):
    """Issue 2: a subtree is one indexed range query; the number of unit queries is the same for a grid, a
    community, a street and the district, and does not grow when the tree gets bigger."""
    client = api("district")
    client.get("me")  # warm up: token lookup and last-used update happen once
    counts = {}
    for unit in (world.grid_a, world.community_a, world.street_a, world.district):
        counts[unit.kind], ids = _subtree_unit_queries(client, unit.pk)
    assert len(set(counts.values())) == 1, counts
    for community in (world.community_a, world.community_a2, world.community_b):
        for _ in range(5):
            unit_create(code=next_grid_code(community), name="新网格", kind=UnitKind.GRID, parent=community)
    bigger, ids = _subtree_unit_queries(client, world.district.pk)
    assert bigger == counts["district"]
    assert len(ids) == 7 + 15


def test_subtree_lists_everything_below(api, world):
    """The street's subtree is the street, both communities and the grid — not the other street."""
    items = api("street").get(f"units/{world.street_a.pk}/subtree").json()["items"]
    assert [u["name"] for u in items] == ["艾山街道", "永兴社区", "永兴社区第一网格", "金鼎社区"]


# --- creating units: the division-code rules (R-I3, R-U1) ---------------------------------------------------


def _create(api, role, code, kind, parent):
    return api(role).post("units", {"code": code, "name": "新单元", "kind": kind, "parent_id": parent.pk})


@pytest.mark.parametrize(
    ("code", "kind", "parent"),
    [
        ("370117399", "street", "district"),  # 200–399 乡
        ("370117100", "street", "district"),  # 100–199 镇
        ("370117098", "street", "district"),  # 001–099 街道
        ("370117001199", "community", "street_a"),  # 001–199 居委会
        ("370117001200", "village", "street_a"),  # 200–399 村委会
        ("370117001399", "village", "street_a"),
        ("370117001001002", "grid", "community_a"),  # grids numbered under their community
    ],
)
def test_valid_division_codes_are_accepted(api, world, code, kind, parent):
    """R-I3: codes inside the ranges for their kind, under their parent, are created."""
    r = _create(api, "district", code, kind, getattr(world, parent))
    assert r.status_code == 201, r.content
    assert r.json()["path"] == code and r.json()["kind"] == kind


@pytest.mark.parametrize(
    ("code", "kind", "parent", "reason"),
    [
        ("370117400", "street", "district", "segment_out_of_range"),  # township segment ends at 399
        ("370117000", "street", "district", "segment_out_of_range"),
        ("37011700", "street", "district", "bad_length"),
        ("370117001200", "community", "street_a", "segment_out_of_range"),  # 200+ are villages
        ("370117001000", "community", "street_a", "segment_out_of_range"),
        ("370117001199", "village", "street_a", "segment_out_of_range"),  # villages start at 200
        ("370117001400", "village", "street_a", "segment_out_of_range"),
        ("370117002003", "community", "street_a", "not_under_parent"),  # code of 里辛街道 under 艾山街道
        ("370117001002001", "grid", "community_a", "not_under_parent"),  # 金鼎's grid under 永兴
        ("370117001001000", "grid", "community_a", "segment_out_of_range"),
        ("3701170010011", "grid", "community_a", "bad_length"),
        ("370117001003", "grid", "street_a", "bad_length"),
        ("370117001003001", "grid", "street_a", "bad_parent_kind"),  # a grid hangs under a community/village
        ("37011700100A", "community", "street_a", "bad_length"),
        ("370117003001", "community", "district", "bad_parent_kind"),
    ],
)
def test_invalid_division_codes_are_refused(api, world, code, kind, parent, reason):
    """R-I3: out-of-range segments, wrong lengths and codes outside the parent are 400 org.code_invalid; nothing saved."""
    from gongzhi.org.models import Unit

    before = Unit.objects.count()
    r = _create(api, "district", code, kind, getattr(world, parent))
    assert r.status_code == 400, r.content
    body = r.json()
    assert body["code"] == "org.code_invalid"
    assert body["message"] == "区划代码与单元类型或上级不符"
    assert body["detail"] == {"field": "code", "reason": reason}
    assert Unit.objects.count() == before


def test_duplicate_code_unknown_kind_and_empty_name(api, world):
    """A code already used is 409; an unknown kind 422; an empty name 400."""
    r = _create(api, "district", "370117001001", "community", world.street_a)
    assert r.status_code == 409 and r.json()["code"] == "org.code_taken"
    r = _create(api, "district", "370117001003", "hamlet", world.street_a)
    assert r.status_code == 422 and r.json()["code"] == "validation_error"
    r = api("district").post("units", {"code": "370117001003", "name": " ", "kind": "community",
                                       "parent_id": world.street_a.pk})
    assert r.status_code == 400 and r.json()["code"] == "org.name_required"


def test_street_admin_adds_grids_but_not_streets(api, world):
    """A street admin creates inside the street; the district (above) is not even visible to them."""
    assert _create(api, "street", "370117001002001", "grid", world.community_a2).status_code == 201
    assert _create(api, "street", "370117004", "street", world.district).status_code == 404


# --- organisations and teams ---------------------------------------------------------------------------------


def test_orgs_and_teams_lists(api, world):
    """/orgs lists every kind in scope (filterable); /teams only 志愿服务队."""
    c = api("community")
    org = c.post("orgs", {"name": "永兴社区老年协会", "kind": "social_org", "unit_id": world.community_a.pk})
    assert org.status_code == 201, org.content
    assert [o["name"] for o in c.get("orgs").json()["items"]] == ["永兴社区老年协会", "永兴邻里志愿服务队"]
    assert [o["name"] for o in c.get("orgs", kind="team").json()["items"]] == ["永兴邻里志愿服务队"]
    assert [o["name"] for o in c.get("teams").json()["items"]] == ["永兴邻里志愿服务队"]
    assert c.get("orgs", q="老年").json()["count"] == 1
    assert api("community_b").get("orgs").json()["count"] == 0


def test_team_detail_lists_active_members_and_counts_them(api, world):
    """Team detail shows members with role and volunteer number; the lists count active members only."""
    team = world.team_a
    a, g = world.people["a"], world.people["a_grid"]
    profile = volunteer_apply(person=a, actor=world.user("community"), consent_confirmed=True)
    c = api("community")
    assert c.post(f"orgs/{team.pk}/members", {"person_id": a.pk, "role": "leader"}).status_code == 201
    assert c.post(f"orgs/{team.pk}/members", {"person_id": g.pk}).status_code == 201
    detail = c.get(f"orgs/{team.pk}").json()
    assert detail["kind_name"] == "志愿服务队" and detail["unit_name"] == "永兴社区"
    assert sorted((m["name"], m["role"], m["volunteer_number"]) for m in detail["members"]) == [
        ("张三丰", "leader", profile.number), ("李四", "member", None)]
    assert detail["member_count"] == 2
    assert c.get("teams").json()["items"][0]["member_count"] == 2

    assert c.delete(f"orgs/{team.pk}/members/{g.pk}").status_code == 200
    assert [m["name"] for m in c.get(f"orgs/{team.pk}").json()["members"]] == ["张三丰"]
    assert c.get("teams").json()["items"][0]["member_count"] == 1
    # leaving keeps the row; rejoining is a new membership
    assert c.post(f"orgs/{team.pk}/members", {"person_id": g.pk}).status_code == 201
    assert g.team_memberships.count() == 2


def test_org_parent_must_be_visible_and_in_scope(api, world):
    """A sub-organisation's parent must be one the caller can see (404 otherwise) and above its unit (400)."""
    parent_b = api("community_b").post("orgs", {"name": "洪沟社区联盟", "kind": "community_alliance",
                                                "unit_id": world.community_b.pk}).json()
    r = api("community").post("orgs", {"name": "子队", "kind": "team", "unit_id": world.community_a.pk,
                                       "parent_id": parent_b["id"]})
    assert r.status_code == 404
    r = api("district").post("orgs", {"name": "子队", "kind": "team", "unit_id": world.community_a.pk,
                                      "parent_id": parent_b["id"]})
    assert r.status_code == 400 and r.json()["code"] == "org.org_parent_invalid"


def test_org_name_unique_per_unit(api, world):
    """Two organisations of one unit cannot share a name (409); the same name elsewhere is fine."""
    r = api("community").post("orgs", {"name": "永兴邻里志愿服务队", "kind": "team", "unit_id": world.community_a.pk})
    assert r.status_code == 409 and r.json()["code"] == "org.org_name_taken"
    r = api("street").post("orgs", {"name": "永兴邻里志愿服务队", "kind": "team", "unit_id": world.community_a2.pk})
    assert r.status_code == 201


@pytest.mark.parametrize(
    ("field", "value"),
    [("latitude", "1000"), ("latitude", "36.1234567"), ("longitude", "-181"), ("code", "3" * 25), ("name", "名" * 101)],
)
def test_unit_fields_the_database_cannot_hold_are_422(api, world, field, value):
    """Coordinates beyond numeric(9, 6) or ±90/±180 and over-long codes/names are refused on every database."""
    from gongzhi.org.models import Unit

    before = Unit.objects.count()
    body = {"code": "370117001001002", "name": "二网格", "kind": "grid", "parent_id": world.community_a.pk,
            field: value}
    r = api("district").post("units", body)
    assert r.status_code == 422, r.content
    assert r.json()["code"] == "validation_error"
    assert Unit.objects.count() == before


def test_unit_with_coordinates(api, world):
    """Valid coordinates (钢城区 is near 36.06°N 117.80°E) are stored as given."""
    r = api("district").post("units", {"code": "370117001001002", "name": "二网格", "kind": "grid",
                                       "parent_id": world.community_a.pk, "latitude": "36.058123",
                                       "longitude": "117.811456"})
    assert r.status_code == 201, r.content
    assert (r.json()["latitude"], r.json()["longitude"]) == ("36.058123", "117.811456")


@pytest.mark.parametrize(("field", "size"), [("name", 121), ("contact_name", 51), ("contact_phone", 21),
                                             ("description", 5001)])
def test_over_long_organisation_fields_are_422_twice_and_nothing_saved(api, world, field, size):
    """Bad input is a 422, never a 500: a name cut to the column width collided with the first cut copy."""
    from gongzhi.org.models import Organisation

    c = api("community")
    body = {"name": "永兴社区老年协会", "kind": "social_org", "unit_id": world.community_a.pk, field: "长" * size}
    before = Organisation.objects.count()
    for _ in range(2):
        r = c.post("orgs", body)
        assert r.status_code == 422, r.content
        assert r.json()["code"] == "validation_error"
    assert Organisation.objects.count() == before
