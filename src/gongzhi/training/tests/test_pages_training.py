"""Training pages: the list with enrol buttons, course and session pages, the organiser's roster, my record."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gongzhi.training.models import AttendanceMark, Course, Enrolment, Session, SessionStatus

from .conftest import active_volunteer, at

pytestmark = pytest.mark.django_db


def test_volunteer_sees_upcoming_sessions_with_an_enrol_button(browser_login, session, me):
    """The list shows the session open to the volunteer with a 报名 button posting to its enrol URL."""
    body = browser_login("volunteer").get(reverse("training:list")).content.decode()
    assert "网格员履职能力提升培训" in body and "初级" in body
    assert reverse("training:enrol", args=[session.pk]) in body and "我的培训记录" in body


def test_volunteer_enrols_with_htmx(browser_login, session, me):
    """An htmx POST swaps the button for 已报名; the place is taken."""
    client = browser_login("volunteer")
    r = client.post(reverse("training:enrol", args=[session.pk]), HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and "已报名" in r.content.decode()
    assert Enrolment.objects.filter(session=session, volunteer=me).exists()
    r = client.post(reverse("training:enrol", args=[session.pk]), HTTP_HX_REQUEST="true")
    assert r.status_code == 409 and "已报名本场次" in r.content.decode()


def test_enrolling_into_a_full_session_shows_the_reason(browser_login, world, session, me):
    for i in range(2):
        v = active_volunteer(world, f"队员{'甲乙'[i]}", world.community_a, seq=71 + 2 * i)
        Enrolment.objects.create(session=session, volunteer=v, enrolled_at=at(0), enrolled_by=world.user("community"))
    Session.objects.filter(pk=session.pk).update(enrolled_count=2)
    r = browser_login("volunteer").post(reverse("training:enrol", args=[session.pk]))
    assert r.status_code == 409 and "名额已满" in r.content.decode()


def test_worker_opens_a_course_from_the_list(browser_login, world):
    """The 开设课程 form creates the course and leads to its page; a bad 学时 stays on the form with 400."""
    client = browser_login("community")
    r = client.post(reverse("training:list"), {"unit": world.community_a.pk, "title": "急救技能培训",
                                                "level": "basic", "hours": "0", "skill": "first_aid"})
    assert r.status_code == 400 and "学时须大于0" in r.content.decode()
    r = client.post(reverse("training:list"), {"unit": world.community_a.pk, "title": "急救技能培训",
                                                "level": "basic", "hours": "3", "skill": "first_aid"})
    course = Course.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("training:course", args=[course.pk])
    assert "急救技能培训" in client.get(r["Location"]).content.decode()


def test_worker_schedules_a_session_and_bad_times_are_refused(browser_login, course):
    client = browser_login("community")
    url = reverse("training:course", args=[course.pk])
    body = {"starts_at": at(3).strftime("%Y-%m-%dT%H:%M"), "ends_at": at(3, -1).strftime("%Y-%m-%dT%H:%M"),
            "place": "永兴社区党群服务中心", "capacity": 20}
    r = client.post(url, body)
    assert r.status_code == 400 and "结束时间须晚于开始时间" in r.content.decode()
    r = client.post(url, body | {"ends_at": at(3, 2).strftime("%Y-%m-%dT%H:%M")})
    s = Session.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("training:session", args=[s.pk])


def test_team_leader_cannot_post_a_session(browser_login, course):
    r = browser_login("teamleader").post(reverse("training:course", args=[course.pk]), {"place": "x"})
    assert r.status_code == 403


def test_organiser_marks_the_roster_and_corrects_it(browser_login, started):
    """Checkboxes per row; saving again with a change appends a correction and keeps the original (R-V6)."""
    client = browser_login("community")
    page = client.get(reverse("training:session", args=[started.pk])).content.decode()
    a, b = started.enrolments.order_by("pk")
    assert f'name="attended_{a.pk}"' in page and "陈志愿" in page and "吴九" in page
    url = reverse("training:attendance", args=[started.pk])
    r = client.post(url, {f"attended_{a.pk}": "1", f"score_{a.pk}": "90", f"passed_{a.pk}": "yes",
                          f"seen_{a.pk}": "", f"seen_{b.pk}": ""}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and "2 条新记录" in r.content.decode()
    assert AttendanceMark.objects.get(enrolment=b).attended is False
    first = AttendanceMark.objects.get(enrolment=a)
    r = client.post(url, {f"attended_{a.pk}": "1", f"score_{a.pk}": "95", f"passed_{a.pk}": "yes",
                          f"seen_{a.pk}": str(first.pk), f"seen_{b.pk}": str(AttendanceMark.objects.get(enrolment=b).pk)})
    assert r.status_code == 302
    assert AttendanceMark.objects.filter(enrolment=a).count() == 2
    assert AttendanceMark.objects.current().get(enrolment=a).supersedes == first
    started.refresh_from_db()
    assert started.status == SessionStatus.HELD


def test_roster_refuses_a_score_out_of_range(browser_login, started):
    a, b = started.enrolments.order_by("pk")
    r = browser_login("community").post(reverse("training:attendance", args=[started.pk]),
                                        {f"attended_{a.pk}": "1", f"score_{a.pk}": "120"})
    assert r.status_code == 400 and "成绩须在0到100之间" in r.content.decode()
    assert not AttendanceMark.objects.exists()


def test_volunteer_sees_no_roster_and_cannot_mark(browser_login, started, me):
    client = browser_login("volunteer")
    page = client.get(reverse("training:session", args=[started.pk])).content.decode()
    assert "报名名单与签到" not in page and "已报名" in page
    assert client.post(reverse("training:attendance", args=[started.pk]), {}).status_code == 403


def test_other_street_session_page_is_404(browser_login, session):
    assert browser_login("street_b").get(reverse("training:session", args=[session.pk])).status_code == 404
    assert browser_login("community_b").get(reverse("training:course", args=[session.course_id])).status_code == 404


def test_worker_enrols_by_volunteer_number(browser_login, world, session):
    v = active_volunteer(world, "吴九", world.community_a, seq=91)
    client = browser_login("community")
    r = client.post(reverse("training:enrol", args=[session.pk]), {"number": "ZY000"})
    assert r.status_code == 400 and "未找到该编号" in r.content.decode()
    r = client.post(reverse("training:enrol", args=[session.pk]), {"number": v.number.lower()})
    assert r.status_code == 302 and Enrolment.objects.filter(volunteer=v).exists()


def test_cancel_page_flow(browser_login, session):
    client = browser_login("community")
    r = client.post(reverse("training:cancel", args=[session.pk]), {"reason": "天气原因"})
    assert r.status_code == 302
    session.refresh_from_db()
    assert session.status == SessionStatus.CANCELLED
    assert "天气原因" in client.get(r["Location"]).content.decode()


def test_my_training_page_shows_courses_by_level(browser_login, started, me, world):
    """R-V2 培训情况: completed courses under their level, with 学时 and score."""
    AttendanceMark.objects.create(enrolment=started.enrolments.get(volunteer=me), attended=True, passed=True,
                                  score=86, marked_by=world.user("community"), marked_at=at(0))
    body = browser_login("volunteer").get(reverse("training:mine")).content.decode()
    assert "我的培训记录" in body and "初级" in body and "网格员履职能力提升培训" in body and "成绩 86" in body


def test_my_training_page_for_a_non_volunteer(browser_login):
    body = browser_login("resident").get(reverse("training:mine")).content.decode()
    assert "当前账号不是登记的志愿者" in body


# live_server flushes the database afterwards; serialized_rollback restores the migration-seeded rows (and keeps the
# flush from re-creating content types under the next serialized test's feet)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_session_page_on_a_phone(chromium_page, live_server, world, started, me):
    """The organiser's roster renders on a 390 px phone screen; screenshot in test-artifacts/."""
    from gongzhi.conftest import ARTIFACTS
    from gongzhi.core.testing.world import PASSWORD

    page = chromium_page
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "t-community")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}{reverse('training:session', args=[started.pk])}")
    page.wait_for_selector("#roster")
    page.check(f"input[name=attended_{started.enrolments.order_by('pk').first().pk}]")
    page.click("#roster button[type=submit]")
    page.wait_for_selector("#roster .notice.info")
    page.screenshot(path=str(ARTIFACTS / "training-roster-phone.png"), full_page=True)
    assert AttendanceMark.objects.filter(enrolment__session=started).count() == 2
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
