"""Sign-ups through the API: capacity, waitlist and automatic promotion, approval, audience, ages (R-V9)."""

from __future__ import annotations

import datetime as dt

from gongzhi.activities.models import Activity, Category, Signup, SignupEvent
from gongzhi.activities.services import signup_create
from gongzhi.core import events
from gongzhi.core.errors import DomainError
from gongzhi.notifications.models import Notification
from gongzhi.people.models import ConsentPurpose, ConsentRecord, Person, TeamMembership, VolunteerStatus

from .conftest import make_volunteer


def _counts(activity):
    activity = Activity.objects.get(pk=activity.pk)
    return activity.confirmed_count, activity.waitlist_count


def _kinds(profile):
    return list(Notification.objects.filter(user_id=profile.person.user_id).order_by("pk").values_list("kind", flat=True))


def test_publish_sign_up_waitlist_cancel_auto_promote(api, world, make_activity, new_login):
    """Two places, three volunteers: the third waits; when a confirmed one cancels, the first waiting is promoted."""
    activity = make_activity(capacity=2)
    clients = [new_login(name) for name in ("甲", "乙", "丙")]
    statuses = [c.post(f"activities/{activity.pk}/signups").json()["status"] for c, _ in clients]
    assert statuses == ["confirmed", "confirmed", "waitlisted"]
    assert _counts(activity) == (2, 1)
    third, third_profile = clients[2]
    me = third.get(f"activities/{activity.pk}").json()
    assert me["my_status"] == "waitlisted" and me["my_waitlist_position"] == 1
    seen = []
    handler = events.subscribe("activities.signup_changed", lambda **kw: seen.append((kw["from_status"], kw["to_status"])))
    try:
        first, first_profile = clients[0]
        signup_id = first.get("me/signups").json()[0]["id"]
        r = first.post(f"activities/signups/{signup_id}/cancel", {"reason": "临时有事"})
        assert r.status_code == 200 and r.json()["status"] == "cancelled"
    finally:
        events.unsubscribe("activities.signup_changed", handler)
    assert seen == [("confirmed", "cancelled"), ("waitlisted", "confirmed")]
    assert _counts(activity) == (2, 0)
    assert third.get("me/signups").json()[0]["status"] == "confirmed"
    assert _kinds(third_profile) == ["signup_waitlisted", "signup_promoted"]
    assert _kinds(first_profile) == ["signup_confirmed", "signup_cancelled"]
    promoted = Signup.objects.get(volunteer=third_profile)
    assert list(SignupEvent.objects.filter(signup=promoted).values_list("to_status", flat=True)) == [
        "waitlisted", "confirmed"]
    # cancelling twice is a conflict, nothing changes
    r = first.post(f"activities/signups/{signup_id}/cancel")
    assert r.status_code == 409 and r.json()["code"] == "activities.signup_bad_transition"
    assert _counts(activity) == (2, 0)


def test_signing_up_twice_is_refused(world, make_activity, new_login):
    activity = make_activity()
    client, _ = new_login("甲")
    assert client.post(f"activities/{activity.pk}/signups").status_code == 201
    r = client.post(f"activities/{activity.pk}/signups")
    assert r.status_code == 409 and r.json()["code"] == "activities.already_signed_up"
    assert _counts(activity) == (1, 0)


def test_capacity_increase_promotes_the_waitlist(api, world, make_activity, new_login):
    activity = make_activity(capacity=1)
    new_login("甲")[0].post(f"activities/{activity.pk}/signups")
    client, profile = new_login("乙")
    assert client.post(f"activities/{activity.pk}/signups").json()["status"] == "waitlisted"
    assert api("community").patch(f"activities/{activity.pk}", {"capacity": 2}).status_code == 200
    assert _counts(activity) == (2, 0)
    assert "signup_promoted" in _kinds(profile)


def test_approval_respects_capacity(api, world, make_activity, new_login):
    """With approval required sign-ups wait; approving beyond capacity puts the volunteer on the waitlist."""
    activity = make_activity(capacity=1, requires_approval=True)
    (c1, _), (c2, _), (c3, p3) = new_login("甲"), new_login("乙"), new_login("丙")
    ids = [c.post(f"activities/{activity.pk}/signups").json() for c in (c1, c2, c3)]
    assert [s["status"] for s in ids] == ["pending"] * 3
    assert _counts(activity) == (0, 0)
    organiser = api("community")
    listing = organiser.get(f"activities/{activity.pk}/signups").json()
    assert [s["status"] for s in listing] == ["pending"] * 3
    assert all("****" in s["phone"] for s in listing)  # organisers see masked phones
    r = organiser.post(f"activities/signups/{ids[0]['id']}/approve")
    assert r.status_code == 200 and r.json()["status"] == "confirmed"
    r = organiser.post(f"activities/signups/{ids[1]['id']}/approve")
    assert r.json()["status"] == "waitlisted"
    r = organiser.post(f"activities/signups/{ids[2]['id']}/reject", {"reason": "人数已够"})
    assert r.json()["status"] == "rejected"
    assert _counts(activity) == (1, 1)
    assert organiser.post(f"activities/signups/{ids[0]['id']}/approve").status_code == 409
    assert "signup_rejected" in _kinds(p3)
    # a volunteer may not approve their own sign-up
    r = c1.post(f"activities/signups/{ids[1]['id']}/approve")
    assert r.status_code in (403, 404)


def test_only_active_volunteers_of_open_activities_sign_up(api, world, make_activity, new_login):
    draft = make_activity(publish=False)
    client, profile = new_login("甲")
    r = client.post(f"activities/{draft.pk}/signups")
    assert r.status_code == 404  # a draft is invisible to volunteers
    activity = make_activity()
    profile.status = VolunteerStatus.SUSPENDED
    profile.save(update_fields=["status"])
    r = client.post(f"activities/{activity.pk}/signups")
    assert r.status_code == 409 and r.json()["code"] == "activities.volunteer_not_active"
    r = api("resident").post(f"activities/{activity.pk}/signups")  # a resident who is no volunteer
    assert r.status_code == 409 and r.json()["code"] == "activities.not_volunteer"
    assert not Signup.objects.exists()


def test_audience_rule(world, make_activity, new_login):
    """community: the activity unit's community subtree; public: the whole district; team: the team's members."""
    community = make_activity(title="永兴社区活动")
    grid = make_activity(title="第一网格活动", unit=world.grid_a)
    public = make_activity(title="全区活动", audience="public")
    team = make_activity(title="队内活动", audience="team", organiser=world.team_a)
    here, here_profile = new_login("永兴", world.community_a)
    there, _ = new_login("洪沟", world.community_b)
    assert here.post(f"activities/{community.pk}/signups").status_code == 201
    assert here.post(f"activities/{grid.pk}/signups").status_code == 201  # the grid's community recruits
    assert there.post(f"activities/{community.pk}/signups").status_code == 404  # not even visible
    assert there.post(f"activities/{public.pk}/signups").status_code == 201
    assert here.post(f"activities/{team.pk}/signups").status_code == 404  # a team's activity is for its members
    try:  # even an organiser cannot sign a non-member up
        signup_create(activity=team, volunteer=here_profile, actor=world.user("community"))
    except DomainError as err:
        assert err.code == "activities.audience_refused"
    else:
        raise AssertionError("a non-member joined a team activity")
    TeamMembership.objects.create(team=world.team_a, person=here_profile.person, joined_on=dt.date(2025, 1, 1))
    assert here.post(f"activities/{team.pk}/signups").status_code == 201
    listed = {a["title"] for a in there.get("activities").json()["items"]}
    assert listed == {"全区活动"}


def test_minimum_age_of_the_activity(world, make_activity, new_login):
    activity = make_activity(min_age=18)
    client, _ = new_login("少年", birth=dt.date(2014, 1, 1), guardian_name="少年的妈妈")
    r = client.post(f"activities/{activity.pk}/signups", {"guardian_present": True})
    assert r.status_code == 409 and r.json()["code"] == "activities.too_young_for_activity"


def test_minor_needs_guardian_consent_or_presence(world, make_activity, new_login):  # R-V9
    """A 12-year-old without consent on file: refused; with the guardian present or named: admitted."""
    a1, a2, a3 = make_activity(title="一"), make_activity(title="二"), make_activity(title="三")
    client, profile = new_login("小明", birth=dt.date(2018, 1, 1), guardian_name="小明的爸爸")
    # volunteer registration recorded a guardian consent; withdraw it to start from none
    ConsentRecord.objects.create(person=profile.person, purpose=ConsentPurpose.GUARDIAN, granted=False)
    r = client.post(f"activities/{a1.pk}/signups")
    assert r.status_code == 400 and r.json()["code"] == "activities.guardian_required"
    r = client.post(f"activities/{a1.pk}/signups", {"guardian_present": True})
    assert r.status_code == 201
    assert Signup.objects.get(activity=a1).guardian_present is True
    r = client.post(f"activities/{a2.pk}/signups", {"guardian_name": "王芳"})
    assert r.status_code == 201
    signup = Signup.objects.get(activity=a2)
    assert signup.guardian_consent.guardian_name == "王芳" and signup.guardian_consent.granted
    # the consent is now on file: it covers the next sign-up
    assert client.post(f"activities/{a3.pk}/signups").status_code == 201


def test_minor_never_joins_dangerous_activities_and_under_eight_never(api, world, make_activity, new_login):  # R-V9
    api("district").post("activities/insurance-policies", {
        "unit_id": world.district.pk, "insurer": "人保", "policy_number": "D1", "starts_on": "2030-01-01",
        "ends_on": "2030-12-31"})
    rescue = make_activity(category=Category.objects.get(code="emergency_rescue"))
    client, _ = new_login("小强", birth=dt.date(2015, 1, 1), guardian_name="小强的妈妈")
    r = client.post(f"activities/{rescue.pk}/signups", {"guardian_present": True})
    assert r.status_code == 409 and r.json()["code"] == "activities.minor_dangerous"
    # a record whose birth date (corrected after registration) makes the child seven on the activity's day
    young = make_volunteer(world, "小小", world.community_a, birth=dt.date(2015, 1, 1), guardian_name="家长")
    Person.objects.filter(pk=young.person_id).update(birth_date=dt.date(2023, 1, 1))
    young.refresh_from_db()
    young.person.refresh_from_db()
    ordinary = make_activity()
    r = api("community").post(f"activities/{ordinary.pk}/signups")  # organisers sign up only via services
    assert r.status_code == 409
    try:
        signup_create(activity=ordinary, volunteer=young, actor=world.user("community"), guardian_present=True)
    except DomainError as err:
        assert err.code == "activities.minor_too_young"
    else:
        raise AssertionError("a seven-year-old was signed up")
    assert not Signup.objects.filter(volunteer=young).exists()


def test_my_signups_and_other_people_s_signups(world, make_activity, new_login):
    activity = make_activity()
    me, _ = new_login("甲")
    other, _ = new_login("乙")
    signup = me.post(f"activities/{activity.pk}/signups").json()
    assert [s["activity_id"] for s in me.get("me/signups").json()] == [activity.pk]
    assert other.get("me/signups").json() == []
    r = other.post(f"activities/signups/{signup['id']}/cancel")
    assert r.status_code == 404
    assert _counts(activity) == (1, 0)
