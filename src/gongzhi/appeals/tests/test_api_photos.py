"""Photos: Pillow checks the type, the size is limited, the EXIF GPS is read and stripped from the stored file."""

from __future__ import annotations

import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from gongzhi.appeals.models import AppealPhoto

from .conftest import jpeg


def _upload(api, role, appeal_id, data: bytes, name="p.jpg", ctype="image/jpeg", stage="before"):
    client = api(role)
    return client.client.post(f"/api/v1/appeals/{appeal_id}/photos",
                              {"file": SimpleUploadedFile(name, data, content_type=ctype), "stage": stage},
                              **client.headers)


def test_reporter_uploads_a_photo_and_gps_is_kept_but_stripped_from_the_file(api, world, make_appeal):
    appeal = make_appeal()
    r = _upload(api, "resident", appeal.pk, jpeg())
    assert r.status_code == 201, r.content
    assert Decimal(r.json()["gps_latitude"]) == Decimal("36.062000")
    assert Decimal(r.json()["gps_longitude"]) == Decimal("117.815000")
    photo = AppealPhoto.objects.get()
    with photo.file.open("rb") as f:
        stored = Image.open(io.BytesIO(f.read()))
        assert stored.format == "JPEG" and stored.size == (40, 30)
        assert len(stored.getexif()) == 0 and "exif" not in stored.info
    appeal.refresh_from_db()
    assert appeal.latitude == Decimal("36.062000")  # the appeal had no location: the photo's one is used


def test_wrong_type_is_refused_and_nothing_saved(api, world, make_appeal):
    appeal = make_appeal()
    r = _upload(api, "resident", appeal.pk, b"%PDF-1.4 not an image", name="x.jpg")
    assert r.status_code == 400 and r.json()["code"] == "appeals.photo_invalid"
    gif = io.BytesIO()
    Image.new("RGB", (4, 4)).save(gif, format="GIF")
    r = _upload(api, "resident", appeal.pk, gif.getvalue(), name="x.gif", ctype="image/gif")
    assert r.status_code == 400 and r.json()["code"] == "appeals.photo_invalid"
    assert not AppealPhoto.objects.exists()


def test_too_large_is_refused(api, world, make_appeal, settings):
    settings.APPEALS_PHOTO_MAX_BYTES = 1000
    appeal = make_appeal()
    r = _upload(api, "resident", appeal.pk, jpeg(size=(400, 400)))
    assert r.status_code == 413 and r.json()["code"] == "appeals.photo_too_large"
    assert not AppealPhoto.objects.exists()


def test_after_photo_is_for_handlers_not_the_reporter(api, world, make_appeal):
    appeal = make_appeal()
    assert _upload(api, "resident", appeal.pk, jpeg(), stage="after").status_code == 403
    r = _upload(api, "grid", appeal.pk, jpeg(gps=False, fmt="PNG"), name="a.png", ctype="image/png", stage="after")
    assert r.status_code == 201 and r.json()["stage"] == "after" and r.json()["gps_latitude"] is None


def test_someone_elses_appeal_is_not_found(api, world, make_appeal):
    appeal = make_appeal()
    assert _upload(api, "community_b", appeal.pk, jpeg()).status_code == 404
    assert _upload(api, "volunteer", appeal.pk, jpeg()).status_code == 403
