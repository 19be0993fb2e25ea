"""志愿服务证明 over HTTP (R-V7): 申请 → 受理 → 开具, frozen contents, PDF, public verification, scoping."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess

import pytest

from gongzhi.conftest import ARTIFACTS, ApiClient
from gongzhi.people.models import ConsentPurpose, ConsentRecord
from gongzhi.recognition.models import Certificate, CertificateEvent

from .factories import active_volunteer, activity, correct, record


def _need_poppler():
    if shutil.which("pdftoppm") and shutil.which("pdftotext"):
        return
    if os.environ.get("GONGZHI_REQUIRE_BROWSER") == "1":
        pytest.fail("poppler-utils (pdftoppm, pdftotext) must be installed")
    pytest.skip("poppler-utils not installed")


@pytest.fixture
def served(world, vol):
    """亓晓雯 served 3 activities of 永兴社区 in 2025 (12.5 h) and one of 洪沟社区 (not 永兴's to certify)."""
    a1 = activity(world.community_a, "天更蓝水更清·河道清理", day=dt.date(2025, 4, 12))
    a2 = activity(world.community_a, "文明交通引导", day=dt.date(2025, 6, 1))
    a3 = activity(world.grid_a, "暑期五彩课堂", day=dt.date(2025, 7, 20))
    far = activity(world.community_b, "义诊义剪", day=dt.date(2025, 8, 2))
    recs = [record(vol, a1, 4), record(vol, a2, "3.5"), record(vol, a3, 5), record(vol, far, 2)]
    return recs


def _issue(api, cert_id, who="community"):
    r = api(who).post(f"recognition/certificates/{cert_id}/accept", {})
    assert r.status_code == 200, r.content
    r = api(who).post(f"recognition/certificates/{cert_id}/issue",
                      {"person_in_charge": "王建华", "contact": "0634-6012345", "notes": "用于升学材料"})
    assert r.status_code == 200, r.content
    return r.json()


def test_whole_flow_request_accept_issue_verify(api, world, vol, served):
    """R-V7: the volunteer requests, a worker accepts and issues; the contents are those R-V7 lists; free."""
    r = api("volunteer").post("recognition/certificates", {"period_start": "2025-01-01",
                                                            "period_end": "2025-12-31", "purpose": "升学"})
    assert r.status_code == 201, r.content
    cert = r.json()
    assert (cert["status"], cert["verify_code"], cert["unit"]) == ("requested", None, "永兴社区")
    issued = _issue(api, cert["id"])
    c = issued["contents"]
    assert issued["status"] == "issued"
    assert len(issued["verify_code"]) == 12 and issued["verify_code"].isalnum()
    assert c["volunteer_name"] == "亓晓雯" and c["id_type"] == "居民身份证"
    assert c["id_number_masked"].startswith("370117") and "*" in c["id_number_masked"]
    assert c["volunteer_number"] == vol.number
    assert c["hours"] == "12.50" and c["activity_count"] == 3  # 洪沟社区's activity is not 永兴's to certify (R-V5)
    assert [x["title"] for x in c["content"]] == ["暑期五彩课堂", "天更蓝水更清·河道清理", "文明交通引导"]
    assert (c["period_start"], c["period_end"]) == ("2025-01-01", "2025-12-31")
    assert (c["issuer_name"], c["person_in_charge"], c["handler"], c["contact"]) == (
        "永兴社区", "王建华", "community", "0634-6012345")
    assert c["number"].startswith("ZM3701170010012026") and c["issue_date"] == "2026-01-10"
    assert c["notes"] == "用于升学材料" and c["free_of_charge"] is True
    assert list(CertificateEvent.objects.filter(certificate_id=cert["id"]).values_list("to_status", flat=True)) == [
        "requested", "accepted", "issued"]

    anon = ApiClient(None)
    v = anon.get(f"recognition/certificates/verify/{issued['verify_code'].lower()}")
    assert v.status_code == 200, v.content
    body = v.json()
    assert body["valid"] is True and body["hours"] == "12.50" and body["volunteer_name"] == "亓晓雯"
    assert body["id_number_masked"] == c["id_number_masked"]
    assert vol.person.id_number_clear() not in v.content.decode()


def test_issued_certificate_is_unchanged_by_a_later_correction(api, world, vol, served):
    """R-V7: a correction after issue changes the totals, never the issued certificate."""
    cert = api("community").post("recognition/certificates", {"volunteer_id": vol.pk}).json()
    issued = _issue(api, cert["id"])
    correct(served[0], 1, reason="签退时间有误")
    assert api("volunteer").get("me/recognition").json()["star"]["hours"] == "11.50"
    again = api("community").get(f"recognition/certificates/{cert['id']}").json()
    assert again["contents"] == issued["contents"] and again["contents"]["hours"] == "12.50"
    assert ApiClient(None).get(f"recognition/certificates/verify/{issued['verify_code']}").json()["hours"] == "12.50"


def test_revoked_certificate_verifies_as_revoked(api, world, vol, served):
    cert = api("community").post("recognition/certificates", {"volunteer_id": vol.pk}).json()
    issued = _issue(api, cert["id"])
    r = api("community").post(f"recognition/certificates/{cert['id']}/revoke", {"reason": "重复开具"})
    assert r.status_code == 200 and r.json()["status"] == "revoked"
    body = ApiClient(None).get(f"recognition/certificates/verify/{issued['verify_code']}").json()
    assert (body["valid"], body["status"]) == (False, "revoked")


def test_unknown_code_is_not_found_and_pending_certificates_do_not_verify(api, vol, served):
    cert = api("volunteer").post("recognition/certificates", {}).json()
    anon = ApiClient(None)
    assert anon.get("recognition/certificates/verify/AAAABBBBCCCC").status_code == 404
    assert Certificate.objects.get(pk=cert["id"]).verify_code is None


def test_steps_out_of_order_are_refused(api, vol, served):
    cert = api("volunteer").post("recognition/certificates", {}).json()
    r = api("community").post(f"recognition/certificates/{cert['id']}/issue",
                              {"person_in_charge": "王建华", "contact": "0634-6012345"})
    assert (r.status_code, r.json()["code"]) == (409, "recognition.bad_transition")
    assert api("community").post(f"recognition/certificates/{cert['id']}/accept", {}).status_code == 200
    r = api("community").post(f"recognition/certificates/{cert['id']}/issue", {"person_in_charge": " ", "contact": "1"})
    assert (r.status_code, r.json()["code"]) == (400, "recognition.field_required")
    assert Certificate.objects.get(pk=cert["id"]).status == "accepted"


def test_volunteer_cannot_accept_and_other_community_cannot_see(api, vol, served):
    """Scoping: the volunteer may not accept their own request (403); 洪沟社区's worker does not see it (404)."""
    cert = api("volunteer").post("recognition/certificates", {}).json()
    assert api("volunteer").post(f"recognition/certificates/{cert['id']}/accept", {}).status_code == 403
    assert api("community_b").get(f"recognition/certificates/{cert['id']}").status_code == 404
    assert api("community_b").post(f"recognition/certificates/{cert['id']}/accept", {}).status_code == 404
    assert api("community_b").get(f"recognition/certificates/{cert['id']}/pdf").status_code == 404
    assert cert["id"] not in {c["id"] for c in api("community_b").get("recognition/certificates").json()["items"]}


def test_a_period_in_the_future_is_refused(api, vol, served):
    r = api("volunteer").post("recognition/certificates", {"period_start": "2025-01-01", "period_end": "2026-02-01"})
    assert (r.status_code, r.json()["code"]) == (400, "recognition.period_invalid")
    assert not Certificate.objects.exists()


def test_nothing_to_certify_is_refused_at_issue(api, world, vol, served):
    cert = api("volunteer").post("recognition/certificates", {"period_start": "2025-10-01",
                                                               "period_end": "2025-12-31"}).json()
    api("community").post(f"recognition/certificates/{cert['id']}/accept", {})
    r = api("community").post(f"recognition/certificates/{cert['id']}/issue",
                              {"person_in_charge": "王建华", "contact": "0634-6012345"})
    assert (r.status_code, r.json()["code"]) == (409, "recognition.no_hours")
    assert Certificate.objects.get(pk=cert["id"]).number is None


def test_minor_certificate_names_guardian_consent(api, world, frozen):
    """R-V9: a minor's certificate names the guardian's consent; without one it is not issued."""
    kid = active_volunteer(world, "小明", world.community_a, seq=71, birth=dt.date(2012, 3, 4))
    record(kid, activity(world.community_a, "学雷锋", day=dt.date(2025, 3, 5)), 2)
    cert = api("community").post("recognition/certificates", {"volunteer_id": kid.pk}).json()
    api("community").post(f"recognition/certificates/{cert['id']}/accept", {})
    issue = {"person_in_charge": "王建华", "contact": "0634-6012345"}
    ConsentRecord.objects.filter(person=kid.person, purpose=ConsentPurpose.GUARDIAN).delete()
    r = api("community").post(f"recognition/certificates/{cert['id']}/issue", issue)
    assert (r.status_code, r.json()["code"]) == (409, "recognition.guardian_consent_missing")
    ConsentRecord.objects.create(person=kid.person, purpose=ConsentPurpose.GUARDIAN, granted=True,
                                 guardian_name="小明妈妈")
    c = api("community").post(f"recognition/certificates/{cert['id']}/issue", issue).json()["contents"]
    assert c["minor"] is True and c["guardian"]["name"] == "小明妈妈"


def test_no_hours_recognised_before_the_sixth_birthday(api, world, frozen):
    """R-V9 (configurable, default 6): service before the 6th birthday is not on the certificate."""
    kid = active_volunteer(world, "小红", world.community_a, seq=73, birth=dt.date(2019, 6, 1))
    ConsentRecord.objects.create(person=kid.person, purpose=ConsentPurpose.GUARDIAN, granted=True,
                                 guardian_name="小红爸爸")
    record(kid, activity(world.community_a, "亲子环保", day=dt.date(2025, 5, 31)), 2)
    record(kid, activity(world.community_a, "亲子环保二期", day=dt.date(2025, 6, 1)), 3)
    cert = api("community").post("recognition/certificates", {"volunteer_id": kid.pk}).json()
    c = _issue(api, cert["id"])["contents"]
    assert (c["hours"], c["excluded_under_age_hours"]) == ("3.00", "2.00")


def test_pdf_shows_name_hours_and_code(api, world, vol, served):
    """The PDF renders (pdftoppm) and its text carries the name, the hours and the verification code."""
    _need_poppler()
    cert = api("volunteer").post("recognition/certificates", {"period_start": "2025-01-01",
                                                               "period_end": "2025-12-31"}).json()
    issued = _issue(api, cert["id"])
    r = api("volunteer").get(f"recognition/certificates/{cert['id']}/pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf = ARTIFACTS / "recognition-certificate.pdf"
    pdf.write_bytes(r.content)
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-singlefile", str(pdf), str(ARTIFACTS / "recognition-certificate")],
                   check=True)
    png = ARTIFACTS / "recognition-certificate.png"
    assert png.stat().st_size > 20_000
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    assert "志愿服务证明" in text.replace(" ", "")
    assert "亓晓雯" in text and "12.50" in text and issued["verify_code"] in text
    assert issued["contents"]["id_number_masked"] in text and vol.person.id_number_clear() not in text
    assert "免费出具" in text


def test_missing_font_is_a_clear_refusal(api, world, vol, served, settings):
    cert = api("volunteer").post("recognition/certificates", {}).json()
    _issue(api, cert["id"])
    settings.CJK_FONT_PATH = "/nonexistent/font.ttc"
    r = api("volunteer").get(f"recognition/certificates/{cert['id']}/pdf")
    assert (r.status_code, r.json()["code"]) == (409, "recognition.font_missing")


def test_volunteer_is_notified_when_issued(api, world, vol, served):
    from gongzhi.notifications.models import Notification

    cert = api("volunteer").post("recognition/certificates", {}).json()
    issued = _issue(api, cert["id"])
    note = Notification.objects.get(user=world.user("volunteer"), kind="recognition.certificate_issued")
    assert issued["number"] in note.body and note.url == "/recognition/"
