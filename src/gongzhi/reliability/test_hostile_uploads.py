"""Every upload path — the people xlsx import, appeal photos and 随手拍, points evidence photos, over the API and the
pages — refuses hostile files with a clear 4xx (a Chinese message, and a machine-readable code on the API), saves no
row and no media file, and never answers 500.

The paths are found, not listed by hand: the OpenAPI multipart bodies with a binary field, and the page views that
read ``request.FILES`` or build a form with a ``FileField``; the tests fail when a new path appears that is not
exercised here. Memory stays bounded: the zip bombs inflate to GiBs and must be refused from the archive's directory
(or the moment a member inflates past what it declared), before calamine sees them (core.uploads).
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest
from django import forms
from django.test import Client
from django.urls import reverse

import gongzhi
from gongzhi.api import api as ninja_api
from gongzhi.appeals import services as appeal_services
from gongzhi.appeals.models import Appeal, AppealPhoto, Channel
from gongzhi.core import uploads
from gongzhi.people.models import ImportJob
from gongzhi.points.models import Deduction, RuleItem, RuleKind
from gongzhi.points.tests.factories import adopt

from . import payloads as p

SRC = Path(gongzhi.__file__).parent

# (method, path) of every API endpoint taking a file → the case below that exercises it
API_UPLOADS = {
    ("post", "/api/v1/people/imports"): "import_api",
    ("post", "/api/v1/appeals/{appeal_id}/photos"): "appeal_photo_api",
    ("post", "/api/v1/points/deductions"): "deduction_api",
}
# page modules reading uploads → the cases exercising them
PAGE_UPLOADS = {
    "people/transfer_views.py": "import_page",
    "appeals/views.py": "report_page",
    "points/views.py": "deduct_page",
}


def _api_file_operations() -> set[tuple[str, str]]:
    schema = ninja_api.get_openapi_schema()
    found = set()
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            body = op.get("requestBody", {}).get("content", {}).get("multipart/form-data")
            if body and "format\": \"binary" in _dump(body["schema"], schema):
                found.add((method, path))
    return found


def _dump(schema: dict, root: dict) -> str:
    import json

    ref = schema.get("$ref")
    if ref:
        schema = root["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    return json.dumps(schema, ensure_ascii=False)


def _page_upload_modules() -> set[str]:
    """Modules of page views reading ``request.FILES``, or defining a Django form with a FileField."""
    found = set()
    for path in SRC.glob("*/*.py"):
        if path.name in ("api.py", "transfer_api.py") or path.parent.name in ("tests", "migrations", "reliability"):
            continue
        text = path.read_text(encoding="utf-8")
        if "request.FILES" in text or re.search(r"forms\.(File|Image)Field\(", text):
            found.add(f"{path.parent.name}/{path.name}")
    forms_modules = {m for m in found if m.endswith("/forms.py")}
    # a forms.py with a FileField counts through the views.py that binds it with request.FILES
    return {m.replace("/forms.py", "/views.py") if m in forms_modules else m for m in found}


def test_every_upload_path_is_exercised_here():
    assert _api_file_operations() == set(API_UPLOADS)
    assert _page_upload_modules() == set(PAGE_UPLOADS)


def test_every_upload_path_calls_the_shared_guard():
    """One mechanism: the services behind each path call core.uploads (check_size and xlsx_inspect/image_open)."""
    from gongzhi.people import importing
    from gongzhi.points import services as points_services

    assert "uploads.xlsx_inspect" in inspect.getsource(importing.sheet_open)
    assert "uploads.check_size" in inspect.getsource(importing.import_job_create)
    for fn in (appeal_services.clean_photo, points_services.validate_photo):
        src = inspect.getsource(fn)
        assert "uploads.check_size" in src and "uploads.image_open" in src


# --- the paths ------------------------------------------------------------------------------------------------

class Paths:
    """Posts one file through each upload path as a user allowed to use it; counts what a post could save."""

    def __init__(self, world, api):
        self.world, self.api = world, api
        self.rules = adopt(world)
        self.deduct_item = RuleItem.objects.filter(ruleset=self.rules, kind=RuleKind.DEDUCT).order_by("pk").first()
        self.appeal = appeal_services.appeal_submit(data=appeal_services.AppealInput(
            channel=Channel.PHOTO_REPORT, category_code="C01", description="永兴路12号路灯不亮", unit=world.grid_a,
        ), actor=world.user("resident"))

    def _page(self, role: str) -> Client:
        client = Client()
        client.force_login(self.world.user(role), backend="gongzhi.accounts.backends.PhoneOrUsernameBackend")
        return client

    def _api_post(self, role, path, data):
        c = self.api(role)
        return c.client.post(path, data, **c.headers)

    def import_api(self, f):
        return self._api_post("community", "/api/v1/people/imports",
                              {"file": f, "unit_id": self.world.community_a.pk, "kind": "people"})

    def import_page(self, f):
        return self._page("community").post(reverse("people:import"), {
            "file": f, "unit": self.world.community_a.pk, "kind": "people"})

    def appeal_photo_api(self, f):
        return self._api_post("resident", f"/api/v1/appeals/{self.appeal.pk}/photos", {"file": f, "stage": "before"})

    def report_page(self, f):
        return self._page("resident").post(reverse("appeals:report"), {
            "category": "C01", "unit": self.world.grid_a.pk, "description": "楼道灯坏了", "photo": f})

    def deduction_api(self, f):
        return self._api_post("community", "/api/v1/points/deductions", {
            "person_id": self.world.people["resident"].pk, "reason": "在麦田焚烧秸秆", "photo": f})

    def deduct_page(self, f):
        return self._page("community").post(reverse("points:deduct", args=[self.world.people["resident"].pk]), {
            "rule_item": self.deduct_item.pk, "reason": "在麦田焚烧秸秆", "photo": f})

    def saved(self) -> tuple:
        return (ImportJob.objects.count(), Appeal.objects.count(), AppealPhoto.objects.count(),
                Deduction.objects.count(), frozenset(p.media_files()))


SHEET_PATHS = ["import_api", "import_page"]
PHOTO_PATHS = ["appeal_photo_api", "report_page", "deduction_api", "deduct_page"]


@pytest.fixture
def paths(world, api, settings):
    settings.IMPORT_RUN_IN_BACKGROUND = False
    return Paths(world, api)


def _assert_refused(response, case: str, codes: set[str] | None = None):
    assert 400 <= response.status_code < 500, (case, response.status_code, response.content[:300])
    if not response["Content-Type"].startswith("application/json"):
        text = response.content.decode("utf-8", "replace")
        assert p.has_cjk(text), (case, text[:300])
    else:
        body = response.json()
        assert body["code"] and p.has_cjk(body["message"]), (case, body)
        if codes is not None:
            assert body["code"] in codes, (case, body)


def test_a_valid_file_goes_through_every_path(paths):
    """The control: the same posts with good files succeed, so the refusals below are about the files."""
    before = paths.saved()
    for name in SHEET_PATHS:
        r = getattr(paths, name)(p.upload("名单.xlsx", p.xlsx(), "application/octet-stream"))
        assert r.status_code in (201, 302), (name, r.content[:300])
    for name in PHOTO_PATHS:
        r = getattr(paths, name)(p.upload("现场.jpg", p.image_bytes("JPEG"), "image/jpeg"))
        assert r.status_code in (201, 302), (name, r.content[:300])
    after = paths.saved()
    assert after[0] == before[0] + 2 and after[2] == before[2] + 2 and after[3] == before[3] + 2
    assert len(after[4]) > len(before[4])


SHEET_CODES = {"people.import_file_invalid", "upload.unpacked_too_large", "upload.sheet_too_large", "upload.empty"}
PHOTO_CODES = {"appeals.photo_invalid", "points.photo_invalid", "upload.image_too_many_pixels", "upload.empty"}


@pytest.mark.parametrize("path", SHEET_PATHS)
def test_hostile_sheets_are_refused_and_nothing_is_saved(paths, path):
    before = paths.saved()
    for case, f in p.hostile_sheets().items():
        _assert_refused(getattr(paths, path)(f), case, SHEET_CODES)
        assert paths.saved() == before, case


@pytest.mark.parametrize("path", PHOTO_PATHS)
def test_hostile_photos_are_refused_and_nothing_is_saved(paths, path):
    before = paths.saved()
    for case, f in p.hostile_images().items():
        _assert_refused(getattr(paths, path)(f), case, PHOTO_CODES)
        assert paths.saved() == before, case


def test_the_zip_bombs_get_their_own_code(paths):
    sheets = p.hostile_sheets()
    for case, code in [("zip_bomb", "upload.unpacked_too_large"), ("zip_bomb_lying_size", "upload.unpacked_too_large"),
                       ("far_cells", "upload.sheet_too_large"), ("rows_beyond_excel", "upload.sheet_too_large")]:
        r = paths.import_api(sheets[case])
        assert r.status_code == 400 and r.json()["code"] == code, (case, r.content[:300])


def test_pixel_bombs_get_their_own_code(paths):
    for case in ("pixel_bomb_10g", "pixel_bomb_81m"):
        r = paths.appeal_photo_api(p.hostile_images()[case])
        assert r.status_code == 400 and r.json()["code"] == "upload.image_too_many_pixels", r.content


def test_a_file_just_above_each_limit_is_413_and_nothing_is_saved(paths, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 4096
    settings.APPEALS_PHOTO_MAX_BYTES = 4096
    settings.POINTS_EVIDENCE_MAX_BYTES = 4096
    before = paths.saved()
    sheet = p.xlsx(p.HEADER_ROW + "".join(f'<row r="{i}"><c r="A{i}"><v>{i * 7919}</v></c></row>'
                                          for i in range(2, 800)))
    assert len(sheet) > 4096
    photo = p.image_bytes("PNG", size=(200, 200)) + b"\0" * 4096  # a valid PNG with trailing bytes, over 4 KB
    for name in SHEET_PATHS:
        r = getattr(paths, name)(p.upload("名单.xlsx", sheet, "application/octet-stream"))
        assert r.status_code in (400, 413), (name, r.status_code)  # a page shows it on the form (400)
        _assert_refused(r, name, {"too_large"})
    for name in PHOTO_PATHS:
        r = getattr(paths, name)(p.upload("p.png", photo, "image/png"))
        assert r.status_code in (400, 413), (name, r.status_code)
        _assert_refused(r, name, {"appeals.photo_too_large", "points.photo_too_large"})
    assert paths.saved() == before


def test_a_body_above_the_request_cap_is_413_before_it_is_read(paths, settings):
    """ops.middleware refuses by Content-Length (21 MiB by default), so a 2 GB post never reaches a view."""
    c = paths.api("community")
    length = settings.MAX_REQUEST_BYTES + 1
    r = c.client.post("/api/v1/people/imports", b"x", content_type="multipart/form-data; boundary=x",
                      CONTENT_LENGTH=str(length), **c.headers)
    assert r.status_code == 413 and r.json()["code"] == "too_large"
    r = paths._page("community").post(reverse("people:import"), b"x", content_type="multipart/form-data; boundary=x",
                                      CONTENT_LENGTH=str(length))
    assert r.status_code == 413 and p.has_cjk(r.content.decode())


def test_a_stored_evidence_photo_is_named_by_the_server_not_the_uploader(paths):
    """A polyglot named evil.html would otherwise be served as HTML from /media/."""
    r = paths.deduction_api(p.upload("evil.html", p.image_bytes("PNG"), "text/html"))
    assert r.status_code == 201, r.content
    name = Deduction.objects.get(pk=r.json()["id"]).evidence_photo.name
    assert name.endswith(".png") and "evil" not in name


def test_the_guard_keeps_memory_bounded_on_a_lying_bomb():
    """A member declaring 512 KB and inflating to 256 MB is stopped once it passes 512 KB (chunks of 1 MB)."""
    import io
    import tracemalloc

    bomb = io.BytesIO(p.zip_bomb(unpacked_gib=0.25, declared=512 * 1024))
    tracemalloc.start()
    with pytest.raises(Exception) as refused:
        uploads.xlsx_inspect(bomb, invalid=uploads.UploadError.EMPTY)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert refused.value.code == "upload.unpacked_too_large"
    assert peak < 8 * 1024 * 1024


def test_the_form_file_fields_are_the_ones_above():
    """Every Django form with a file field is bound by one of the page modules exercised here."""
    found = set()
    for path in SRC.glob("*/*.py"):
        if path.parent.name in ("tests", "migrations", "reliability"):
            continue
        module = f"gongzhi.{path.parent.name}.{path.stem}"
        if "FileField(" not in path.read_text(encoding="utf-8") or path.name in ("models.py",):
            continue
        mod = __import__(module, fromlist=["*"])
        for obj in vars(mod).values():
            if isinstance(obj, type) and issubclass(obj, forms.BaseForm) and obj.__module__ == module:
                if any(isinstance(f, forms.FileField) for f in obj.base_fields.values()):
                    found.add(f"{path.parent.name}/{path.name}:{obj.__name__}")
    assert found == {"people/transfer_views.py:ImportForm", "points/forms.py:DeductionForm"}
