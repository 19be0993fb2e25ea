"""Training over HTTP: courses, sessions, enrolment with capacity, append-only attendance, the volunteer's record.

Training is part of the volunteer record (R-V2 培训情况): every refusal answers a 4xx with a machine code and a
Chinese message, and leaves nothing saved.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from gongzhi.training.models import AttendanceMark, Course, Enrolment, Session, SessionStatus

from .conftest import active_volunteer, at

pytestmark = pytest.mark.django_db


def _naive(value) -> str:
    """The local wall-clock time of ``value`` without an offset, as a client that forgets the zone sends it."""
    return timezone.localtime(value).replace(tzinfo=None).isoformat()


def _session_body(**over) -> dict:
    body = {"starts_at": at(3).isoformat(), "ends_at": at(3, 2).isoformat(), "place": "永兴社区党群服务中心",
            "capacity": 30, "trainer": "区红十字会"}
    return body | over


# --- courses --------------------------------------------------------------------------------------------------


def test_street_admin_opens_a_course_for_its_street(api, world):
    """A 街道 admin opens 党建引领社区治理专题培训 at the street; it is listed with its level and 学时."""
    client = api("street")
    r = client.post("training/courses", {"unit_id": world.street_a.pk, "title": " 党建引领社区治理专题培训 ",
                                         "level": "intermediate", "hours": "4.5", "skill": "mediation"})
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["title"], body["level_name"], body["hours"], body["skill"], body["can_manage"]) == (
        "党建引领社区治理专题培训", "中级", "4.5", "调解", True)
    listed = client.get("training/courses").json()
    assert [c["title"] for c in listed["items"]] == ["党建引领社区治理专题培训"]


@pytest.mark.parametrize(("over", "code"), [
    ({"title": "  "}, "training.title_invalid"),
    ({"level": "expert"}, "training.level_unknown"),
    ({"hours": "0"}, "training.hours_invalid"),
    ({"hours": "201"}, "training.hours_invalid"),
    ({"skill": "juggling"}, "training.skill_unknown"),
])
def test_course_input_is_refused_with_a_code(api, world, over, code):
    """Bad titles, levels, 学时 and skills answer 400 with the code; no course is saved."""
    body = {"unit_id": world.community_a.pk, "title": "急救技能培训", "level": "basic", "hours": "3"} | over
    r = api("community").post("training/courses", body)
    assert r.status_code == 400 and r.json()["code"] == code, r.content
    assert r.json()["message"]
    assert not Course.objects.exists()


def test_a_course_is_not_opened_at_a_grid(api, world):
    """Courses belong to a district, street or community/village; a grid is refused (400)."""
    r = api("district").post("training/courses", {"unit_id": world.grid_a.pk, "title": "急救技能培训"})
    assert r.status_code == 400 and r.json()["code"] == "training.unit_invalid"


def test_two_courses_of_a_unit_do_not_share_a_title(api, world, course):
    """The same title twice at one unit is a 409; another unit may use it."""
    body = {"unit_id": world.community_a.pk, "title": course.title}
    r = api("community").post("training/courses", body)
    assert r.status_code == 409 and r.json()["code"] == "training.title_duplicate"
    assert api("district").post("training/courses", body | {"unit_id": world.district.pk}).status_code == 201


def test_course_update_changes_it(api, world, course):
    """The organiser renames and closes a course; the closed course gets no new sessions (409)."""
    client = api("community")
    r = client.put(f"training/courses/{course.pk}", {"unit_id": world.community_a.pk, "title": "网格员履职能力提升培训（第二期）",
                                                     "level": "intermediate", "hours": "6", "active": False})
    assert r.status_code == 200, r.content
    assert (r.json()["title"], r.json()["level"], r.json()["active"]) == ("网格员履职能力提升培训（第二期）",
                                                                          "intermediate", False)
    r = client.post(f"training/courses/{course.pk}/sessions", _session_body())
    assert r.status_code == 409 and r.json()["code"] == "training.course_inactive"


def test_course_cannot_move_to_a_unit_outside_the_actor_scope(api, world, course):
    """Moving 永兴's course to 洪沟社区 (another street) is refused: the unit is not even visible (404)."""
    r = api("community").put(f"training/courses/{course.pk}", {"unit_id": world.community_b.pk, "title": course.title})
    assert r.status_code == 404
    course.refresh_from_db()
    assert course.unit == world.community_a


# --- scoping --------------------------------------------------------------------------------------------------


def test_street_admin_sees_only_their_street(api, world, course):
    """艾山's admin sees 永兴's course; 里辛's admin neither lists it nor opens it (404), nor its sessions."""
    b_course = Course.objects.create(unit=world.community_b, title="急救技能培训", hours=Decimal("2"))
    s = Session.objects.create(course=course, starts_at=at(5), ends_at=at(5, 2), place="永兴", capacity=5)
    mine = {c["id"] for c in api("street").get("training/courses").json()["items"]}
    theirs = {c["id"] for c in api("street_b").get("training/courses").json()["items"]}
    assert mine == {course.pk} and theirs == {b_course.pk}
    assert api("street_b").get(f"training/courses/{course.pk}").status_code == 404
    assert api("street_b").get(f"training/sessions/{s.pk}").status_code == 404
    assert api("community_b").get(f"training/sessions/{s.pk}/enrolments").status_code == 404


def test_other_community_course_is_not_found(api, world, course):
    """金鼎社区's worker is in the same street but another community: 永兴's course is 404."""
    from gongzhi.accounts.roles import Role
    from gongzhi.accounts.services import role_grant, user_create

    user = user_create(username="t-jinding", password="x-pass-123456", display_name="金鼎社工", phone="13900008888")
    role_grant(user=user, role=Role.COMMUNITY_WORKER, unit=world.community_a2, actor=None)
    from gongzhi.conftest import ApiClient

    assert ApiClient(user).get(f"training/courses/{course.pk}").status_code == 404


def test_volunteer_sees_courses_open_in_their_community_street_and_district(api, world, me, course):
    """A volunteer in 永兴's grid sees the district's, 艾山's and 永兴's active courses, not 金鼎's nor closed ones."""
    d = Course.objects.create(unit=world.district, title="《社区志愿者手册》通识培训", hours=Decimal("2"))
    s = Course.objects.create(unit=world.street_a, title="社区书记先锋论坛", hours=Decimal("2"))
    Course.objects.create(unit=world.community_a2, title="金鼎社区急救技能培训", hours=Decimal("2"))
    Course.objects.create(unit=world.community_a, title="已停办课程", hours=Decimal("2"), active=False)
    seen = {c["id"] for c in api("volunteer").get("training/courses").json()["items"]}
    assert seen == {d.pk, s.pk, course.pk}


def test_resident_without_volunteer_profile_is_refused(api, course):
    """A resident who is not a volunteer and holds no training role gets 403."""
    r = api("resident").get("training/courses")
    assert r.status_code == 403 and r.json()["code"] == "forbidden"


# --- sessions -------------------------------------------------------------------------------------------------


def test_organiser_schedules_a_session(api, course):
    """A session of the course is created with its capacity and listed as upcoming."""
    client = api("socialworker")
    r = client.post(f"training/courses/{course.pk}/sessions", _session_body(capacity=25))
    assert r.status_code == 201, r.content
    assert (r.json()["capacity"], r.json()["places_left"], r.json()["status"]) == (25, 25, "scheduled")
    upcoming = client.get("training/sessions", upcoming="true", course=course.pk).json()["items"]
    assert [s["id"] for s in upcoming] == [r.json()["id"]]


@pytest.mark.parametrize(("over", "code"), [
    ({"ends_at": at(3, -1).isoformat()}, "training.times_invalid"),
    ({"ends_at": at(3).isoformat()}, "training.times_invalid"),
    ({"capacity": 0}, "training.capacity_invalid"),
    ({"capacity": 5000}, "training.capacity_invalid"),
    ({"place": " "}, "training.place_required"),
])
def test_bad_session_is_refused(api, course, over, code):
    """The end must come after the start, capacity ≥ 1 and a place is needed; nothing is saved."""
    r = api("community").post(f"training/courses/{course.pk}/sessions", _session_body(**over))
    assert r.status_code == 400 and r.json()["code"] == code, r.content
    assert not Session.objects.exists()


@pytest.mark.parametrize(("over", "code"), [
    ({"starts_at": "0001-01-01"}, "training.time_out_of_range"),
    ({"ends_at": "9999-12-31T23:59:59-10:00"}, "training.time_out_of_range"),
    ({"starts_at": "0001-01-01T00:00:00+08:00"}, "training.time_out_of_range"),
])
def test_absurd_or_naive_session_times_are_refused_not_a_500(api, course, over, code):
    """A time without offset is read as local time; years no session can have are refused; nothing is saved."""
    r = api("community").post(f"training/courses/{course.pk}/sessions", _session_body(**over))
    assert r.status_code == 400 and r.json()["code"] == code, r.content
    assert not Session.objects.exists()


def test_a_session_time_without_offset_is_local_time(api, course):
    start = at(3)
    body = _session_body(starts_at=_naive(start), ends_at=_naive(start + dt.timedelta(hours=2)))
    r = api("community").post(f"training/courses/{course.pk}/sessions", body)
    assert r.status_code == 201, r.content
    assert Session.objects.get().starts_at == start


def test_team_leader_may_view_but_not_schedule(api, course):
    """training.view without training.manage: the course is readable, scheduling is 403."""
    assert api("teamleader").get(f"training/courses/{course.pk}").status_code == 200
    assert api("teamleader").post(f"training/courses/{course.pk}/sessions", _session_body()).status_code == 403


def test_cancel_a_session(api, session):
    """Cancelling records reason and actor; it leaves the upcoming list; a second cancel is 409."""
    client = api("community")
    r = client.post(f"training/sessions/{session.pk}/cancel", {"reason": "场地调整"})
    assert r.status_code == 200 and (r.json()["status"], r.json()["cancel_reason"]) == ("cancelled", "场地调整")
    assert client.get("training/sessions", upcoming="true").json()["count"] == 0
    r = client.post(f"training/sessions/{session.pk}/cancel", {})
    assert r.status_code == 409 and r.json()["code"] == "training.session_cancelled"


def test_a_held_session_cannot_be_cancelled(api, started):
    """Once attendance is recorded the session is 已举办 and stays: cancelling is 409."""
    e = started.enrolments.first()
    assert api("community").post(f"training/sessions/{started.pk}/attendance",
                                 {"marks": [{"enrolment_id": e.pk, "attended": True}]}).status_code == 201
    r = api("community").post(f"training/sessions/{started.pk}/cancel", {})
    assert r.status_code == 409 and r.json()["code"] == "training.session_held"


def test_unknown_status_filter_is_422(api, course):
    assert api("community").get("training/sessions", status="bogus").status_code == 422


# --- enrolment ------------------------------------------------------------------------------------------------


def test_volunteer_enrols_themself(api, session, me):
    """The volunteer enrols with an empty body; the session counts the place; the roster shows only them."""
    client = api("volunteer")
    r = client.post(f"training/sessions/{session.pk}/enrolments", {})
    assert r.status_code == 201, r.content
    assert (r.json()["volunteer_id"], r.json()["self_enrolled"], r.json()["mark"]) == (me.pk, True, None)
    assert client.get(f"training/sessions/{session.pk}").json()["places_left"] == 1


def test_duplicate_enrolment_is_refused(api, session, me):
    """Enrolling twice in one session is 409 and keeps one row and one counted place."""
    client = api("volunteer")
    assert client.post(f"training/sessions/{session.pk}/enrolments", {}).status_code == 201
    r = client.post(f"training/sessions/{session.pk}/enrolments", {})
    assert r.status_code == 409 and r.json()["code"] == "training.already_enrolled"
    session.refresh_from_db()
    assert Enrolment.objects.count() == 1 and session.enrolled_count == 1


def test_full_session_refuses_the_next_volunteer(api, world, session, me):
    """Capacity 2: the worker enrols two volunteers, the third (the volunteer themself) is refused with 409."""
    worker = api("community")
    for i, name in enumerate(["吴九", "郑十"]):
        v = active_volunteer(world, name, world.community_a, seq=71 + 2 * i)
        r = worker.post(f"training/sessions/{session.pk}/enrolments", {"volunteer_id": v.pk})
        assert r.status_code == 201 and r.json()["self_enrolled"] is False
    r = api("volunteer").post(f"training/sessions/{session.pk}/enrolments", {})
    assert r.status_code == 409 and r.json()["code"] == "training.session_full"
    session.refresh_from_db()
    assert session.enrolled_count == 2 == Enrolment.objects.count()


def test_cancelled_session_takes_no_enrolment(api, session, me):
    api("community").post(f"training/sessions/{session.pk}/cancel", {})
    r = api("volunteer").post(f"training/sessions/{session.pk}/enrolments", {})
    assert r.status_code == 409 and r.json()["code"] == "training.session_cancelled"
    assert not Enrolment.objects.exists()


def test_started_session_takes_no_enrolment(api, started, world):
    """Enrolment closes when the session starts."""
    v = active_volunteer(world, "郑十", world.community_a, seq=81)
    r = api("community").post(f"training/sessions/{started.pk}/enrolments", {"volunteer_id": v.pk})
    assert r.status_code == 409 and r.json()["code"] == "training.session_not_open"


def test_only_registered_volunteers_enrol(api, world, session):
    """A volunteer still in screening (审核中) cannot be enrolled (409)."""
    from gongzhi.core.testing.world import make_person
    from gongzhi.people.services import volunteer_apply

    v = volunteer_apply(person=make_person(world, "冯十一", world.community_a, seq=83), actor=world.user("district"),
                        consent_confirmed=True)
    r = api("community").post(f"training/sessions/{session.pk}/enrolments", {"volunteer_id": v.pk})
    assert r.status_code == 409 and r.json()["code"] == "training.volunteer_not_active"


def test_course_of_another_community_is_not_open_to_a_volunteer(api, world, session):
    """艾山's admin cannot put a 金鼎 volunteer into 永兴's course: it is open to 永兴's volunteers only (409)."""
    v = active_volunteer(world, "郑十", world.community_a2, seq=85)
    r = api("street").post(f"training/sessions/{session.pk}/enrolments", {"volunteer_id": v.pk})
    assert r.status_code == 409 and r.json()["code"] == "training.not_open_to_volunteer"


def test_account_that_is_not_a_volunteer_cannot_self_enrol(api, session):
    """A worker enrolling 'themself' without a volunteer profile is told so (409)."""
    r = api("community").post(f"training/sessions/{session.pk}/enrolments", {})
    assert r.status_code == 409 and r.json()["code"] == "training.not_a_volunteer"


def test_volunteer_cannot_enrol_someone_else(api, world, session, me):
    """Naming another volunteer's id is a worker's action: the volunteer may not even see them (403)."""
    other = active_volunteer(world, "吴九", world.community_a, seq=87)
    r = api("volunteer").post(f"training/sessions/{session.pk}/enrolments", {"volunteer_id": other.pk})
    assert r.status_code == 403
    assert not Enrolment.objects.exists()


# --- attendance -----------------------------------------------------------------------------------------------


def _marks(session) -> list[Enrolment]:
    return list(session.enrolments.order_by("pk"))


def test_organiser_marks_attendance_in_a_batch(api, started, me):
    """Two marks in one batch; the session becomes 已举办 and the roster shows each current mark."""
    a, b = _marks(started)
    r = api("community").post(f"training/sessions/{started.pk}/attendance", {"marks": [
        {"enrolment_id": a.pk, "attended": True, "passed": True, "score": 88.5},
        {"enrolment_id": b.pk, "attended": False, "note": "请假"}]})
    assert r.status_code == 201, r.content
    assert [(m["attended"], m["passed"], m["score"]) for m in r.json()] == [(True, True, "88.5"), (False, None, None)]
    started.refresh_from_db()
    assert started.status == SessionStatus.HELD
    roster = api("community").get(f"training/sessions/{started.pk}/enrolments").json()
    assert {e["id"]: e["mark"]["attended"] for e in roster} == {a.pk: True, b.pk: False}


def test_correction_appends_a_new_mark(api, started):
    """Marking an enrolment again adds a row that supersedes the old one; the old one stays as history (R-V6)."""
    a, _ = _marks(started)
    client = api("community")
    first = client.post(f"training/sessions/{started.pk}/attendance",
                        {"marks": [{"enrolment_id": a.pk, "attended": True, "score": 55, "passed": False}]}).json()[0]
    second = client.post(f"training/sessions/{started.pk}/attendance", {"marks": [
        {"enrolment_id": a.pk, "attended": True, "score": 75, "passed": True, "note": "补考通过",
         "expected_mark_id": first["id"]}]}).json()[0]
    assert second["supersedes_id"] == first["id"]
    history = client.get(f"training/sessions/{started.pk}/attendance").json()
    assert [(m["score"], m["current"]) for m in history] == [("55.0", False), ("75.0", True)]
    assert AttendanceMark.objects.filter(enrolment=a).count() == 2
    assert AttendanceMark.objects.current().get(enrolment=a).note == "补考通过"


def test_marking_the_same_values_again_adds_nothing(api, started):
    a, _ = _marks(started)
    body = {"marks": [{"enrolment_id": a.pk, "attended": True}]}
    assert api("community").post(f"training/sessions/{started.pk}/attendance", body).status_code == 201
    r = api("community").post(f"training/sessions/{started.pk}/attendance", body)
    assert r.status_code == 201 and r.json() == []
    assert AttendanceMark.objects.count() == 1


def test_stale_correction_is_refused(api, started):
    """A correction naming a mark that someone else already corrected is 409, and nothing is added."""
    a, _ = _marks(started)
    client = api("community")
    first = client.post(f"training/sessions/{started.pk}/attendance",
                        {"marks": [{"enrolment_id": a.pk, "attended": True}]}).json()[0]
    client.post(f"training/sessions/{started.pk}/attendance", {"marks": [{"enrolment_id": a.pk, "attended": False}]})
    r = client.post(f"training/sessions/{started.pk}/attendance", {"marks": [
        {"enrolment_id": a.pk, "attended": True, "score": 90, "expected_mark_id": first["id"]}]})
    assert r.status_code == 409 and r.json()["code"] == "training.mark_stale"
    assert AttendanceMark.objects.count() == 2


@pytest.mark.parametrize(("mark", "code"), [
    ({"attended": True, "score": 100.5}, "training.score_invalid"),
    ({"attended": True, "score": -1}, "training.score_invalid"),
    ({"attended": False, "score": 60}, "training.absent_with_result"),
    ({"attended": False, "passed": True}, "training.absent_with_result"),
])
def test_bad_mark_refuses_the_whole_batch(api, started, mark, code):
    """Scores are 0–100 and an absent volunteer has no result; one bad row refuses the batch, nothing is saved."""
    a, b = _marks(started)
    r = api("community").post(f"training/sessions/{started.pk}/attendance", {"marks": [
        {"enrolment_id": a.pk, "attended": True, "score": 90}, {"enrolment_id": b.pk, **mark}]})
    assert r.status_code == 400 and r.json()["code"] == code, r.content
    assert not AttendanceMark.objects.exists()
    started.refresh_from_db()
    assert started.status == SessionStatus.SCHEDULED


def test_marks_must_belong_to_the_session_and_appear_once(api, started, session, world):
    a, _ = _marks(started)
    other = Enrolment.objects.create(session=session, volunteer=active_volunteer(world, "郑十", world.community_a, seq=89),
                                     enrolled_at=at(0), enrolled_by=world.user("community"))
    client = api("community")
    r = client.post(f"training/sessions/{started.pk}/attendance", {"marks": [{"enrolment_id": other.pk, "attended": True}]})
    assert r.status_code == 400 and r.json()["code"] == "training.enrolment_unknown"
    r = client.post(f"training/sessions/{started.pk}/attendance", {"marks": [{"enrolment_id": 2**63, "attended": True}]})
    assert r.status_code == 400 and r.json()["code"] == "training.enrolment_unknown"  # beyond the integer range
    r = client.post(f"training/sessions/{started.pk}/attendance", {"marks": [
        {"enrolment_id": a.pk, "attended": True}, {"enrolment_id": a.pk, "attended": False}]})
    assert r.status_code == 400 and r.json()["code"] == "training.marks_repeated"
    r = client.post(f"training/sessions/{started.pk}/attendance", {"marks": []})
    assert r.status_code == 400 and r.json()["code"] == "training.marks_empty"
    assert not AttendanceMark.objects.exists()


def test_attendance_waits_for_the_start(api, session, me):
    api("volunteer").post(f"training/sessions/{session.pk}/enrolments", {})
    e = session.enrolments.get()
    r = api("community").post(f"training/sessions/{session.pk}/attendance", {"marks": [{"enrolment_id": e.pk,
                                                                                       "attended": True}]})
    assert r.status_code == 409 and r.json()["code"] == "training.not_started"


def test_volunteer_cannot_mark_and_sees_only_their_own_rows(api, started, me):
    """The volunteer may not record attendance (403); roster and marks show them their own row only."""
    a, b = _marks(started)
    api("community").post(f"training/sessions/{started.pk}/attendance", {"marks": [
        {"enrolment_id": a.pk, "attended": True}, {"enrolment_id": b.pk, "attended": True}]})
    client = api("volunteer")
    r = client.post(f"training/sessions/{started.pk}/attendance", {"marks": [{"enrolment_id": a.pk, "attended": False}]})
    assert r.status_code == 403
    assert [e["volunteer_id"] for e in client.get(f"training/sessions/{started.pk}/enrolments").json()] == [me.pk]
    assert [m["volunteer_id"] for m in client.get(f"training/sessions/{started.pk}/attendance").json()] == [me.pk]


# --- the volunteer's training record (R-V2 培训情况) ------------------------------------------------------------


def test_my_training_groups_completed_courses_by_level(api, world, started, me):
    """Attended and not failed counts as completed, once per course, with its 学时; a correction changes it."""  # R-V2
    a = started.enrolments.get(volunteer=me)
    client = api("community")
    client.post(f"training/sessions/{started.pk}/attendance",
                {"marks": [{"enrolment_id": a.pk, "attended": True, "passed": False, "score": 40}]})
    body = api("volunteer").get("me/training").json()
    assert body["courses_completed"] == 0 and body["history"][0]["passed"] is False
    client.post(f"training/sessions/{started.pk}/attendance",
                {"marks": [{"enrolment_id": a.pk, "attended": True, "passed": True, "score": 80}]})
    body = api("volunteer").get("me/training").json()
    assert (body["volunteer_id"], body["courses_completed"], body["sessions_attended"], body["hours"]) == (
        me.pk, 1, 1, "3.0")
    levels = {lv["level"]: lv for lv in body["levels"]}
    assert list(levels) == ["general", "basic", "intermediate", "advanced"]
    assert levels["basic"]["count"] == 1 and levels["basic"]["courses"][0]["title"] == "网格员履职能力提升培训"
    assert levels["general"]["count"] == 0


def test_my_training_for_an_account_without_a_profile_is_empty(api):
    body = api("resident").get("me/training").json()
    assert (body["volunteer_id"], body["levels"], body["history"]) == (None, [], [])
