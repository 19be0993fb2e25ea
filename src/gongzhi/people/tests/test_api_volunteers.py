"""Volunteers through the API: application (R-V2), the public number (R-V3), multi-round screening, suspension,
minors (R-V9) and the status history (style habit 6)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import override_settings

from gongzhi.core import clock
from gongzhi.people.identity import make_id_number
from gongzhi.people.models import (
    ConsentPurpose,
    ConsentRecord,
    VolunteerProfile,
    VolunteerReview,
    VolunteerStatusChange,
)

NUMBER_RE = re.compile(r"^ZY370117\d{7}$")


def _refused(r, status, code):
    assert r.status_code == status, r.content
    assert r.json()["code"] == code
    return r.json()


@pytest.fixture
def applied(api, world):
    """张三丰 of 永兴社区, registered by the community worker with his consent."""
    r = api("community").post("volunteers", {"person_id": world.people["a"].pk, "consent_confirmed": True,
                                             "skills": ["first_aid"], "availability": ["周末白天"]})
    assert r.status_code == 201, r.content
    return r.json()


def test_resident_applies_for_themselves(api, world):
    """R-V2: a resident with a linked record applies; status applied, consent recorded, history started."""
    me = api("resident").get("me").json()
    assert me["person_id"] == world.people["resident"].pk
    r = api("resident").post("me/volunteer", {"skills": ["first_aid", "心理疏导"], "availability": ["周末白天"],
                                              "motivation": "想为邻居做点事"})
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["status"] == "applied" and body["status_name"] == "已申请"
    assert body["person_id"] == world.people["resident"].pk
    assert sorted(body["skills"]) == ["心理疏导", "急救"]
    assert [(c["from_status"], c["to_status"], c["reason"]) for c in body["status_changes"]] == [
        ("", "applied", "本人申请")]
    assert ConsentRecord.objects.filter(person=world.people["resident"], purpose=ConsentPurpose.REGISTRATION,
                                        granted=True).count() == 1
    # the applicant can read their own profile, though a resident may not list volunteers
    assert api("resident").get(f"volunteers/{body['id']}").status_code == 200
    assert api("resident").get("volunteers").status_code == 403


def test_volunteer_number_is_public_and_not_the_id_number(api, world, applied):
    """R-V3: the number is ZY + district code + sequence; it contains no part of the ID number's birth/sequence."""
    number = applied["number"]
    id_number = world.people["a"].id_number_clear()
    assert NUMBER_RE.match(number)
    assert number != id_number and id_number[6:14] not in number
    second = api("resident").post("me/volunteer", {}).json()["number"]
    assert NUMBER_RE.match(second) and int(second[-7:]) == int(number[-7:]) + 1


def test_applying_twice_is_409(api, world):
    """One volunteer profile per person."""
    assert api("resident").post("me/volunteer", {}).status_code == 201
    _refused(api("resident").post("me/volunteer", {}), 409, "people.already_volunteer")


def test_account_without_a_resident_record_cannot_self_apply(api, world):
    """The merchant's account has no linked person: 409 people.no_person, nothing created."""
    _refused(api("merchant").post("me/volunteer", {}), 409, "people.no_person")
    assert VolunteerProfile.objects.count() == 0


def test_worker_must_confirm_consent(api, world):
    """R-V2 (山东 Art.11): nobody is registered against their will — a worker registering without consent gets 400."""
    r = api("community").post("volunteers", {"person_id": world.people["a"].pk})
    body = _refused(r, 400, "people.consent_required")
    assert body["message"] == "须本人同意后方可登记为志愿者"
    assert VolunteerProfile.objects.count() == 0
    assert ConsentRecord.objects.count() == 0


def test_two_round_screening_needs_two_different_reviewers(api, world, applied):
    """多轮筛选: round 1 (社工) → screening; the same reviewer again → 409; a second reviewer → active."""
    vid = applied["id"]
    r = api("socialworker").post(f"volunteers/{vid}/reviews", {"decision": "pass", "note": "面谈通过"})
    assert r.status_code == 201 and r.json()["status"] == "screening"
    assert r.json()["rounds_required"] == 2

    body = _refused(api("socialworker").post(f"volunteers/{vid}/reviews", {"decision": "pass"}), 409,
                    "people.same_reviewer")
    assert body["message"] == "同一审核人不能审核同一申请的多个轮次"

    r = api("community").post(f"volunteers/{vid}/reviews", {"decision": "pass", "note": "材料齐全"})
    assert r.status_code == 201
    body = r.json()
    assert body["status"] == "active"
    assert [(x["round"], x["decision"], x["reviewer"], x["note"]) for x in body["reviews"]] == [
        (1, "pass", "socialworker", "面谈通过"), (2, "pass", "community", "材料齐全")]
    assert api("community").get("volunteers/review-queue").json()["count"] == 0


def test_review_queue_lists_applications_awaiting_a_round(api, world, applied):
    """Applied and screening volunteers are in the queue; once active they leave it."""
    queue = api("socialworker").get("volunteers/review-queue").json()
    assert [v["id"] for v in queue["items"]] == [applied["id"]]
    api("socialworker").post(f"volunteers/{applied['id']}/reviews", {"decision": "pass"})
    assert api("community").get("volunteers/review-queue").json()["count"] == 1


def test_reject_ends_screening(api, world, applied):
    """A reject in any round → rejected; any further review is 409 people.bad_transition."""
    vid = applied["id"]
    r = api("socialworker").post(f"volunteers/{vid}/reviews", {"decision": "reject", "note": "联系不上本人"})
    assert r.json()["status"] == "rejected"
    _refused(api("community").post(f"volunteers/{vid}/reviews", {"decision": "pass"}), 409, "people.bad_transition")
    _refused(api("community").post(f"volunteers/{vid}/suspend", {"reason": "x"}), 409, "people.bad_transition")
    assert VolunteerReview.objects.filter(profile_id=vid).count() == 1


@override_settings(VOLUNTEER_RULES={"screening_rounds": 3})
def test_number_of_rounds_is_configuration(api, world, applied):
    """Rules are tables: with three rounds configured, two passes leave the volunteer in screening."""
    vid = applied["id"]
    api("socialworker").post(f"volunteers/{vid}/reviews", {"decision": "pass"})
    r = api("community").post(f"volunteers/{vid}/reviews", {"decision": "pass"})
    assert r.json()["status"] == "screening" and r.json()["rounds_required"] == 3
    r = api("street").post(f"volunteers/{vid}/reviews", {"decision": "pass"})
    assert r.json()["status"] == "active"


def _activate(api, vid):
    api("socialworker").post(f"volunteers/{vid}/reviews", {"decision": "pass"})
    assert api("community").post(f"volunteers/{vid}/reviews", {"decision": "pass"}).json()["status"] == "active"


def test_suspend_and_reinstate(api, world, applied):
    """Active → suspended → active; suspending twice or reinstating an active volunteer is 409."""
    vid = applied["id"]
    _refused(api("community").post(f"volunteers/{vid}/suspend", {"reason": "x"}), 409, "people.bad_transition")
    _activate(api, vid)
    r = api("community").post(f"volunteers/{vid}/suspend", {"reason": "连续三次爽约"})
    assert r.status_code == 200 and r.json()["status"] == "suspended"
    _refused(api("community").post(f"volunteers/{vid}/suspend", {"reason": "again"}), 409, "people.bad_transition")
    r = api("community").post(f"volunteers/{vid}/reinstate", {"reason": "已说明情况"})
    assert r.status_code == 200 and r.json()["status"] == "active"
    _refused(api("community").post(f"volunteers/{vid}/reinstate", {}), 409, "people.bad_transition")


def test_every_transition_is_an_appended_history_row(api, world, applied):
    """Habit 6: applied → screening → active → suspended → active, each a row with actor and reason; earlier rows
    are never rewritten."""
    vid = applied["id"]
    first = list(VolunteerStatusChange.objects.filter(profile_id=vid).values())
    _activate(api, vid)
    api("community").post(f"volunteers/{vid}/suspend", {"reason": "连续三次爽约"})
    api("street").post(f"volunteers/{vid}/reinstate", {"reason": "已说明情况"})
    rows = list(VolunteerStatusChange.objects.filter(profile_id=vid).order_by("pk"))
    assert [(r.from_status, r.to_status) for r in rows] == [
        ("", "applied"), ("applied", "screening"), ("screening", "active"), ("active", "suspended"),
        ("suspended", "active")]
    assert [r.actor.username for r in rows] == ["t-community", "t-socialworker", "t-community", "t-community",
                                                "t-street"]
    assert rows[3].reason == "连续三次爽约"
    assert list(VolunteerStatusChange.objects.filter(pk=first[0]["id"]).values()) == first
    detail = api("community").get(f"volunteers/{vid}").json()
    assert [c["to_status"] for c in detail["status_changes"]] == ["applied", "screening", "active", "suspended",
                                                                  "active"]


def _years_ago(years: int, days: int = 0) -> dt.date:
    today = clock.today()
    try:
        birthday = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        birthday = today.replace(year=today.year - years, day=28)
    return birthday - dt.timedelta(days=days)


def _minor(api, world, years: int, seq: int, days: int = 30) -> int:
    """Register a child of ``years`` in 永兴社区 (with a guardian, as R-P2 requires under 14)."""
    body = {"name": "小明", "unit_id": world.community_a.pk,
            "id_number": make_id_number("370117", _years_ago(years, days), seq), "guardian_name": "王芳"}
    r = api("community").post("people", body)
    assert r.status_code == 201, r.content
    return r.json()["id"]


@pytest.mark.parametrize("years", [8, 12, 16, 17])
def test_minors_from_8_to_17_need_a_guardian(api, world, years):
    """R-V9: ages 8–17 serve only with guardian consent; without it 400, with it 201 and a guardian consent row."""
    pid = _minor(api, world, years, seq=81)
    r = api("community").post("volunteers", {"person_id": pid, "consent_confirmed": True})
    _refused(r, 400, "people.guardian_consent_required")
    assert VolunteerProfile.objects.count() == 0
    r = api("community").post("volunteers", {"person_id": pid, "consent_confirmed": True, "guardian_name": "王芳"})
    assert r.status_code == 201, r.content
    assert ConsentRecord.objects.filter(person_id=pid, purpose=ConsentPurpose.GUARDIAN, note="volunteer",
                                        guardian_name="王芳").count() == 1


def test_eighth_birthday_today_is_old_enough(api, world):
    """R-V9: the minimum age is 8 inclusive."""
    pid = _minor(api, world, 8, seq=83, days=0)
    r = api("community").post("volunteers", {"person_id": pid, "consent_confirmed": True, "guardian_name": "王芳"})
    assert r.status_code == 201, r.content


@pytest.mark.parametrize(("years", "days"), [(7, 364), (5, 30)])
def test_children_under_8_are_refused_even_with_a_guardian(api, world, years, days):
    """R-V9: under 8 nobody registers as a volunteer."""
    pid = _minor(api, world, years, seq=85, days=days)
    r = api("community").post("volunteers", {"person_id": pid, "consent_confirmed": True, "guardian_name": "王芳"})
    body = _refused(r, 400, "people.too_young")
    assert body["detail"] == {"min_age": 8}
    assert VolunteerProfile.objects.count() == 0


def test_adult_needs_no_guardian(api, world):
    """Turning 18 today: no guardian needed."""
    r = api("community").post("people", {"name": "成年", "unit_id": world.community_a.pk,
                                         "id_number": make_id_number("370117", _years_ago(18), 87)})
    r = api("community").post("volunteers", {"person_id": r.json()["id"], "consent_confirmed": True})
    assert r.status_code == 201, r.content


def test_volunteer_updates_own_skills_and_certificates(api, world):
    """The volunteer edits their own skills/availability and adds a certificate; another resident cannot."""
    vid = api("resident").post("me/volunteer", {}).json()["id"]
    r = api("resident").patch(f"volunteers/{vid}", {"skills": ["legal"], "availability": ["工作日晚上"]})
    assert r.status_code == 200
    assert r.json()["skills"] == ["法律"] and r.json()["availability"] == ["weekday_evening"]
    r = api("resident").post(f"volunteers/{vid}/certificates", {"name": "法律职业资格证书", "skill": "legal",
                                                                "issued_on": "2020-09-01"})
    assert r.status_code == 201 and r.json()["skill"] == "法律"
    assert [c["name"] for c in api("community").get(f"volunteers/{vid}").json()["certificates"]] == ["法律职业资格证书"]
    assert api("merchant").patch(f"volunteers/{vid}", {"availability": []}).status_code == 403


def test_availability_must_be_a_known_slot(api):
    """Availability takes the slots the forms offer (codes or their labels); free text is refused with 400."""
    vid = api("resident").post("me/volunteer", {}).json()["id"]
    r = api("resident").patch(f"volunteers/{vid}", {"availability": ["周末白天", "holiday", "周末白天"]})
    assert r.json()["availability"] == ["weekend_day", "holiday"]
    _refused(api("resident").patch(f"volunteers/{vid}", {"availability": ["x" * 5000]}), 400,
             "people.availability_unknown")
    assert api("resident").get(f"volunteers/{vid}").json()["availability"] == ["weekend_day", "holiday"]


def test_team_leader_manages_team_members(api, world, applied):
    """A 队长 adds a volunteer of the community to the team they lead and removes them; other teams are not theirs."""
    import datetime as dt

    from gongzhi.core.testing.world import make_person
    from gongzhi.org.models import OrgKind
    from gongzhi.org.services import organisation_create
    from gongzhi.people.models import TeamMembership, TeamRole

    team = world.team_a
    leader = make_person(world, "钱队长", world.community_a, seq=93)
    leader.user = world.user("teamleader")
    leader.save(update_fields=["user"])
    TeamMembership.objects.create(team=team, person=leader, role=TeamRole.LEADER, joined_on=dt.date(2025, 3, 5))
    other = organisation_create(name="永兴文艺志愿服务队", kind=OrgKind.TEAM, unit=world.community_a)
    _refused(api("teamleader").post(f"orgs/{other.pk}/members", {"person_id": applied["person_id"]}), 403, "forbidden")
    r = api("teamleader").post(f"orgs/{team.pk}/members", {"person_id": applied["person_id"]})
    assert r.status_code == 201, r.content
    members = api("teamleader").get(f"orgs/{team.pk}").json()["members"]
    assert [(m["name"], m["volunteer_number"]) for m in members if m["role"] == "member"] == [("张三丰", applied["number"])]
    # a resident who is not a volunteer is not the team leader's to see
    r = api("teamleader").post(f"orgs/{team.pk}/members", {"person_id": world.people["a_grid"].pk})
    assert r.status_code == 404
    r = api("teamleader").delete(f"orgs/{team.pk}/members/{applied['person_id']}")
    assert r.status_code == 200 and r.json()["left_on"] is not None
    assert [m["name"] for m in api("teamleader").get(f"orgs/{team.pk}").json()["members"]] == ["钱队长"]


def test_workers_never_screen_or_reinstate_themselves(api, world):
    """A 社工 who applies as a volunteer cannot review their own application, nor a worker reinstate themselves."""
    from gongzhi.core.testing.world import make_person

    me = make_person(world, "钱社工", world.community_a, seq=91)
    me.user = world.user("socialworker")
    me.save(update_fields=["user"])
    vid = api("socialworker").post("me/volunteer", {}).json()["id"]
    _refused(api("socialworker").post(f"volunteers/{vid}/reviews", {"decision": "pass"}), 403,
             "people.own_application")
    assert api("community").post(f"volunteers/{vid}/reviews", {"decision": "pass"}).json()["status"] == "screening"
    _refused(api("socialworker").post(f"volunteers/{vid}/reviews", {"decision": "pass"}), 403,
             "people.own_application")
    assert api("street").post(f"volunteers/{vid}/reviews", {"decision": "pass"}).json()["status"] == "active"
    assert VolunteerReview.objects.filter(profile_id=vid).count() == 2

    boss = make_person(world, "孙社区", world.community_a, seq=93)
    boss.user = world.user("community")
    boss.save(update_fields=["user"])
    bid = api("community").post("me/volunteer", {}).json()["id"]
    api("socialworker").post(f"volunteers/{bid}/reviews", {"decision": "pass"})
    api("street").post(f"volunteers/{bid}/reviews", {"decision": "pass"})
    assert api("street").post(f"volunteers/{bid}/suspend", {"reason": "核查"}).json()["status"] == "suspended"
    _refused(api("community").post(f"volunteers/{bid}/reinstate", {}), 403, "people.own_application")
