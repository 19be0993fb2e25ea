"""Recognition pages: the volunteer's own page, the worker queue, candidates, honours, the public verify page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from gongzhi.conftest import ARTIFACTS
from gongzhi.core.testing.world import PASSWORD
from gongzhi.recognition import services
from gongzhi.recognition.models import Certificate, HonourList, StarAward, StarCandidateList

from .factories import active_volunteer, activity, record


@pytest.fixture
def served(world, vol):
    record(vol, activity(world.community_a, "天更蓝水更清", day=dt.date(2025, 4, 12)), 150)
    return vol


def test_my_page_shows_level_hours_formula_and_request_button(browser_login, served):
    client = browser_login("volunteer")
    r = client.get(reverse("recognition:mine"))
    html = r.content.decode()
    assert r.status_code == 200
    assert "150.0" in html and "尚未认定星级" in html
    assert "累计时长已达到 1 星级标准" in html and "距 2 星级（300 小时）还差 <strong>150.0</strong> 小时" in html
    assert "计分公式（第 1 版）" in html and "服务对象满意度" in html
    assert "申请开具志愿服务证明" in html


def test_my_page_for_someone_who_is_not_a_volunteer(browser_login, world):
    r = browser_login("resident").get(reverse("recognition:mine"))
    assert r.status_code == 200 and "申请成为志愿者" in r.content.decode()


def test_certificate_through_the_pages_then_verified_anonymously(browser_login, world, served):
    """申请 on my page → 受理 and 开具 in the worker queue → PDF download → public verify page, masked ID only."""
    client = browser_login("volunteer")
    r = client.post(reverse("recognition:certificate_request"), {"req-purpose": "求职"})
    assert r.status_code == 302
    cert = Certificate.objects.get()
    client = browser_login("community")
    queue = client.get(reverse("recognition:certificates")).content.decode()
    assert "亓晓雯" in queue and "受理" in queue
    assert client.post(reverse("recognition:certificate_accept", args=[cert.pk])).status_code == 302
    r = client.post(reverse("recognition:certificate_issue", args=[cert.pk]), {f"i{cert.pk}-person_in_charge": "",
                                                                            f"i{cert.pk}-contact": ""})
    assert r.status_code == 400
    r = client.post(reverse("recognition:certificate_issue", args=[cert.pk]),
                    {f"i{cert.pk}-person_in_charge": "王建华", f"i{cert.pk}-contact": "0634-6012345"})
    assert r.status_code == 302
    cert.refresh_from_db()
    assert cert.status == "issued"
    pdf = browser_login("volunteer").get(reverse("recognition:certificate_pdf", args=[cert.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    anon = Client()
    page = anon.get(reverse("recognition:verify", args=[cert.verify_code]))
    html = page.content.decode()
    assert page.status_code == 200 and "此证明真实有效" in html and "150.00" in html
    assert served.person.id_number_masked in html and served.person.id_number_clear() not in html
    missing = anon.get(reverse("recognition:verify", args=["NOPENOPENOPE"]))
    assert missing.status_code == 404 and "找不到该页面" in missing.content.decode()


def test_other_community_gets_404_pages(browser_login, world, served):
    cert = Certificate.objects.create(volunteer=served, unit=world.community_a, period_start=dt.date(2025, 1, 1),
                                      period_end=dt.date(2025, 12, 31), requested_by=world.user("volunteer"),
                                      requested_at=dt.datetime(2026, 1, 2, tzinfo=dt.UTC))
    client = browser_login("community_b")
    assert client.get(reverse("recognition:volunteer", args=[served.pk])).status_code == 404
    assert client.post(reverse("recognition:certificate_accept", args=[cert.pk])).status_code == 404
    assert client.get(reverse("recognition:certificate_pdf", args=[cert.pk])).status_code == 404
    assert browser_login("resident").get(reverse("recognition:certificates")).status_code == 403


def test_candidates_published_by_a_worker_and_approved_by_an_admin(browser_login, world, served):
    """R-V8: the page computes the list, the community worker publishes it, the street admin approves."""
    client = browser_login("community")
    preview = client.get(reverse("recognition:candidates"), {"unit": world.community_a.pk,
                                                            "period_end": "2025-12-31"}).content.decode()
    assert "亓晓雯" in preview and "公示候选名单" in preview
    r = client.post(reverse("recognition:candidates_publish"), {"unit": world.community_a.pk,
                                                               "period_end": "2025-12-31"})
    assert r.status_code == 302
    assert "审批通过并认定星级" not in client.get(reverse("recognition:candidates")).content.decode()
    admin = browser_login("street")
    page = admin.get(reverse("recognition:candidates")).content.decode()
    assert "审批通过并认定星级" in page
    cl = StarCandidateList.objects.get()
    assert admin.post(reverse("recognition:candidates_approve", args=[cl.pk])).status_code == 302
    assert list(StarAward.objects.values_list("level", flat=True)) == [1]


def test_honours_page_publishes_a_list(browser_login, world, served):
    active_volunteer(world, "乙", world.community_a, seq=81)
    client = browser_login("community")
    r = client.post(reverse("recognition:honours"), {"unit": world.community_a.pk, "year": 2025,
                                                    "title": "优秀志愿者", "top": 10})
    assert r.status_code == 302
    page = client.get(reverse("recognition:honours")).content.decode()
    assert "2025年度优秀志愿者" in page and "亓晓雯" in page
    assert HonourList.objects.get().honours.count() == 1


def test_worker_rates_from_the_volunteer_page(browser_login, world, served):
    client = browser_login("community")
    act = served.service_records.get().activity
    page = client.get(reverse("recognition:volunteer", args=[served.pk])).content.decode()
    assert "评价本次服务" in page
    r = client.post(reverse("recognition:rate", args=[served.pk]), {"rate-activity": act.pk, "rate-score": 6,
                                                                    "rate-rater_kind": "organiser"})
    assert r.status_code == 400
    r = client.post(reverse("recognition:rate", args=[served.pk]), {"rate-activity": act.pk, "rate-score": 5,
                                                                    "rate-rater_kind": "organiser"})
    assert r.status_code == 302
    assert "5 分" in client.get(reverse("recognition:volunteer", args=[served.pk])).content.decode()


def test_my_page_and_verify_page_on_a_phone(chromium_page, live_server, world, served):
    """The volunteer's page and the public verify page fit a 390 px phone; screenshots in test-artifacts/."""
    cert = services.certificate_request(volunteer=served, actor=world.user("community"))
    services.certificate_accept(certificate=cert, actor=world.user("community"))
    cert = services.certificate_issue(certificate=cert, actor=world.user("community"), person_in_charge="王建华",
                                      contact="0634-6012345")
    page = chromium_page
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "t-volunteer")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}{reverse('recognition:mine')}")
    page.wait_for_selector("text=我的志愿服务证明")
    page.screenshot(path=str(ARTIFACTS / "recognition-mine-phone.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.context.clear_cookies()
    page.goto(f"{live_server.url}{reverse('recognition:verify', args=[cert.verify_code])}")
    page.wait_for_selector("text=此证明真实有效")
    page.screenshot(path=str(ARTIFACTS / "recognition-verify-phone.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
