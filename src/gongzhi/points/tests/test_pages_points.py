"""Pages: the worker's accounts, award and deduction forms, the approval and appeals queue; the resident's points
with an appeal button; the public board without login."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from gongzhi.core import clock
from gongzhi.points.models import Deduction, DeductionStatus

from .factories import adopt, give


@pytest.fixture
def rules(world):
    return adopt(world)


def test_the_worker_home_lists_subtree_people_with_balances(browser_login, world, rules):
    give(world, world.people["a"], 7)
    r = browser_login("community").get(reverse("points:home"), {"q": "张"})
    assert r.status_code == 200
    text = r.content.decode()
    assert "张三丰" in text and "7 分" in text and "王五" not in text


def test_a_resident_cannot_open_the_worker_pages(browser_login, world):
    assert browser_login("resident").get(reverse("points:home")).status_code == 403


def test_award_and_deduction_forms_then_another_worker_approves(browser_login, world, rules):
    c = browser_login("community")
    person = world.people["resident"]
    page = c.get(reverse("points:award", args=[person.pk]))
    assert "村民代表会议" in page.content.decode()  # R-J1: the page names the rule version's decision
    env = rules.items.get(code="env")
    r = c.post(reverse("points:award", args=[person.pk]), {"rule_item": env.pk, "reason": "清理楼道杂物",
                                                           "evidence": "", "idempotency_key": "p1"})
    assert r.status_code == 400 and "须注明依据" in r.content.decode()
    r = c.post(reverse("points:award", args=[person.pk]), {"rule_item": env.pk, "reason": "清理楼道杂物",
                                                           "evidence": "现场照片", "idempotency_key": "p1"})
    assert r.status_code == 302
    buf = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buf, "JPEG")
    r = c.post(reverse("points:deduct", args=[person.pk]), {
        "rule_item": rules.items.get(code="burn").pk, "reason": "焚烧秸秆", "points": 3,
        "photo": SimpleUploadedFile("a.jpg", buf.getvalue(), content_type="image/jpeg")})
    assert r.status_code == 302, r.content.decode()[:500]
    d = Deduction.objects.get()
    assert c.post(reverse("points:approve", args=[d.pk]), {"note": ""}).status_code == 403  # maker-checker
    r = browser_login("street").post(reverse("points:approve", args=[d.pk]), {"note": "属实"})
    assert r.status_code == 302
    d.refresh_from_db()
    assert d.status == DeductionStatus.APPROVED and d.evidence_photo


def test_the_resident_sees_history_and_appeals_from_the_page(browser_login, world, rules):
    person = world.people["resident"]
    give(world, person, 20)
    from gongzhi.points import services

    d = services.deduction_enter(person=person, reason="乱扔垃圾", actor=world.user("socialworker"))
    services.deduction_approve(deduction=d, actor=world.user("community"))
    c = browser_login("resident")
    page = c.get(reverse("points:mine")).content.decode()
    assert "10" in page and "测试发放" in page and "提交申诉" in page
    r = c.post(reverse("points:appeal", args=[d.pk]), {"reason": ""})
    assert r.status_code == 400
    r = c.post(reverse("points:appeal", args=[d.pk]), {"reason": "不是我扔的"})
    assert r.status_code == 302
    d.refresh_from_db()
    assert d.status == DeductionStatus.APPEALED
    r = browser_login("community").post(reverse("points:decide", args=[d.pk]), {"upheld": "1", "note": "监控显示非本人"})
    assert r.status_code == 302
    assert services.selectors.own_balance(person) == 20


def test_the_board_page_needs_no_login_and_masks_names(world, rules):
    give(world, world.people["a"], 12)
    r = Client().get(reverse("points:board", args=[world.community_a.code, clock.now().strftime("%Y-%m")]))
    text = r.content.decode()
    assert r.status_code == 200 and "张*丰" in text and "张三丰" not in text
    assert "/people/" not in text and "/points/people/" not in text
