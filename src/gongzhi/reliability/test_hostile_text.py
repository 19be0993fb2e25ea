"""Markup, SQL, template syntax, formulas and control characters typed into any text field stay inert: stored as
typed, shown escaped on every page and export, and NUL or over-long input refused with a Chinese 4xx, saving nothing.

The text fields are enumerated, not listed by hand: every CharField of every Django form of the pages (so a new
form field is checked the day it is added), and every string property of every JSON request body in the OpenAPI
schema (NUL is refused by the API's parser before any endpoint runs). The rendering checks use one representative
create path per kind of record that residents or workers write free text into (诉求, 需求, 工单, 居民), and look
at the lists, detail pages and exports that show it.
"""

from __future__ import annotations

import importlib
import io
import json
import re
from pathlib import Path

import openpyxl
import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

import gongzhi
from gongzhi.api import api as ninja_api
from gongzhi.appeals.models import Appeal
from gongzhi.people.models import Person

from . import payloads as p

SRC = Path(gongzhi.__file__).parent
PARAM = re.compile(r"\{[^}]+\}")


# --- the page forms ----------------------------------------------------------------------------------------------

def form_classes() -> dict[str, type[forms.BaseForm]]:
    """Every Django form class defined in an app's forms.py or page modules (views.py, *_views.py)."""
    found = {}
    for path in sorted(SRC.glob("*/*.py")):
        if path.parent.name in ("tests", "migrations", "reliability") or not (
                path.name == "forms.py" or path.name == "views.py" or path.name.endswith("_views.py")):
            continue
        if "forms." not in path.read_text(encoding="utf-8"):
            continue
        name = f"gongzhi.{path.parent.name}.{path.stem}"
        module = importlib.import_module(name)
        for obj in vars(module).values():
            if isinstance(obj, type) and issubclass(obj, forms.BaseForm) and obj.__module__ == name:
                found[f"{name}.{obj.__name__}"] = obj
    return found


def text_fields() -> list[tuple[str, str, forms.CharField]]:
    return [(form, name, field) for form, cls in form_classes().items() for name, field in cls.base_fields.items()
            if isinstance(field, forms.CharField)]


def test_the_forms_and_their_text_fields_are_enumerated():
    assert len(form_classes()) >= 30
    assert len(text_fields()) >= 40


def test_every_form_text_field_is_bounded():
    """A CharField without max_length lets 10,000 characters through to a column (SQLite keeps them; PostgreSQL
    answers a DataError for a varchar)."""
    unbounded = [(form, name) for form, name, field in text_fields() if field.max_length is None]
    assert not unbounded, unbounded


def test_every_form_text_field_refuses_nul_and_ten_thousand_characters():
    accepted = []
    for form, name, field in text_fields():
        for value in p.REFUSED:
            try:
                field.clean(value)
            except ValidationError as err:
                assert any(p.has_cjk(str(m)) for m in err.messages), (form, name, err.messages)
            else:
                accepted.append((form, name, value[:4]))
    assert not accepted, accepted


def test_url_fields_refuse_javascript_urls():
    for _form, _name, field in text_fields():
        if isinstance(field, forms.URLField):
            with pytest.raises(ValidationError):
                field.clean(p.JS_URL)


# --- the JSON API ------------------------------------------------------------------------------------------------

def json_body_operations() -> list[tuple[str, str, list[str]]]:
    schema = ninja_api.get_openapi_schema()
    comps = schema["components"]["schemas"]
    out = []
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            body = op.get("requestBody", {}).get("content", {}).get("application/json")
            if not body:
                continue
            ref = body["schema"].get("$ref")
            props = comps[ref.rsplit("/", 1)[-1]].get("properties", {}) if ref else {}
            out.append((method, path, list(props)))
    return out


def test_every_json_body_with_a_nul_character_is_a_400(api):
    """One request per endpoint with NUL in every property: refused before any endpoint code runs."""
    client = api("district")
    operations = json_body_operations()
    assert len(operations) > 80
    wrong = []
    for method, path, props in operations:
        url = PARAM.sub("1", path)
        r = getattr(client, method)(url, {name: p.NUL for name in props} or {"x": p.NUL})
        if r.status_code != 400 or r.json()["code"] != "bad_request" or r.json()["message"] != "输入包含无效的控制字符":
            wrong.append((method, path, r.status_code))
    assert not wrong, wrong


# --- rendering ---------------------------------------------------------------------------------------------------

EVERYTHING = " ".join([*p.MARKUP, *p.INERT])


@pytest.fixture
def written(world, api):
    """Free text full of payloads, written through one create path per kind of record."""
    r = api("resident").post("appeals", {"category": "C01", "description": EVERYTHING, "address": p.ATTR,
                                          "reporter_name": p.SCRIPT, "unit_id": world.grid_a.pk})
    assert r.status_code == 201, r.content
    appeal = Appeal.objects.get(pk=r.json()["id"])
    person = world.people["a"]
    r = api("district").put(f"people/{person.pk}", {"name": person.name, "unit_id": person.unit_id,
                                                     "address": p.ATTR + p.FORMULA, "household": p.SCRIPT})
    assert r.status_code == 200, r.content
    r = api("socialworker").post("dispatch/orders", {"title": p.SCRIPT, "description": EVERYTHING,
                                                      "address": p.ATTR, "unit_id": world.community_a.pk})
    assert r.status_code == 201, r.content
    order_id = r.json()["id"]
    return {"appeal": appeal, "person": person, "order_id": order_id}


def _page(world, role: str) -> Client:
    client = Client()
    client.force_login(world.user(role), backend="gongzhi.accounts.backends.PhoneOrUsernameBackend")
    return client


def test_payloads_are_stored_as_typed(written):
    appeal = written["appeal"]
    assert appeal.description == EVERYTHING and appeal.address == p.ATTR
    assert Appeal.objects.filter(description__contains=p.SQL).count() == 1  # and the table is still there


def test_pages_show_the_payloads_escaped(world, written):
    community = _page(world, "community")
    pages = [
        (community, reverse("appeals:list")),
        (community, reverse("appeals:detail", args=[written["appeal"].pk])),
        (_page(world, "resident"), reverse("appeals:mine")),
        (community, reverse("people:list")),
        (community, reverse("people:detail", args=[written["person"].pk])),
        (_page(world, "socialworker"), reverse("dispatch:board")),
        (_page(world, "socialworker"), reverse("dispatch:orders")),
        (_page(world, "socialworker"), reverse("dispatch:detail", args=[written["order_id"]])),
    ]
    for client, url in pages:
        r = client.get(url, follow=True)
        assert r.status_code == 200, url
        html = r.content.decode()
        assert not p.live_markup(html), (url, p.live_markup(html))
    detail = community.get(reverse("appeals:detail", args=[written["appeal"].pk])).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in detail and "{{ 7*7 }}" in detail
    assert "\u202e" in detail or "&#8238;" in detail  # RTL override shown as a character, not markup


def test_json_shows_the_payloads_as_data(world, written, api):
    r = api("community").get(f"appeals/{written['appeal'].pk}")
    assert r["Content-Type"].startswith("application/json") and r["X-Content-Type-Options"] == "nosniff"
    assert r.json()["description"] == EVERYTHING


def test_exports_write_formulas_as_text(world, written, api):
    """A cell typed as =cmd|... must arrive in Excel as text, never as a formula (CSV/formula injection)."""
    r = api("district").get("people/export.xlsx", kind="people", unmasked="true", purpose="核对")
    assert r.status_code == 200, r.content[:200]
    book = openpyxl.load_workbook(io.BytesIO(b"".join(r.streaming_content) if r.streaming else r.content))
    cells = [c for row in book.active.iter_rows() for c in row if isinstance(c.value, str)]
    hostile = [c for c in cells if p.FORMULA in c.value or c.value.startswith(("=", "+", "-", "@"))]
    assert hostile, "the payload should be in the export"
    assert all(c.data_type == "s" for c in hostile), [(c.coordinate, c.data_type) for c in hostile]


def test_every_xlsx_writer_turns_formulas_off():
    """The exporters write strings as strings: xlsxwriter's strings_to_formulas off, or write_string only."""
    writers = [path for path in SRC.glob("*/*.py") if path.parent.name != "reliability"
               and "xlsxwriter.Workbook(" in path.read_text(encoding="utf-8")]
    assert len(writers) >= 4
    for path in writers:
        text = path.read_text(encoding="utf-8")
        for call in re.findall(r"xlsxwriter\.Workbook\([^)]*\)", text):
            safe = '"strings_to_formulas": False' in call or (".write(" not in text.replace("sheet.write(0, col", "")
                                                             and ".write_row(" not in text)
            assert safe, (path.name, call)


def test_template_syntax_is_not_evaluated_in_notifications_or_pages(world, written):
    html = _page(world, "community").get(reverse("appeals:detail", args=[written["appeal"].pk])).content.decode()
    assert "{% debug %}" in html or "{%% debug %%}" in html
    assert "sys.path" not in html  # {% debug %} would dump the context


def test_over_long_text_through_a_page_form_is_a_chinese_400_and_nothing_saved(world):
    before = Person.objects.count()
    r = _page(world, "community").post(reverse("people:create"), {
        "name": p.LONG, "unit": world.community_a.pk, "id_type": "resident_id", "id_number": "",
        "address": p.LONG})
    assert r.status_code == 400 and p.has_cjk(r.content.decode())
    assert Person.objects.count() == before


def test_the_list_json_carries_the_payload_verbatim(world, written, api):
    body = json.loads(api("community").get("appeals", page_size=5).content.decode())
    assert any(item.get("description", "").startswith(p.SCRIPT) or item.get("summary", "").startswith(p.SCRIPT[:20])
               for item in body["items"]), body["items"][:1]


def test_every_json_body_with_over_long_text_is_a_400_naming_the_field(api):
    """A 10,000-character string in any property of any JSON body is refused before the endpoint runs (115 of the
    body's string fields had no length of their own), with the field and the limit in the detail."""
    client = api("district")
    wrong = []
    for method, path, props in json_body_operations():
        url = PARAM.sub("1", path)
        r = getattr(client, method)(url, {name: p.LONG for name in props} or {"x": p.LONG})
        body = r.json()
        detail = body.get("detail") if isinstance(body, dict) else None
        if r.status_code != 400 or body.get("code") != "bad_request" or not isinstance(detail, dict) \
                or detail.get("max_length") != 8000 or "过长" not in body["message"]:
            wrong.append((method, path, r.status_code, body))
    assert not wrong, wrong
