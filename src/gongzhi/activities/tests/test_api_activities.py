"""Activities through the API: create, edit rules, transitions (409 when illegal), R-V10 insurance, cancellation."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from gongzhi.activities.models import (
    Activity,
    ActivityEvent,
    ActivityStatus,
    Category,
    InsurancePolicy,
    Signup,
)
from gongzhi.core import events
from gongzhi.notifications.models import Notification

from .conftest import START


def _body(world, **overrides):
    body = {"title": "永兴社区环境清扫", "category": "environment", "unit_id": world.community_a.pk,
            "starts_at": START.isoformat(), "ends_at": (START + dt.timedelta(hours=3)).isoformat(), "capacity": 10,
            "address": "永兴路文化广场", "latitude": "36.062000", "longitude": "117.815000"}
    body.update(overrides)
    return body


def test_worker_creates_a_draft_and_publishes_it(api, world):
    """A community worker creates a draft; publishing writes an ActivityEvent and announces the change."""
    client = api("community")
    seen = []
    handler = events.subscribe("activities.status_changed", lambda **kw: seen.append(kw))
    try:
        r = client.post("activities", _body(world))
        assert r.status_code == 201, r.content
        body = r.json()
        assert body["status"] == "draft" and body["can_manage"] is True
        r = client.post(f"activities/{body['id']}/publish")
        assert r.status_code == 200, r.content
        assert r.json()["status"] == "published"
    finally:
        events.unsubscribe("activities.status_changed", handler)
    assert [(e["from_status"], e["to_status"]) for e in seen] == [("draft", "published")]
    assert list(ActivityEvent.objects.filter(activity_id=body["id"]).values_list("to_status", flat=True)) == [
        "draft", "published"]


def test_full_lifecycle_and_illegal_transitions_answer_409(api, world):
    """draft → published → ongoing → finished; any other step is a 409 with code activities.bad_transition."""
    client = api("community")
    pk = client.post("activities", _body(world)).json()["id"]
    for action in ("start", "finish"):
        r = client.post(f"activities/{pk}/{action}")
        assert r.status_code == 409 and r.json()["code"] == "activities.bad_transition"
    for action, status in (("publish", "published"), ("start", "ongoing"), ("finish", "finished")):
        r = client.post(f"activities/{pk}/{action}")
        assert r.status_code == 200 and r.json()["status"] == status
    for action in ("publish", "start", "finish"):
        assert client.post(f"activities/{pk}/{action}").status_code == 409
    r = client.post(f"activities/{pk}/cancel", {"reason": "下雨"})
    assert r.status_code == 409 and r.json()["code"] == "activities.bad_transition"
    assert Activity.objects.get(pk=pk).status == ActivityStatus.FINISHED


def test_bad_input_is_refused_and_nothing_saved(api, world):
    """Times reversed, zero capacity, coordinates out of range, unknown category or audience: 4xx, no row."""
    client = api("community")
    cases = [
        ({"ends_at": START.isoformat()}, 400, "activities.window_invalid"),
        ({"capacity": 0}, 422, "validation_error"),
        ({"latitude": "91"}, 422, "validation_error"),
        ({"longitude": "-181"}, 422, "validation_error"),
        ({"category": "nope"}, 400, "activities.category_unknown"),
        ({"audience": "everyone"}, 400, "activities.audience_invalid"),
        ({"title": "   "}, 400, "activities.title_invalid"),
        ({"audience": "team"}, 400, "activities.team_audience_needs_team"),
    ]
    for overrides, status, code in cases:
        r = client.post("activities", _body(world, **overrides))
        assert r.status_code == status, (overrides, r.content)
        assert r.json()["code"] == code
        assert r.json()["message"]
    assert not Activity.objects.exists()


def test_absurd_or_naive_times_are_refused_not_a_500(api, world):
    """Year 1 or 9999 would overflow in UTC; a time without offset no longer crashes the comparison; no row."""
    client = api("community")
    for overrides in ({"starts_at": "0001-01-01"}, {"ends_at": "0001-01-01"},
                      {"starts_at": "0001-01-01T00:00:00+08:00"}, {"ends_at": "9999-12-31T23:59:59-10:00"}):
        r = client.post("activities", _body(world, **overrides))
        assert r.status_code == 400, (overrides, r.content)
        assert r.json()["code"] == "activities.time_out_of_range" and r.json()["message"]
    assert not Activity.objects.exists()


def test_a_time_without_offset_is_local_time(api, world):
    naive = timezone.localtime(START).replace(tzinfo=None)
    r = api("community").post("activities", _body(world, starts_at=naive.isoformat()))
    assert r.status_code == 201, r.content
    assert Activity.objects.get().starts_at == START


def test_unit_outside_scope_is_not_found_and_no_manage_right_is_forbidden(api, world):
    """Another street's unit is 404; a grid worker (view only) may not create activities (403)."""
    r = api("community").post("activities", _body(world, unit_id=world.community_b.pk))
    assert r.status_code == 404
    r = api("grid").post("activities", _body(world, unit_id=world.grid_a.pk))
    assert r.status_code == 403
    assert not Activity.objects.exists()


def test_team_leader_organises_only_for_teams_they_lead(api, world):
    """A 队长 may create activities for the team they lead, not standalone ones nor other teams'."""
    from gongzhi.core.testing.world import make_person
    from gongzhi.people.models import TeamMembership, TeamRole

    leader = make_person(world, "钱队长", world.community_a, seq=41)
    leader.user = world.user("teamleader")
    leader.save(update_fields=["user"])
    client = api("teamleader")
    r = client.post("activities", _body(world))
    assert r.status_code == 403
    TeamMembership.objects.create(team=world.team_a, person=leader, role=TeamRole.LEADER, joined_on=dt.date(2025, 1, 1))
    r = client.post("activities", _body(world, organiser_id=world.team_a.pk, audience="team"))
    assert r.status_code == 201, r.content
    assert Activity.objects.get().organiser == world.team_a


def test_published_activity_allows_only_description_address_and_more_places(api, world, make_activity):
    """After publishing: the title and times are locked (409), capacity may only grow."""
    activity = make_activity()
    client = api("community")
    r = client.patch(f"activities/{activity.pk}", {"title": "新名称"})
    assert r.status_code == 409 and r.json()["code"] == "activities.published_locked"
    r = client.patch(f"activities/{activity.pk}", {"capacity": 5})
    assert r.status_code == 409 and r.json()["code"] == "activities.capacity_decrease"
    r = client.patch(f"activities/{activity.pk}", {"description": "带好手套", "address": "永兴路8号", "capacity": 12})
    assert r.status_code == 200, r.content
    activity.refresh_from_db()
    assert (activity.title, activity.description, activity.address, activity.capacity) == (
        "永兴社区环境清扫", "带好手套", "永兴路8号", 12)


def test_draft_may_change_anything(api, world, make_activity):
    activity = make_activity(publish=False)
    r = api("community").patch(f"activities/{activity.pk}", {"title": "金鼎路清扫", "capacity": 3,
                                                              "category": "lei_feng"})
    assert r.status_code == 200, r.content
    assert r.json()["title"] == "金鼎路清扫" and r.json()["capacity"] == 3 and r.json()["category"] == "lei_feng"


def test_dangerous_activity_needs_insurance_before_publishing(api, world, make_activity):  # R-V10
    """抢险救灾 is dangerous: publishing without a covering policy is 409; with one it publishes."""
    activity = make_activity(publish=False, category=Category.objects.get(code="emergency_rescue"))
    client = api("community")
    r = client.post(f"activities/{activity.pk}/publish")
    assert r.status_code == 409 and r.json()["code"] == "activities.insurance_required"
    # a policy of another period does not cover it
    r = client.post("activities/insurance-policies", {
        "unit_id": world.community_a.pk, "insurer": "中国人寿", "policy_number": "P-2029-1",
        "starts_on": "2029-01-01", "ends_on": "2029-12-31"})
    assert r.status_code == 201, r.content
    assert client.post(f"activities/{activity.pk}/publish").status_code == 409
    r = api("district").post("activities/insurance-policies", {
        "unit_id": world.district.pk, "insurer": "中国人寿", "policy_number": "P-2030-1",
        "starts_on": "2030-01-01", "ends_on": "2030-12-31"})
    assert r.status_code == 201
    r = client.post(f"activities/{activity.pk}/publish")
    assert r.status_code == 200 and r.json()["status"] == "published"


def test_policy_bad_dates_and_duplicates_are_refused(api, world):
    client = api("community")
    body = {"unit_id": world.community_a.pk, "insurer": "人保", "policy_number": "X1", "starts_on": "2030-02-01",
            "ends_on": "2030-01-01"}
    r = client.post("activities/insurance-policies", body)
    assert r.status_code == 400 and r.json()["code"] == "activities.policy_dates_invalid"
    body["ends_on"] = "2030-03-01"
    assert client.post("activities/insurance-policies", body).status_code == 201
    r = client.post("activities/insurance-policies", body)
    assert r.status_code == 409 and r.json()["code"] == "activities.policy_duplicate"
    assert InsurancePolicy.objects.count() == 1


def test_cancel_needs_a_reason_and_tells_every_signed_up_volunteer(api, world, make_activity, new_login):
    """Cancelling cancels every live sign-up and sends activity_cancelled to volunteers with a login."""
    activity = make_activity(capacity=1)
    first, p1 = new_login("志愿甲")
    second, p2 = new_login("志愿乙")
    assert first.post(f"activities/{activity.pk}/signups").json()["status"] == "confirmed"
    assert second.post(f"activities/{activity.pk}/signups").json()["status"] == "waitlisted"
    client = api("community")
    r = client.post(f"activities/{activity.pk}/cancel", {"reason": "  "})
    assert r.status_code == 400 and r.json()["code"] == "activities.reason_required"
    r = client.post(f"activities/{activity.pk}/cancel", {"reason": "暴雨预警"})
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert r.json()["confirmed_count"] == 0 and r.json()["waitlist_count"] == 0
    assert set(Signup.objects.filter(activity=activity).values_list("status", flat=True)) == {"cancelled"}
    notes = Notification.objects.filter(kind="activity_cancelled")
    assert {n.user_id for n in notes} == {p1.person.user_id, p2.person.user_id}
    assert all("暴雨预警" in n.body for n in notes)


def test_categories_and_projects(api, world):
    client = api("community")
    cats = client.get("activities/categories").json()
    assert {"code": "emergency_rescue", "name": "抢险救灾", "dangerous": True} in cats
    r = client.post("activities/projects", {"name": "天更蓝水更清", "unit_id": world.community_a.pk,
                                            "category": "environment", "starts_on": "2025-03-01"})
    assert r.status_code == 201, r.content
    r = client.post("activities/projects", {"name": "天更蓝水更清", "unit_id": world.community_a.pk,
                                            "category": "environment", "starts_on": "2025-03-01"})
    assert r.status_code == 409
    r = client.post("activities/projects", {"name": "钢城无孤", "unit_id": world.community_a.pk,
                                            "category": "child_care", "starts_on": "2025-03-01",
                                            "ends_on": "2025-01-01"})
    assert r.status_code == 400 and r.json()["code"] == "activities.project_dates_invalid"
    assert [p["name"] for p in client.get("activities/projects").json()] == ["天更蓝水更清"]
    assert api("community_b").get("activities/projects").json() == []


def test_street_admin_lists_only_their_street_and_filters(api, world, make_activity):
    """A street admin sees drafts and published activities of their street only; other streets' are 404."""
    mine = make_activity(title="永兴", publish=False)
    sibling = make_activity(title="金鼎", unit=world.community_a2, actor=world.user("street"))
    other = make_activity(title="洪沟", unit=world.community_b, actor=world.user("community_b"))
    client = api("street")
    assert {a["id"] for a in client.get("activities").json()["items"]} == {mine.pk, sibling.pk}
    assert [a["id"] for a in client.get("activities", status="draft").json()["items"]] == [mine.pk]
    assert [a["id"] for a in client.get("activities", unit=world.community_a2.path).json()["items"]] == [sibling.pk]
    assert [a["id"] for a in client.get("activities", q="金鼎").json()["items"]] == [sibling.pk]
    assert client.get("activities", date_from="2030-05-11").json()["items"] == []
    assert client.get(f"activities/{other.pk}").status_code == 404
    assert api("community").get(f"activities/{sibling.pk}").status_code == 404  # the other community
