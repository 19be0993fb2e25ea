"""Pages: QR code, scanned check-in link, geofenced check-in, batch entry, confirmation, records, own history."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.urls import reverse

from gongzhi.hours import services
from gongzhi.hours.models import Attendance, Dispute, RecordKind, ServiceRecord
from gongzhi.hours.services import checkin_token

from .factories import local


def _login(client, world, name):
    client.force_login(world.user(name), backend="gongzhi.accounts.backends.PhoneOrUsernameBackend")
    return client


def test_qr_page_shows_a_refreshing_code(client, world, scene, clock):
    """The organiser's QR page embeds an SVG of the absolute check-in URL and re-fetches it every 20 s."""
    _login(client, world, "community")
    r = client.get(reverse("hours:qr", args=[scene.activity.pk]))
    html = r.content.decode()
    assert r.status_code == 200 and "<svg" in html and 'hx-trigger="every 20s"' in html
    assert f'data-url="http://testserver/hours/checkin/{checkin_token(scene.activity)}/"' in html
    part = client.get(reverse("hours:qr_image", args=[scene.activity.pk]), HTTP_HX_REQUEST="true")
    assert part.status_code == 200 and "<svg" in part.content.decode() and "<html" not in part.content.decode()


def test_qr_page_is_scoped(client, world, scene):
    """Another street's worker gets 404; a role without hours.confirm gets 403."""
    _login(client, world, "community_b")
    assert client.get(reverse("hours:qr", args=[scene.activity.pk])).status_code == 404
    _login(client, world, "grid")
    assert client.get(reverse("hours:qr", args=[scene.activity.pk])).status_code == 403


def test_scanned_link_logs_in_and_checks_in(client, world, scene, clock):
    """Anonymous scan → login → back on the page (even after the code rotated) → 签到 → 签退."""
    clock.set(2026, 5, 9, 8, 50)
    url = reverse("hours:checkin", args=[checkin_token(scene.activity)])
    r = client.get(url)
    assert r.status_code == 302 and r["Location"].startswith(reverse("web:login")) and "next=" in r["Location"]
    clock.set(2026, 5, 9, 8, 53)  # logging in took three minutes: the code expired, the remembered scan did not
    _login(client, world, "volunteer")
    r = client.get(url)
    html = r.content.decode()
    assert r.status_code == 200 and "敬老院义剪" in html and "尚未签到" in html and ">签到<" in html
    r = client.post(url, {"action": "in"})
    assert r.status_code == 302
    attendance = Attendance.objects.get()
    assert attendance.in_method == "qr" and attendance.day == dt.date(2026, 5, 9)
    html = client.get(url).content.decode()
    assert "已于 08:53 签到" in html and ">签退<" in html
    clock.set(2026, 5, 9, 9, 2)  # the remembered scan is 12 minutes old: checking out needs a fresh scan
    assert client.post(url, {"action": "out"}).status_code == 400
    fresh = reverse("hours:checkin", args=[checkin_token(scene.activity)])
    r = client.post(fresh, {"action": "out"})
    assert r.status_code == 302
    attendance.refresh_from_db()
    assert attendance.checked_out_at == local(2026, 5, 9, 9, 2)


def test_expired_or_forged_link_is_a_clear_error(client, world, scene, clock):
    """An expired or forged code → 400 with a Chinese message; nothing is saved."""
    clock.set(2026, 5, 9, 9, 0)
    token = checkin_token(scene.activity)
    clock.set(2026, 5, 9, 9, 2)
    _login(client, world, "volunteer")
    for t in (token, token[:-3] + "abc", "nonsense"):
        r = client.get(reverse("hours:checkin", args=[t]))
        assert r.status_code == 400 and "签到二维码无效或已过期" in r.content.decode()
        r = client.post(reverse("hours:checkin", args=[t]), {"action": "in"})
        assert r.status_code == 400
    assert not Attendance.objects.exists()


def test_refusal_on_the_checkin_page(client, world, scene, clock):
    """Too early: the page says so (409) and keeps the button."""
    clock.set(2026, 5, 9, 8, 0)
    _login(client, world, "volunteer")
    url = reverse("hours:checkin", args=[checkin_token(scene.activity)])
    r = client.post(url, {"action": "in"})
    assert r.status_code == 409 and "签到尚未开始" in r.content.decode()
    assert client.post(url, {"action": "jump"}).status_code == 400
    assert not Attendance.objects.exists()


def test_geo_page(client, world, scene, clock):
    """The page asks for the position; outside the radius → 403 naming the distance; inside → checked in."""
    clock.set(2026, 5, 9, 9, 0)
    _login(client, world, "volunteer")
    url = reverse("hours:geo", args=[scene.activity.pk])
    assert "navigator.geolocation" in client.get(url).content.decode()
    r = client.post(url, {"action": "in", "latitude": "36.3", "longitude": "117.8"})
    assert r.status_code == 403 and "11120 米" in r.content.decode()
    assert client.post(url, {"action": "in", "latitude": "x", "longitude": "117.8"}).status_code == 400
    assert not Attendance.objects.exists()
    assert client.post(url, {"action": "in", "latitude": "36.2001", "longitude": "117.8001"}).status_code == 302
    assert Attendance.objects.get().in_method == "geo"


def test_batch_page(client, world, scene, clock):
    """Each confirmed sign-up is a row; filled rows become organiser attendances."""
    clock.set(2026, 5, 9, 13, 0)
    _login(client, world, "community")
    url = reverse("hours:batch", args=[scene.activity.pk])
    assert scene.volunteer.person.name in client.get(url).content.decode()
    field = f"in_{scene.volunteer.pk}"
    r = client.post(url, {"day": "2026-05-09", field: "", f"out_{scene.volunteer.pk}": "11:00"})
    assert r.status_code == 400 and not Attendance.objects.exists()
    r = client.post(url, {"day": "2026-05-09", field: "06:00"})
    assert r.status_code == 400 and "签到尚未开始" in r.content.decode()
    r = client.post(url, {"day": "2026-05-09", field: "09:10", f"out_{scene.volunteer.pk}": "11:40"})
    assert r.status_code == 302
    assert services.derive_hours(Attendance.objects.get()).hours == Decimal("2.5000")


def test_activity_page_lists_missing_checkouts_and_confirms(client, world, scene, clock):
    """R-V5: the missing check-out is listed with a form, has no confirm button, and is confirmable after."""
    clock.set(2026, 5, 9, 9, 0)
    services.attendance_check_in(activity=scene.activity, volunteer=scene.volunteer, actor=world.user("volunteer"),
                                 method="qr")
    _login(client, world, "community")
    url = reverse("hours:activity", args=[scene.activity.pk])
    html = client.get(url).content.decode()
    assert "缺少签退（1）" in html and "全部确认" not in html
    att = Attendance.objects.get()
    r = client.post(reverse("hours:confirm", args=[scene.activity.pk]), {"attendance": att.pk})
    assert r.status_code == 409 and not ServiceRecord.objects.exists()
    r = client.post(reverse("hours:confirm", args=[scene.activity.pk]), {"attendance": str(2**63)})
    assert r.status_code == 409 and not ServiceRecord.objects.exists()  # an id beyond the integer range: no 500
    r = client.post(reverse("hours:set_checkout", args=[att.pk]), {"time": "08:00"})
    assert r.status_code == 400 and "签退时间不能早于签到时间" in r.content.decode()
    assert client.post(reverse("hours:set_checkout", args=[att.pk]), {"time": "11:30"}).status_code == 302
    assert "全部确认（1）" in client.get(url).content.decode()
    assert client.post(reverse("hours:confirm", args=[scene.activity.pk])).status_code == 302
    assert ServiceRecord.objects.get().hours == Decimal("2.5000")


def _record(world, scene, clock, hours="2"):
    return services.service_record_back_enter(activity=scene.activity, volunteer=scene.volunteer,
                                              day=dt.date(2026, 5, 9), hours=hours, reason="纸质签到表",
                                              actor=world.user("community"))


def test_record_page_corrects_and_revokes(client, world, scene, clock):
    """R-V6: the correction form appends a row; the old one is unchanged and marked as no longer counting."""
    rec = _record(world, scene, clock)
    _login(client, world, "community")
    r = client.post(reverse("hours:record_correct", args=[rec.pk]), {"hours": "5", "reason": "多算"})
    assert r.status_code == 400 and "不能超过活动时长" in r.content.decode()
    r = client.post(reverse("hours:record_correct", args=[rec.pk]), {"hours": "1.5", "reason": "核对签到表"})
    assert r.status_code == 302
    new = ServiceRecord.objects.get(supersedes=rec)
    assert "这条记录已被更正或撤销" in client.get(reverse("hours:record", args=[rec.pk])).content.decode()
    html = client.get(reverse("hours:record", args=[new.pk])).content.decode()
    assert "记录历史" in html and "核对签到表" in html
    assert client.post(reverse("hours:record_revoke", args=[new.pk]), {"reason": "重复"}).status_code == 302
    assert ServiceRecord.objects.get(supersedes=new).kind == RecordKind.REVOCATION
    rec.refresh_from_db()
    assert rec.hours == Decimal("2.0000")


def test_my_history_shows_back_entry_corrections_and_total(client, world, scene, clock):
    """Own history: 补录 marked, a correction with its reason and old hours, the total; a dispute can be raised."""
    rec = _record(world, scene, clock)
    services.service_record_correct(record=rec, hours="1.25", reason="中途离开", actor=world.user("community"))
    _login(client, world, "volunteer")
    html = client.get(reverse("hours:mine")).content.decode()
    assert "补录" in html and "由 2 小时更正，理由：中途离开" in html and ">1.25<" in html
    current = ServiceRecord.objects.current().get()
    r = client.post(reverse("hours:dispute_open", args=[current.pk]), {"reason": "实际服务了两小时"})
    assert r.status_code == 302 and Dispute.objects.get().record == current
    assert client.post(reverse("hours:dispute_open", args=[rec.pk]), {"reason": "旧记录"}).status_code == 409


def test_mine_without_volunteer_profile(client, world):
    _login(client, world, "resident")
    r = client.get(reverse("hours:mine"))
    assert r.status_code == 409 and "未登记为志愿者" in r.content.decode()


def test_volunteer_page_for_workers_is_scoped(client, world, scene, clock):
    """A worker sees a volunteer's records of their units; another street → 404."""
    _record(world, scene, clock)
    _login(client, world, "street")
    html = client.get(reverse("hours:volunteer", args=[scene.volunteer.pk])).content.decode()
    assert "敬老院义剪" in html
    _login(client, world, "street_b")
    assert client.get(reverse("hours:volunteer", args=[scene.volunteer.pk])).status_code == 404


def test_disputes_page_resolves(client, world, scene, clock):
    rec = _record(world, scene, clock)
    d = services.dispute_open(record=rec, reason="少算", actor=world.user("volunteer"))
    _login(client, world, "community")
    assert "少算" in client.get(reverse("hours:disputes")).content.decode()
    r = client.post(reverse("hours:dispute_resolve", args=[d.pk]), {"note": "", "hours": ""})
    assert r.status_code == 400
    r = client.post(reverse("hours:dispute_resolve", args=[d.pk]), {"note": "已核实，更正", "hours": "3"})
    assert r.status_code == 302 and ServiceRecord.objects.current().get().hours == Decimal("3.0000")


def test_organiser_home_lists_activities(client, world, scene):
    _login(client, world, "community")
    assert "敬老院义剪" in client.get(reverse("hours:organiser")).content.decode()
    _login(client, world, "community_b")
    assert "敬老院义剪" not in client.get(reverse("hours:organiser")).content.decode()
