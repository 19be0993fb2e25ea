"""Masking and the access log through the API (R-P3 mask in display and log every unmasked view; R-P4 the log)."""

from __future__ import annotations

import json

import pytest

from gongzhi.core.testing.world import make_person
from gongzhi.people.services import volunteer_apply
from gongzhi.privacy.models import AccessLog

PEOPLE_READERS = ["district", "street", "street_b", "community", "community_b", "grid", "socialworker",
                  "socialworker2", "mediator"]


def _clear_values(world) -> list[str]:
    out = []
    for p in world.people.values():
        out += [v for v in (p.id_number_clear(), p.phone_clear(), p.address_clear()) if v]
    return out


def _texts(r) -> tuple[str, str]:
    """The raw response and the same JSON with non-ASCII unescaped (addresses are Chinese)."""
    return r.content.decode(), json.dumps(r.json(), ensure_ascii=False)


def _assert_no_clear_value(r, world):
    for text in _texts(r):
        for value in _clear_values(world):
            assert value not in text


@pytest.mark.parametrize("role", PEOPLE_READERS)
def test_person_list_never_contains_clear_personal_data(api, world, role):
    """R-P3: whatever the role (even one allowed to reveal), lists show masked ID numbers, phones, no addresses."""
    r = api(role).get("people")
    assert r.status_code == 200
    assert r.json()["count"] >= 1
    _assert_no_clear_value(r, world)
    for item in r.json()["items"]:
        assert "*" in item["id_number"]
        assert item["phone"] == "" or "****" in item["phone"]


def test_search_results_are_masked_too(api, world):
    """Finding someone by full phone or ID number does not echo the clear value back (R-P3)."""
    a = world.people["a"]
    for q in (a.phone_clear(), a.id_number_clear()):
        r = api("community").get("people", q=q)
        assert [i["id"] for i in r.json()["items"]] == [a.pk]
        _assert_no_clear_value(r, world)


def test_volunteer_and_team_views_carry_no_id_number(api, world):
    """Volunteer lists and details and team member lists show the volunteer number, never the ID number (R-V3)."""
    a = world.people["a"]
    profile = volunteer_apply(person=a, actor=world.user("community"), consent_confirmed=True)
    api("community").post(f"orgs/{world.team_a.pk}/members", {"person_id": a.pk})
    for path in ("volunteers", f"volunteers/{profile.pk}", f"orgs/{world.team_a.pk}"):
        r = api("community").get(path)
        assert r.status_code == 200
        _assert_no_clear_value(r, world)
        assert profile.number in r.content.decode()


def test_detail_is_masked_by_default_and_not_logged(api, world):
    """GET /people/{id} shows masked values and writes no access-log row."""
    a = world.people["a"]
    r = api("community").get(f"people/{a.pk}")
    body = r.json()
    assert body["revealed"] is False and body["can_reveal"] is True
    assert body["id_number"] == a.id_number_clear()[:6] + "********" + a.id_number_clear()[-4:]
    assert body["phone"] == "138****5678"
    assert body["address"].endswith("****") and "101" not in body["address"]
    _assert_no_clear_value(r, world)
    assert AccessLog.objects.count() == 0


def test_reveal_shows_clear_values_and_logs_exactly_one_row(api, world):
    """?reveal=true by a permitted role returns clear values and writes one AccessLog row (actor, fields, api)."""
    a = world.people["a"]
    r = api("community").get(f"people/{a.pk}", reveal="true", purpose="入户走访核对")
    assert r.status_code == 200
    body = r.json()
    assert body["revealed"] is True
    assert (body["id_number"], body["phone"], body["address"]) == (a.id_number_clear(), "13812345678",
                                                                   "钢城区永兴路8号3号楼2单元101")
    log = AccessLog.objects.get()
    assert log.actor == world.user("community")
    assert (log.subject_type, log.subject_id, log.subject_label) == ("people.person", a.pk, "张三丰")
    assert log.fields == ["address", "id_number", "phone"]
    assert log.channel == "api"
    assert log.unit_path == world.community_a.path
    assert log.purpose == "入户走访核对"
    assert log.ip_address == "127.0.0.1"


def test_each_reveal_is_logged_again(api, world):
    """Two reveals are two rows: the log counts views, not people."""
    a = world.people["a"]
    api("street").get(f"people/{a.pk}", reveal="true")
    api("street").get(f"people/{a.pk}", reveal="true")
    assert AccessLog.objects.filter(actor=world.user("street"), subject_id=a.pk).count() == 2


@pytest.mark.parametrize("role", ["socialworker", "socialworker2", "mediator"])
def test_roles_without_reveal_get_403_and_nothing_is_logged(api, world, role):
    """Roles that may view but not reveal (社工, 调解员) get 403 on ?reveal=true; no clear value, no log row."""
    a = world.people["a"]
    r = api(role).get(f"people/{a.pk}", reveal="true")
    assert r.status_code == 403
    assert r.json()["detail"] == {"permission": "people.reveal"}
    _assert_no_clear_value(r, world)
    assert AccessLog.objects.count() == 0
    assert api(role).get(f"people/{a.pk}").json()["can_reveal"] is False


def test_reveal_outside_scope_is_404_and_not_logged(api, world):
    """A grid worker may reveal in the grid only; the community's other people are simply not found."""
    r = api("grid").get(f"people/{world.people['a'].pk}", reveal="true")
    assert r.status_code == 404
    r = api("grid").get(f"people/{world.people['a_grid'].pk}", reveal="true")
    assert r.status_code == 200 and r.json()["phone"] == "13912340001"
    assert list(AccessLog.objects.values_list("subject_id", flat=True)) == [world.people["a_grid"].pk]


def test_sensitive_tags_are_hidden_unless_revealed(api, world):
    """R-P2: 残疾人 is a sensitive tag: hidden (only counted) in lists and details, shown and logged on reveal."""
    b = world.people["b"]
    client = api("community_b")
    listing = client.get("people")
    item = next(i for i in listing.json()["items"] if i["id"] == b.pk)
    assert item["tags"] == [] and item["hidden_tags"] == 1
    assert "残疾人" not in _texts(listing)[1]

    masked = client.get(f"people/{b.pk}").json()
    assert masked["tags"] == [] and masked["hidden_tags"] == 1

    revealed = client.get(f"people/{b.pk}", reveal="true").json()
    assert [t["name"] for t in revealed["tags"]] == ["残疾人"]
    assert revealed["hidden_tags"] == 0
    assert "sensitive_tags" in AccessLog.objects.get().fields


def test_non_sensitive_tags_show_without_reveal(api, world):
    """Ordinary tags such as 党员 are shown in lists and details without revealing."""
    p = make_person(world, "钱多", world.community_a, seq=41, tags=["party_member", "disabled"])
    item = next(i for i in api("socialworker").get("people").json()["items"] if i["id"] == p.pk)
    assert item["tags"] == ["党员"] and item["hidden_tags"] == 1


def test_filtering_by_a_sensitive_tag_needs_the_reveal_right(api, world):
    """R-P3: ?tag=disabled would disclose the tag, so it only finds people where the actor may reveal."""
    p = make_person(world, "钱多", world.community_a, seq=41, tags=["disabled"])
    assert [i["id"] for i in api("community").get("people", tag="disabled").json()["items"]] == [p.pk]
    assert api("socialworker").get("people", tag="disabled").json()["count"] == 0
    assert api("mediator").get("people", tag="disabled").json()["count"] == 0
    # ordinary tags filter for everyone who may list
    make_person(world, "钱少", world.community_a, seq=43, tags=["party_member"])
    assert api("socialworker").get("people", tag="party_member").json()["count"] == 1


def test_resident_reading_own_record_is_not_logged(api, world):
    """A resident sees their own full record (ID, phone) and that is not an access to someone else's data."""
    me = world.people["resident"]
    r = api("resident").get(f"people/{me.pk}", reveal="true")
    assert r.status_code == 200
    assert r.json()["id_number"] == me.id_number_clear()
    assert r.json()["phone"] == "13600002222"
    assert AccessLog.objects.count() == 0
    assert api("resident").get(f"people/{world.people['a'].pk}").status_code == 403


def test_access_log_is_visible_to_admins_of_the_subjects_unit(api, world):
    """GET /access-log shows a reveal to the district and street admins of that unit; 403 for a community worker."""
    a = world.people["a"]
    api("community").get(f"people/{a.pk}", reveal="true")
    for role in ("district", "street"):
        r = api(role).get("access-log")
        assert r.status_code == 200
        [entry] = r.json()["items"]
        assert entry["subject_id"] == a.pk
        assert entry["actor"] == "community"
        assert entry["fields"] == ["address", "id_number", "phone"]
        assert entry["channel"] == "api"
    assert api("street_b").get("access-log").json()["count"] == 0
    r = api("community").get("access-log")
    assert r.status_code == 403
    assert r.json()["code"] == "forbidden"


def test_access_log_filters_by_subject(api, world):
    """The log can be narrowed to one person."""
    a, g = world.people["a"], world.people["a_grid"]
    api("community").get(f"people/{a.pk}", reveal="true")
    api("community").get(f"people/{g.pk}", reveal="true")
    r = api("district").get("access-log", subject_type="people.person", subject_id=g.pk)
    assert [e["subject_id"] for e in r.json()["items"]] == [g.pk]


def test_writes_answer_masked(api, world):
    """Creating or updating a person answers with masked values: writing is not a reveal."""
    body = {"name": "新来的", "unit_id": world.community_a.pk, "id_number": "11010519491231002X",
            "phone": "13511112222", "address": "钢城区金水河路1号2单元302"}
    r = api("community").post("people", body)
    assert r.status_code == 201
    created = r.json()
    assert "11010519491231002X" not in r.content.decode() and "13511112222" not in r.content.decode()
    assert created["revealed"] is False
    r = api("community").put(f"people/{created['id']}", {**body, "phone": "13511113333"})
    assert r.status_code == 200 and "13511113333" not in r.content.decode()
    assert AccessLog.objects.count() == 0


@pytest.mark.parametrize("role", ["mediator", "socialworker", "community"])
def test_masked_detail_hides_the_birth_date_that_completes_the_id_number(api, world, role):
    """R-P3: the masked ID number hides exactly the birth date, so a masked detail gives the birth year only."""
    a = world.people["a"]
    body = api(role).get(f"people/{a.pk}").json()
    assert body["revealed"] is False
    assert body["birth_date"] is None and body["birth_year"] == 1980
    assert "05-17" not in json.dumps(body) and "0517" not in json.dumps(body)  # masked ID + birth date = clear ID
    assert AccessLog.objects.count() == 0


def test_revealed_detail_gives_the_full_birth_date(api, world):
    """R-P3: the full birth date comes with the full ID number, on a logged reveal."""
    a = world.people["a"]
    body = api("community").get(f"people/{a.pk}", reveal="true", purpose="核实身份").json()
    assert body["birth_date"] == "1980-05-17" and body["birth_year"] == 1980
    assert AccessLog.objects.filter(subject_id=a.pk).count() == 1
