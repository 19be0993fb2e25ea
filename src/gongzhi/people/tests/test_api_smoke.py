def test_me_lists_roles_with_units(api):
    """GET /me shows username, name and each role with its unit."""
    r = api("community").get("me")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["username"] == "t-community"
    assert body["roles"][0]["unit_code"] == "370117001001"


def test_community_worker_gets_404_for_other_community_person(api, world):
    """A community worker cannot see a person of another community: 404, not 403."""
    r = api("community").get(f"people/{world.people['b'].pk}")
    assert r.status_code == 404
    assert r.json()["code"] == "not_found"
    r = api("community").get(f"people/{world.people['a'].pk}")
    assert r.status_code == 200
    assert r.json()["id_number"].count("*") == 8
