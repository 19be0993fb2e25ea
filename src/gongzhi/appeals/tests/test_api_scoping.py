"""Scoping (a grid worker sees their grid, a street admin their street, other units 404) and R-H7 masking."""

from __future__ import annotations

from gongzhi.privacy.models import AccessLog

from .conftest import submit


def test_grid_worker_sees_their_grid_and_street_admin_their_street(api, world, at):
    in_grid = submit(world, unit=world.grid_a)
    in_community = submit(world, unit=world.community_a2)
    other_street = submit(world, unit=world.community_b)
    listed = {role: {x["id"] for x in api(role).get("appeals").json()["items"]} for role in ("grid", "street")}
    assert listed["grid"] == {in_grid.pk}
    assert listed["street"] == {in_grid.pk, in_community.pk}
    assert api("grid").get(f"appeals/{in_community.pk}").status_code == 404
    assert api("street").get(f"appeals/{other_street.pk}").status_code == 404
    assert api("street_b").get(f"appeals/{other_street.pk}").status_code == 200
    assert api("volunteer").get("appeals").status_code == 403


def test_list_filters(api, world, at):
    a = submit(world, category="S01", channel="walk_in")
    b = submit(world, category="C01")
    client = api("community")
    assert {x["id"] for x in client.get("appeals", category="S").json()["items"]} == {a.pk}
    assert {x["id"] for x in client.get("appeals", channel="photo_report").json()["items"]} == {b.pk}
    client.post(f"appeals/{a.pk}/accept")
    assert {x["id"] for x in client.get("appeals", state="accepted").json()["items"]} == {a.pk}


def test_complainant_data_is_masked_for_those_who_cannot_handle_it(api, world, at):
    """R-H7: never pass a complainant's data on; only handlers may reveal it, and that read is logged (R-P3)."""
    appeal = submit(world, name="王秀英", phone="13812345678")
    body = api("observer").get(f"appeals/{appeal.pk}", reveal="true").json()
    assert body["reporter_name"] == "王*英" and body["reporter_phone"] == "138****5678" and body["reporter_masked"]
    assert not AccessLog.objects.exists()
    body = api("grid").get(f"appeals/{appeal.pk}").json()
    assert body["reporter_phone"] == "138****5678"
    body = api("grid").get(f"appeals/{appeal.pk}", reveal="true").json()
    assert body["reporter_name"] == "王秀英" and body["reporter_phone"] == "13812345678"
    log = AccessLog.objects.get()
    assert log.subject_type == "appeals.appeal" and log.actor == world.user("grid") and log.fields == ["name", "phone"]


def test_the_stored_contact_is_encrypted(world, at):
    appeal = submit(world, phone="13812345678")
    assert "13812345678" not in appeal.reporter_phone_enc and appeal.reporter_phone_enc.startswith("v1:")


def test_reporter_sees_their_own_appeals_and_may_rate_them(api, world, at):
    mine = submit(world)
    submit(world, actor=world.user("volunteer"))
    body = api("resident").get("me/appeals").json()
    assert [x["id"] for x in body["items"]] == [mine.pk]
    assert api("resident").get(f"appeals/{mine.pk}").status_code == 403  # no appeals.view: the list above is theirs
