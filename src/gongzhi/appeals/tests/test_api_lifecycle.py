"""The appeal lifecycle through the API: every transition, illegal ones 409, 首问负责, 重办, R-H2 refusals, merge."""

from __future__ import annotations

import pytest

from gongzhi.appeals import rules
from gongzhi.appeals.models import Appeal, AppealEvent, AppealState
from gongzhi.core import events


def _post(client, appeal_id, action, **body):
    return client.post(f"appeals/{appeal_id}/{action}", body)


def test_resident_submits_and_worker_walks_the_whole_loop(api, world, at):
    """R-H1: 受理 → 派单 → 办理 → 答复 → 评价 → 回访 → 办结, each step one AppealEvent and one state_changed."""
    seen = []
    handler = events.subscribe("appeals.state_changed", lambda **kw: seen.append((kw["from_state"], kw["to_state"])))
    try:
        r = api("resident").post("appeals", {"category": "C01", "description": "永兴路12号路灯不亮",
                                             "unit_id": world.grid_a.pk, "reporter_phone": "13812345678"})
        assert r.status_code == 201, r.content
        appeal_id = r.json()["id"]
        assert r.json()["state"] == "submitted" and r.json()["number"].startswith("SQ20300506")
        worker = api("grid")
        steps = [("accept", {}), ("dispatch", {"unit_id": world.grid_a.pk}),
                 ("start", {}), ("resolve", {"note": "已更换灯泡"}), ("inform", {"note": "已电话告知"})]
        for action, body in steps:
            r = _post(worker, appeal_id, action, **body)
            assert r.status_code == 200, (action, r.content)
        r = _post(api("resident"), appeal_id, "rate", rating=5)
        assert r.status_code == 200, r.content
        for action, body in [("visit", {"satisfied": True}), ("close", {})]:
            r = _post(worker, appeal_id, action, **body)
            assert r.status_code == 200, (action, r.content)
    finally:
        events.unsubscribe("appeals.state_changed", handler)
    assert r.json()["state"] == "closed"
    assert [e["action"] for e in r.json()["events"]] == ["submit", "accept", "dispatch", "start", "resolve", "inform",
                                                         "rate", "visit", "close"]
    assert seen[0] == ("", "submitted") and seen[-1] == ("visited", "closed") and len(seen) == 9


@pytest.mark.parametrize("state", list(AppealState.values))
def test_every_action_not_in_the_table_is_refused_with_409(api, world, make_appeal, state):
    """Rules as data: an action whose source states do not include the current one answers appeals.bad_transition."""
    appeal = make_appeal()
    Appeal.objects.filter(pk=appeal.pk).update(state=state, owner=world.user("grid"))
    other = make_appeal()
    bodies = {"dispatch": {"unit_id": world.grid_a.pk}, "rate": {"rating": 4}, "visit": {"satisfied": True},
              "reject": {"reason": "litigation"}, "merge": {"into_id": other.pk}}
    for action in rules.TRANSITIONS:
        if state in rules.TRANSITIONS[action][0]:
            continue
        r = _post(api("grid"), appeal.pk, action, **bodies.get(action, {}))
        assert r.status_code == 409, (state, action, r.content)
        assert r.json()["code"] == "appeals.bad_transition"
    assert AppealEvent.objects.filter(appeal=appeal).count() == 1  # only the submission


def test_the_acceptor_owns_it_through_dispatch(api, world, make_appeal):
    """R-H8 首问负责: whoever accepts becomes the owner; another worker may not dispatch, inform or close it."""
    appeal = make_appeal()
    r = _post(api("community"), appeal.pk, "accept")
    assert r.status_code == 200 and r.json()["owner"] == world.user("community").get_username()
    r = _post(api("grid"), appeal.pk, "dispatch", unit_id=world.grid_a.pk)
    assert r.status_code == 403 and r.json()["code"] == "appeals.not_owner"
    r = _post(api("community"), appeal.pk, "dispatch", user_id=world.user("grid").pk, team_id=world.team_a.pk)
    assert r.status_code == 200, r.content
    appeal.refresh_from_db()
    assert appeal.owner == world.user("community") and appeal.assignee_user == world.user("grid")
    # the assigned grid worker does the work, the owner answers
    assert _post(api("grid"), appeal.pk, "start").status_code == 200
    assert _post(api("grid"), appeal.pk, "resolve").status_code == 200
    assert _post(api("grid"), appeal.pk, "inform").json()["code"] == "appeals.not_owner"
    assert _post(api("community"), appeal.pk, "inform").status_code == 200


def test_dispatch_needs_a_target_inside_the_workers_area(api, world, make_appeal):
    """A grid worker may not send an order to a team outside their grid; an empty dispatch is refused."""
    appeal = make_appeal()
    _post(api("grid"), appeal.pk, "accept")
    r = _post(api("grid"), appeal.pk, "dispatch")
    assert r.status_code == 400 and r.json()["code"] == "appeals.dispatch_target"
    r = _post(api("grid"), appeal.pk, "dispatch", team_id=world.team_a.pk)
    assert r.status_code == 400 and r.json()["code"] == "appeals.dispatch_target"
    assert Appeal.objects.get(pk=appeal.pk).state == "accepted"


def _to_rated(api, appeal, rating):
    w = api("community")
    for action, body in [("accept", {}), ("dispatch", {"unit_id": appeal.unit_id}), ("start", {}), ("resolve", {}),
                         ("inform", {}), ("rate", {"rating": rating})]:
        r = _post(w, appeal.pk, action, **body)
        assert r.status_code == 200, (action, r.content)


def test_low_rating_means_reopen_not_close(api, world, make_appeal):
    """R-H5: rating ≤ 2 → 重办 back to the owner with a fresh reply limit; closing is refused."""
    appeal = make_appeal()
    _to_rated(api, appeal, 2)
    assert _post(api("community"), appeal.pk, "visit", satisfied=True).status_code == 200
    r = _post(api("community"), appeal.pk, "close")
    assert r.status_code == 409 and r.json()["code"] == "appeals.close_unsatisfied"
    r = _post(api("community"), appeal.pk, "reopen", note="居民反映路灯仍不亮")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["state"] == "accepted" and body["reopen_count"] == 1 and body["rating"] is None
    assert body["owner"] == world.user("community").get_username()


def test_satisfied_appeal_cannot_be_reopened(api, world, make_appeal):
    appeal = make_appeal()
    _to_rated(api, appeal, 4)
    r = _post(api("community"), appeal.pk, "reopen")
    assert r.status_code == 409 and r.json()["code"] == "appeals.reopen_not_due"


def test_unsatisfied_return_visit_reopens(api, world, make_appeal):
    """R-H5: an unsatisfied 回访 leads to 重办 too."""
    appeal = make_appeal()
    _to_rated(api, appeal, 4)
    assert _post(api("community"), appeal.pk, "visit", satisfied=False).status_code == 200
    assert _post(api("community"), appeal.pk, "reopen").json()["state"] == "accepted"


@pytest.mark.parametrize("rating", [0, 6])
def test_rating_out_of_range_is_refused(api, world, make_appeal, rating):
    appeal = make_appeal()
    _to_rated(api, appeal, 3)
    other = make_appeal()
    Appeal.objects.filter(pk=other.pk).update(state="informed")
    r = _post(api("community"), other.pk, "rate", rating=rating)
    assert r.status_code == 400 and r.json()["code"] == "appeals.rating_invalid"
    assert Appeal.objects.get(pk=other.pk).state == "informed"


def test_reject_needs_an_r_h2_reason(api, world, make_appeal):
    """R-H2: not accepted only for litigation, arbitration, review, 信访, secrets/privacy or already concluded."""
    appeal = make_appeal()
    r = _post(api("grid"), appeal.pk, "reject", reason="不想办")
    assert r.status_code == 400 and r.json()["code"] == "appeals.reject_reason"
    assert Appeal.objects.get(pk=appeal.pk).state == "submitted"
    r = _post(api("grid"), appeal.pk, "reject", reason="litigation", note="已起诉至法院")
    assert r.status_code == 200 and r.json()["state"] == "rejected" and r.json()["reject_reason"] == "litigation"


def test_duplicate_is_merged_into_the_kept_one(api, world, make_appeal):
    kept, dup = make_appeal(), make_appeal()
    r = _post(api("grid"), dup.pk, "merge", into_id=kept.pk)
    assert r.status_code == 200 and r.json()["merged_into"] == kept.number
    assert _post(api("grid"), kept.pk, "merge", into_id=dup.pk).json()["code"] == "appeals.merge_target"
    assert _post(api("grid"), kept.pk, "merge", into_id=kept.pk).json()["code"] == "appeals.merge_target"


def test_accepting_a_photo_report_announces_it_for_points(api, world, make_appeal):
    """The points hook: appeals.report_accepted for a 随手拍 only (this app never imports points)."""
    got = []
    handler = events.subscribe("appeals.report_accepted", lambda **kw: got.append(kw["appeal"].pk))
    try:
        photo, walk_in = make_appeal(), make_appeal(channel="walk_in")
        _post(api("grid"), photo.pk, "accept")
        _post(api("grid"), walk_in.pk, "accept")
    finally:
        events.unsubscribe("appeals.report_accepted", handler)
    assert got == [photo.pk]


@pytest.mark.parametrize("body, code", [
    ({"category": "NOPE", "description": "x"}, "appeals.category_unknown"),
    ({"category": "C", "description": "x"}, "appeals.category_unknown"),
    ({"category": "C01", "description": "  "}, "appeals.description_empty"),
    ({"category": "C01", "description": "x", "channel": "fax"}, "appeals.channel_unknown"),
    ({"category": "C01", "description": "x", "urgency": "soon"}, "appeals.urgency_unknown"),
    ({"category": "C01", "description": "x", "unit_id": None}, "appeals.unit_missing"),
    ({"category": "C01", "description": "x", "unit_id": 999999}, "appeals.unit_missing"),
])
def test_bad_intake_is_refused_and_nothing_saved(api, world, body, code):
    body = {"unit_id": world.grid_a.pk, **body}
    r = api("resident").post("appeals", body)
    assert r.status_code == 400 and r.json()["code"] == code, r.content
    assert not Appeal.objects.exists() and not AppealEvent.objects.exists()


def test_location_resolves_to_the_nearest_grid_of_the_community(api, world):
    from gongzhi.org.divisions import UnitKind
    from gongzhi.org.services import unit_create
    world.grid_a.latitude, world.grid_a.longitude = "36.060000", "117.810000"
    world.grid_a.save()
    far = unit_create(code="370117001001002", name="永兴社区第二网格", kind=UnitKind.GRID, parent=world.community_a)
    far.latitude, far.longitude = "36.090000", "117.850000"
    far.save()
    r = api("resident").post("appeals", {"category": "S01", "description": "水管漏水", "unit_id": world.community_a.pk,
                                         "latitude": "36.088", "longitude": "117.849"})
    assert r.status_code == 201 and r.json()["unit"] == "永兴社区第二网格"
    r = api("resident").post("appeals", {"category": "S01", "description": "水管漏水", "unit_id": world.community_a.pk})
    assert r.json()["unit"] == "永兴社区"


def test_anonymous_callers_get_401(api, world):
    assert api(None).post("appeals", {"category": "C01", "description": "x"}).status_code == 401
