"""Volunteer pages: list, self application, 代为登记 by a worker, multi-round review queue, suspend/reinstate."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from gongzhi.people import services
from gongzhi.people.identity import make_id_number
from gongzhi.people.models import ConsentPurpose, ConsentRecord, VolunteerProfile, VolunteerStatus
from gongzhi.people.services import PersonInput, person_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def applied(world):
    """张三丰 registered by the community worker, awaiting review."""
    return services.volunteer_apply(person=world.people["a"], actor=world.user("community"), skills=["first_aid"],
                                    consent_confirmed=True)


@pytest.fixture
def active(applied, world):
    services.volunteer_review(profile=applied, actor=world.user("community"), decision="pass")
    services.volunteer_review(profile=applied, actor=world.user("socialworker"), decision="pass")
    applied.refresh_from_db()
    return applied


def test_resident_applies_for_themself(browser_login, world):
    """A resident with a linked record applies; the profile is 'applied' with a volunteer number (R-V3)."""
    client = browser_login("resident")
    r = client.get(reverse("people:volunteer_apply"))
    assert r.status_code == 200 and "申请成为志愿者" in r.content.decode() and "赵六" in r.content.decode()
    r = client.post(reverse("people:volunteer_apply"), {"skills": ["first_aid", "legal"], "availability": ["weekend_day"],
                                                       "motivation": "想帮助邻居", "agree": "on"})
    profile = VolunteerProfile.objects.get(person=world.people["resident"])
    assert r.status_code == 302 and r["Location"] == reverse("people:volunteer", args=[profile.pk])
    assert profile.status == VolunteerStatus.APPLIED and profile.number.startswith("ZY370117")
    body = client.get(r["Location"]).content.decode()
    assert "已申请" in body and "周末白天" in body and profile.number in body
    # applying again just leads to the profile
    assert client.get(reverse("people:volunteer_apply"))["Location"] == reverse("people:volunteer", args=[profile.pk])


def test_self_application_needs_the_agreement_box(browser_login, world):
    """Without ticking the consent box the form answers 400 and nothing is registered (R-V2)."""
    r = browser_login("resident").post(reverse("people:volunteer_apply"), {"skills": ["first_aid"]})
    assert r.status_code == 400
    assert not VolunteerProfile.objects.exists()


def test_account_without_person_sees_a_clear_message(browser_login):
    """An account with no resident record is told to register with the community first."""
    client = browser_login("volunteer")
    r = client.get(reverse("people:volunteer_apply"))
    assert r.status_code == 200 and "未关联居民档案" in r.content.decode()
    r = client.post(reverse("people:volunteer_apply"), {"agree": "on"})
    assert r.status_code == 409
    assert not VolunteerProfile.objects.exists()


def test_worker_registration_needs_consent_confirmed(browser_login, world):
    """代为登记 without confirming the resident's consent is refused on that field (R-V2); with it, saved."""
    client = browser_login("community")
    url = reverse("people:volunteer_register", args=[world.people["a"].pk])
    assert client.get(url).status_code == 200
    r = client.post(url, {"skills": ["first_aid"]})
    assert r.status_code == 400 and "须本人同意后方可登记为志愿者" in r.content.decode()
    assert not VolunteerProfile.objects.exists()
    r = client.post(url, {"skills": ["first_aid"], "consent_confirmed": "on"})
    assert r.status_code == 302
    assert VolunteerProfile.objects.get().status == VolunteerStatus.APPLIED


def test_worker_registration_of_minor_needs_guardian(browser_login, world):
    """A 12-year-old can only be registered with a guardian's consent (R-V9); it is recorded as a consent row."""
    today = dt.date.today()
    child = person_create(data=PersonInput(name="小华", unit=world.community_a, guardian_name="李梅",
                                           id_number=make_id_number("370117", today.replace(year=today.year - 12, day=1), 41)),
                          actor=world.user("community"))
    client = browser_login("community")
    url = reverse("people:volunteer_register", args=[child.pk])
    assert "须填写监护人姓名" in client.get(url).content.decode()
    r = client.post(url, {"consent_confirmed": "on"})
    assert r.status_code == 400 and "监护人同意" in r.content.decode()
    r = client.post(url, {"consent_confirmed": "on", "guardian_name": "李梅"})
    assert r.status_code == 302
    assert ConsentRecord.objects.filter(person=child, purpose=ConsentPurpose.GUARDIAN, note="volunteer").exists()


def test_worker_registration_for_other_street_person_is_404(browser_login, world):
    """A worker cannot register a person they cannot see."""
    url = reverse("people:volunteer_register", args=[world.people["b"].pk])
    assert browser_login("community").get(url).status_code == 404


def test_mediator_may_not_register_volunteers(browser_login, world):
    """Registering needs volunteers.register: a mediator who can view the person gets 403."""
    url = reverse("people:volunteer_register", args=[world.people["a"].pk])
    assert browser_login("mediator").get(url).status_code == 403


def test_two_round_review_by_two_reviewers_activates(browser_login, world, applied):
    """Round 1 by one reviewer, round 2 by another: the volunteer becomes active (多轮筛选)."""
    client = browser_login("community")
    body = client.get(reverse("people:review_queue")).content.decode()
    assert "张三丰" in body and "待第 1 / 2 轮" in body
    prefix = f"r{applied.pk}"
    r = client.post(reverse("people:volunteer_review", args=[applied.pk]),
                    {f"{prefix}-decision": "pass", f"{prefix}-note": "材料齐全"})
    assert r.status_code == 302
    applied.refresh_from_db()
    assert applied.status == VolunteerStatus.SCREENING
    # the same reviewer cannot take round 2: the queue says so, and a POST is refused with 400
    body = client.get(reverse("people:review_queue")).content.decode()
    assert "下一轮须由其他审核人完成" in body
    r = client.post(reverse("people:volunteer_review", args=[applied.pk]), {f"{prefix}-decision": "pass"})
    assert r.status_code == 400 and "同一审核人" in r.content.decode()

    client = browser_login("socialworker")
    assert "待第 2 / 2 轮" in client.get(reverse("people:review_queue")).content.decode()
    r = client.post(reverse("people:volunteer_review", args=[applied.pk]),
                    {f"{prefix}-decision": "pass", f"{prefix}-note": "面谈通过"})
    assert r.status_code == 302
    applied.refresh_from_db()
    assert applied.status == VolunteerStatus.ACTIVE
    body = client.get(reverse("people:volunteer", args=[applied.pk])).content.decode()
    assert "在册" in body and "材料齐全" in body and "面谈通过" in body


def test_review_without_decision_is_400(browser_login, applied):
    """A review must say pass or reject."""
    r = browser_login("community").post(reverse("people:volunteer_review", args=[applied.pk]), {})
    assert r.status_code == 400
    applied.refresh_from_db()
    assert applied.status == VolunteerStatus.APPLIED


def test_reject_ends_screening(browser_login, applied):
    """A rejected round ends screening with status rejected."""
    prefix = f"r{applied.pk}"
    browser_login("socialworker").post(reverse("people:volunteer_review", args=[applied.pk]),
                                       {f"{prefix}-decision": "reject", f"{prefix}-note": "联系不上"})
    applied.refresh_from_db()
    assert applied.status == VolunteerStatus.REJECTED


def test_review_queue_forbidden_for_grid_worker_and_other_street_sees_nothing(browser_login, applied):
    """Grid workers do not review (403); a worker of another street sees an empty queue and 404 on POST."""
    assert browser_login("grid").get(reverse("people:review_queue")).status_code == 403
    client = browser_login("community_b")
    assert "张三丰" not in client.get(reverse("people:review_queue")).content.decode()
    r = client.post(reverse("people:volunteer_review", args=[applied.pk]), {f"r{applied.pk}-decision": "pass"})
    assert r.status_code == 404


def test_volunteer_list_filters_by_status_and_skill(browser_login, active, world):
    """The list filters by status and skill and searches by initials."""
    services.volunteer_apply(person=world.people["a_grid"], actor=world.user("community"), consent_confirmed=True)
    client = browser_login("community")
    body = client.get(reverse("people:volunteers")).content.decode()
    assert "张三丰" in body and "李四" in body
    body = client.get(reverse("people:volunteers"), {"status": "active"}).content.decode()
    assert "张三丰" in body and "李四" not in body
    body = client.get(reverse("people:volunteers"), {"skill": "first_aid"}).content.decode()
    assert "张三丰" in body and "李四" not in body
    body = client.get(reverse("people:volunteers"), {"q": "ls"}, HTTP_HX_REQUEST="true").content.decode()
    assert "李四" in body and "张三丰" not in body and "<html" not in body


def test_volunteer_list_forbidden_for_resident_and_detail_404_for_other_street(browser_login, active):
    """Residents cannot list volunteers; another street's worker gets 404 for this volunteer."""
    assert browser_login("resident").get(reverse("people:volunteers")).status_code == 403
    assert browser_login("community_b").get(reverse("people:volunteer", args=[active.pk])).status_code == 404


def test_suspend_and_reinstate(browser_login, active):
    """A manager suspends with a reason and reinstates; both are in the status history."""
    client = browser_login("community")
    body = client.get(reverse("people:volunteer", args=[active.pk])).content.decode()
    assert "暂停志愿者" in body
    r = client.post(reverse("people:volunteer_suspend", args=[active.pk]), {"suspend-reason": ""})
    assert r.status_code == 400
    r = client.post(reverse("people:volunteer_suspend", args=[active.pk]), {"suspend-reason": "长期联系不上"})
    assert r.status_code == 302
    active.refresh_from_db()
    assert active.status == VolunteerStatus.SUSPENDED
    r = client.post(reverse("people:volunteer_reinstate", args=[active.pk]), {"reinstate-reason": "已恢复联系"})
    assert r.status_code == 302
    active.refresh_from_db()
    assert active.status == VolunteerStatus.ACTIVE
    body = client.get(reverse("people:volunteer", args=[active.pk])).content.decode()
    assert "长期联系不上" in body and "已恢复联系" in body


def test_suspend_forbidden_for_social_worker(browser_login, active):
    """Social workers review but do not manage: no suspend button, and a POST is 403."""
    client = browser_login("socialworker")
    assert "暂停志愿者" not in client.get(reverse("people:volunteer", args=[active.pk])).content.decode()
    r = client.post(reverse("people:volunteer_suspend", args=[active.pk]), {"suspend-reason": "x"})
    assert r.status_code == 403


def test_certificate_add(browser_login, active):
    """A manager adds a certificate that then shows on the profile."""
    client = browser_login("community")
    r = client.post(reverse("people:certificate_add", args=[active.pk]),
                    {"cert-name": "红十字救护员证", "cert-number": "HS-001", "cert-skill": "first_aid"})
    assert r.status_code == 302
    assert "红十字救护员证" in client.get(reverse("people:volunteer", args=[active.pk])).content.decode()


def test_review_queue_query_count_does_not_grow_with_reviewed_applications(browser_login, world):
    """The queue names each round's reviewer without a query per review (no N+1)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = browser_login("district")

    def screened(key: str):
        profile = services.volunteer_apply(person=world.people[key], actor=world.user("district"), consent_confirmed=True)
        services.volunteer_review(profile=profile, actor=world.user("socialworker2"), decision="pass")

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            r = client.get(reverse("people:review_queue"))
        assert r.status_code == 200
        return len(ctx.captured_queries)

    screened("a")
    one = queries()
    screened("a_grid")
    screened("resident")
    assert queries() == one
    assert VolunteerProfile.objects.filter(status=VolunteerStatus.SCREENING).count() == 3
