"""Pages: 随手拍 on a phone, the worker's list, detail with the actions the state table allows, my appeals."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gongzhi.appeals.models import Appeal, AppealPhoto

from .conftest import jpeg, submit


def test_report_page_has_camera_input_geolocation_and_categories(browser_login, world):
    r = browser_login("resident").get(reverse("appeals:report"))
    html = r.content.decode()
    assert r.status_code == 200
    assert 'capture="environment"' in html and "navigator.geolocation" in html
    assert "公用设施" in html and "水电维修" in html  # R-U2 classes and livelihood services


def test_resident_files_a_photo_report(browser_login, world, at):
    client = browser_login("resident")
    r = client.post(reverse("appeals:report"), {
        "category": "C01", "unit": world.grid_a.pk, "description": "路灯不亮", "latitude": "36.06", "longitude": "117.81",
        "photo": SimpleUploadedFile("p.jpg", jpeg(), content_type="image/jpeg")})
    assert r.status_code == 302 and r.url == reverse("appeals:mine")
    appeal = Appeal.objects.get()
    assert appeal.channel == "photo_report" and appeal.photos.count() == 1
    assert "路灯不亮" in client.get(reverse("appeals:mine")).content.decode()


def test_a_bad_photo_saves_nothing_and_shows_the_reason(browser_login, world, at):
    r = browser_login("resident").post(reverse("appeals:report"), {
        "category": "C01", "unit": world.grid_a.pk, "description": "路灯不亮",
        "photo": SimpleUploadedFile("p.jpg", b"not an image", content_type="image/jpeg")})
    assert r.status_code == 400 and "照片格式无效" in r.content.decode()
    assert not Appeal.objects.exists() and not AppealPhoto.objects.exists()


def test_worker_list_and_detail_offer_only_allowed_actions(browser_login, world, at):
    appeal = submit(world)
    client = browser_login("grid")
    assert appeal.number in client.get(reverse("appeals:list")).content.decode()
    html = client.get(reverse("appeals:detail", args=[appeal.pk])).content.decode()
    assert reverse("appeals:transition", args=[appeal.pk, "accept"]) in html
    assert reverse("appeals:transition", args=[appeal.pk, "close"]) not in html
    assert "138****5678" in html  # R-H7: masked until revealed


def test_worker_accepts_and_dispatches_from_the_page(browser_login, world, at):
    appeal = submit(world)
    client = browser_login("grid")
    r = client.post(reverse("appeals:transition", args=[appeal.pk, "accept"]))
    assert r.status_code == 302
    r = client.post(reverse("appeals:transition", args=[appeal.pk, "dispatch"]), {"unit_id": world.grid_a.pk})
    assert r.status_code == 302
    appeal.refresh_from_db()
    assert appeal.state == "dispatched" and appeal.owner == world.user("grid")
    html = client.get(reverse("appeals:detail", args=[appeal.pk])).content.decode()
    assert "派单" in html and "受理" in html


def test_illegal_transition_on_the_page_is_409(browser_login, world, at):
    appeal = submit(world)
    r = browser_login("grid").post(reverse("appeals:transition", args=[appeal.pk, "close"]))
    assert r.status_code == 409


def test_observer_sees_masked_data_and_no_actions(browser_login, world, at):
    appeal = submit(world)
    html = browser_login("observer").get(reverse("appeals:detail", args=[appeal.pk]) + "?reveal=1").content.decode()
    assert "138****5678" in html and "13812345678" not in html
    assert reverse("appeals:transition", args=[appeal.pk, "accept"]) not in html


def test_other_units_detail_is_404_and_no_view_is_403(browser_login, world, at):
    appeal = submit(world)
    assert browser_login("community_b").get(reverse("appeals:detail", args=[appeal.pk])).status_code == 404
    assert browser_login("volunteer").get(reverse("appeals:list")).status_code == 403


def test_reporter_rates_from_my_appeals_and_sees_a_rejection_reason(browser_login, world, at):
    """R-H5: the reporter is asked how it went; R-H2: a refusal shows its reason to the reporter."""
    informed, refused = submit(world), submit(world)
    Appeal.objects.filter(pk=informed.pk).update(state="informed")
    Appeal.objects.filter(pk=refused.pk).update(state="rejected", reject_reason="litigation")
    client = browser_login("resident")
    html = client.get(reverse("appeals:mine")).content.decode()
    assert reverse("appeals:transition", args=[informed.pk, "rate"]) in html
    assert "已进入诉讼程序" in html
    r = client.post(reverse("appeals:transition", args=[informed.pk, "rate"]), {"rating": "2"})
    assert r.status_code == 302 and r.url == reverse("appeals:mine")
    informed.refresh_from_db()
    assert (informed.state, informed.rating) == ("rated", 2)
