"""People search through the API: name, full pinyin, pinyin initials, phone tail and full phone; always scoped."""

from __future__ import annotations

import pytest

from gongzhi.core.testing.world import make_person
from gongzhi.people.services import volunteer_apply


@pytest.fixture
def namesakes(world):
    """Another 张三丰 (same name, same phone tail) in 洪沟社区, the other street, and a 张三 in 永兴社区."""
    other = make_person(world, "张三丰", world.community_b, seq=71, phone="13955555678")
    zhangsan = make_person(world, "张三", world.community_a, seq=73, phone="13600009999")
    return other, zhangsan


def _ids(r) -> set[int]:
    assert r.status_code == 200, r.content
    return {i["id"] for i in r.json()["items"]}


@pytest.mark.parametrize("q", ["zsf", "ZSF", "zhangsanfeng", "zhang san feng", "sanfeng", "张三丰", "三丰"])
def test_finds_zhang_sanfeng_by_name_pinyin_and_initials(api, world, namesakes, q):
    """"zsf", the full pinyin, part of it and the characters all find 张三丰 — only the one in the worker's unit."""
    assert _ids(api("community").get("people", q=q)) == {world.people["a"].pk}


def test_prefix_of_the_pinyin_finds_everyone_it_starts(api, world, namesakes):
    """"zhangsan" and "张三" find both 张三 and 张三丰 of 永兴社区, never the 张三丰 of 洪沟社区."""
    _, zhangsan = namesakes
    expected = {world.people["a"].pk, zhangsan.pk}
    assert _ids(api("community").get("people", q="zhangsan")) == expected
    assert _ids(api("community").get("people", q="张三")) == expected


@pytest.mark.parametrize("q", ["5678", "13812345678", "138 1234 5678", "+86 138 1234 5678", "138-1234-5678"])
def test_finds_by_phone_tail_and_full_phone(api, world, namesakes, q):
    """The last four digits or the whole number (however typed) find him; the namesake with the same tail in the
    other street never appears."""
    assert _ids(api("community").get("people", q=q)) == {world.people["a"].pk}


def test_full_phone_must_match_exactly(api, world):
    """A full number differing in the middle digits finds nobody (the digest is exact)."""
    assert _ids(api("community").get("people", q="13800005678")) == set()


def test_other_street_sees_its_own_namesake_only(api, world, namesakes):
    """The same searches from 洪沟社区 find only their 张三丰."""
    other, _ = namesakes
    for q in ("zsf", "张三丰", "5678"):
        assert _ids(api("community_b").get("people", q=q)) == {other.pk}


def test_district_sees_both_namesakes(api, world, namesakes):
    """The district admin's scope covers both streets."""
    other, _ = namesakes
    assert _ids(api("district").get("people", q="zsf")) == {world.people["a"].pk, other.pk}


def test_search_wildcards_are_literal(api, world):
    """'%' and '_' are ordinary characters, not SQL wildcards that would list everyone."""
    for q in ("%", "_", "%%", "张%"):
        assert _ids(api("district").get("people", q=q)) == set()


def test_search_combines_with_unit_and_tag_filters(api, world, namesakes):
    """q narrows within ?unit= (a subtree) and ?tag=."""
    _, zhangsan = namesakes
    c = api("street")
    assert _ids(c.get("people", q="zhangsan", unit=world.grid_a.path)) == set()
    assert _ids(c.get("people", q="li", unit=world.grid_a.path)) == {world.people["a_grid"].pk}
    tagged = make_person(world, "张三娃", world.community_a, seq=75, tags=["party_member"])
    assert _ids(c.get("people", q="zs", tag="party_member")) == {tagged.pk}


def test_volunteer_search_by_pinyin_and_number(api, world, namesakes):
    """The volunteer list searches the same way, plus the volunteer number; scoped like people."""
    other, _ = namesakes
    mine = volunteer_apply(person=world.people["a"], actor=world.user("community"), consent_confirmed=True)
    theirs = volunteer_apply(person=other, actor=world.user("community_b"), consent_confirmed=True)
    c = api("community")
    assert {v["id"] for v in c.get("volunteers", q="zsf").json()["items"]} == {mine.pk}
    assert {v["id"] for v in c.get("volunteers", q=mine.number.lower()).json()["items"]} == {mine.pk}
    assert c.get("volunteers", q=theirs.number).json()["count"] == 0


@pytest.mark.parametrize("role", ["mediator", "socialworker"])
def test_full_id_or_phone_search_needs_the_reveal_right(api, world, role):
    """R-P3: a hit on a full ID number or phone confirms what the list masks (the ID number's 8 hidden digits are a
    birth date, a few hundred guesses from the birth year); roles that may not reveal find by name and tail only."""
    a = world.people["a"]
    c = api(role)
    for q in (a.id_number_clear(), a.phone_clear(), "+86 138-1234-5678"):
        assert _ids(c.get("people", q=q)) == set()
    assert _ids(c.get("people", q="zsf")) == {a.pk}
    assert a.pk in _ids(c.get("people", q=a.phone_clear()[-4:]))
    assert _ids(api("community").get("people", q=a.id_number_clear())) == {a.pk}  # R-P3: reveal right, found


def test_team_leader_cannot_confirm_a_volunteers_phone_by_search(api, world):
    """R-P3, R-V11: the volunteer search answers a full phone number only to roles that may reveal it."""
    a = world.people["a"]
    mine = volunteer_apply(person=a, actor=world.user("community"), consent_confirmed=True)
    assert api("teamleader").get("volunteers", q=a.phone_clear()).json()["count"] == 0
    assert {v["id"] for v in api("teamleader").get("volunteers", q="zsf").json()["items"]} == {mine.pk}
    assert {v["id"] for v in api("community").get("volunteers", q=a.phone_clear()).json()["items"]} == {mine.pk}
