"""Resident pages: list with live search, masked detail with a logged reveal, create/edit forms."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from gongzhi.people.identity import make_id_number
from gongzhi.people.models import Person, PersonChange
from gongzhi.privacy.models import AccessLog

pytestmark = pytest.mark.django_db

CLEAR_ID_A = make_id_number("370117", dt.date(1980, 5, 17), 11)  # 张三丰's number in the world


def test_list_renders_masked_rows_for_community_worker(browser_login, world):
    """The people list shows the worker's residents with masked ID and phone only (R-P3)."""
    client = browser_login("community")
    r = client.get(reverse("people:list"))
    assert r.status_code == 200
    body = r.content.decode()
    assert "居民" in body and "张三丰" in body and "李四" in body
    assert "王五" not in body  # another street's resident
    assert CLEAR_ID_A not in body and "13812345678" not in body
    assert world.people["a"].id_number_masked in body and "138****5678" in body
    assert 'hx-trigger="keyup changed delay:300ms' in body


def test_list_forbidden_for_resident(browser_login):
    """A resident holds no people.view: the list answers a friendly 403 page."""
    r = browser_login("resident").get(reverse("people:list"))
    assert r.status_code == 403
    assert "没有权限" in r.content.decode()


def test_search_by_pinyin_initials_finds_zhang_sanfeng(browser_login):
    """Typing "zsf" finds 张三丰 and not 李四; an htmx request gets only the results partial."""
    r = browser_login("community").get(reverse("people:list"), {"q": "zsf"}, HTTP_HX_REQUEST="true")
    body = r.content.decode()
    assert r.status_code == 200
    assert "张三丰" in body and "李四" not in body
    assert "<html" not in body  # partial only


def test_search_by_phone_tail(browser_login):
    """The last four digits of a phone find the resident (13912340001 → 李四)."""
    body = browser_login("community").get(reverse("people:list"), {"q": "0001"}).content.decode()
    assert "李四" in body and "张三丰" not in body


def test_filter_by_unit_of_other_street_is_404(browser_login, world):
    """Filtering by a unit outside the worker's subtree is not found."""
    r = browser_login("community").get(reverse("people:list"), {"unit": world.community_b.pk})
    assert r.status_code == 404


def test_sensitive_tag_filter_only_for_roles_that_may_reveal(browser_login, world):
    """Mediators (view, no reveal) are not offered sensitive tags such as 残疾人 as a filter (R-P2)."""
    body = browser_login("mediator").get(reverse("people:list")).content.decode()
    assert 'value="disabled"' not in body and 'value="veteran"' in body
    body = browser_login("street").get(reverse("people:list")).content.decode()
    assert 'value="disabled"' in body


def test_detail_is_masked_and_offers_reveal(browser_login, world):
    """The detail page is masked by default and shows the reveal button to a worker with people.reveal."""
    r = browser_login("community").get(reverse("people:detail", args=[world.people["a"].pk]))
    body = r.content.decode()
    assert r.status_code == 200
    assert "张三丰" in body and "显示完整信息" in body
    assert CLEAR_ID_A not in body and "13812345678" not in body
    assert not AccessLog.objects.exists()


def test_detail_of_other_community_person_is_404(browser_login, world):
    """A person of another street's community answers 404 with the friendly page."""
    r = browser_login("community").get(reverse("people:detail", args=[world.people["b"].pk]))
    assert r.status_code == 404
    assert "找不到" in r.content.decode()


def test_mediator_sees_detail_without_reveal_and_cannot_post_one(browser_login, world):
    """A mediator may view masked data but a reveal POST is forbidden (403) and nothing is logged."""
    client = browser_login("mediator")
    pk = world.people["a"].pk
    body = client.get(reverse("people:detail", args=[pk])).content.decode()
    assert "显示完整信息" not in body
    r = client.post(reverse("people:reveal", args=[pk]), {"purpose": "核实身份"})
    assert r.status_code == 403
    assert not AccessLog.objects.exists()


def test_reveal_shows_clear_id_and_writes_access_log(browser_login, world):
    """Revealing with a purpose shows the full ID number and phone and logs who, what and why (R-P3)."""
    client = browser_login("community")
    person = world.people["a"]
    r = client.post(reverse("people:reveal", args=[person.pk]), {"purpose": "入户走访"})
    body = r.content.decode()
    assert r.status_code == 200
    assert CLEAR_ID_A in body and "13812345678" in body and "永兴路8号3号楼" in body
    assert "no-store" in r["Cache-Control"]
    log = AccessLog.objects.get()
    assert (log.actor, log.subject_id, log.channel, log.purpose) == (world.user("community"), person.pk, "page", "入户走访")
    assert {"id_number", "phone", "address"} <= set(log.fields)
    # the list still never shows it
    assert CLEAR_ID_A not in client.get(reverse("people:list")).content.decode()


def test_reveal_without_purpose_is_400_and_not_logged(browser_login, world):
    """A reveal needs a stated purpose (R-P1): without one the page answers 400 and logs nothing."""
    r = browser_login("community").post(reverse("people:reveal", args=[world.people["a"].pk]), {"purpose": ""})
    assert r.status_code == 400
    assert CLEAR_ID_A not in r.content.decode()
    assert not AccessLog.objects.exists()


def test_reveal_requires_csrf(world):
    """The reveal POST is CSRF-protected."""
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(world.user("community"), backend="gongzhi.accounts.backends.PhoneOrUsernameBackend")
    r = strict.post(reverse("people:reveal", args=[world.people["a"].pk]), {"purpose": "核实身份"})
    assert r.status_code == 403
    assert not AccessLog.objects.exists()


def _form(world, **over):
    data = {"name": "孙七", "unit": world.community_a.pk, "id_type": "resident_id",
            "id_number": make_id_number("370117", dt.date(1990, 3, 4), 21),
            "phone": "13855556666", "address": "永兴路9号", "household": "", "guardian_name": ""}
    data.update(over)
    return data


def test_create_form_renders_for_worker_and_403_for_mediator(browser_login):
    """The create form is for roles with people.edit."""
    r = browser_login("community").get(reverse("people:create"))
    assert r.status_code == 200 and "登记居民" in r.content.decode()
    assert browser_login("mediator").get(reverse("people:create")).status_code == 403


def test_create_person_saves_and_redirects(browser_login, world):
    """A valid form creates the person (with tags) and redirects to the detail page."""
    client = browser_login("community")
    r = client.post(reverse("people:create"), {**_form(world), "tags": ["veteran"]})
    person = Person.objects.get(name="孙七")
    assert r.status_code == 302 and r["Location"] == reverse("people:detail", args=[person.pk])
    assert [t.code for t in person.tags.all()] == ["veteran"]
    assert person.phone_masked == "138****6666"


def test_create_with_bad_checksum_is_400_with_message_and_saves_nothing(browser_login, world):
    """An ID number with a wrong check digit (R-I1) answers 400 with the checksum message on the field."""
    good = _form(world)["id_number"]
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    before = Person.objects.count()
    r = browser_login("community").post(reverse("people:create"), _form(world, id_number=bad))
    assert r.status_code == 400
    body = r.content.decode()
    assert "身份证号码校验位错误" in body and "has-error" in body
    assert Person.objects.count() == before


def test_create_in_unit_outside_scope_is_400(browser_login, world):
    """A unit the worker may not edit is not a valid choice."""
    r = browser_login("community").post(reverse("people:create"), _form(world, unit=world.community_b.pk))
    assert r.status_code == 400
    assert not Person.objects.filter(name="孙七").exists()


def test_create_duplicate_id_is_400_on_the_field(browser_login, world):
    """Registering an ID number twice is refused on the ID field."""
    r = browser_login("community").post(reverse("people:create"), _form(world, id_number=CLEAR_ID_A))
    assert r.status_code == 400
    assert "该身份证号码已登记" in r.content.decode()


def test_create_child_needs_guardian(browser_login, world):
    """A child under 14 needs a guardian's name (R-P2): 400 without, saved with one."""
    child_id = make_id_number("370117", dt.date.today().replace(year=dt.date.today().year - 9, day=1), 31)
    client = browser_login("community")
    r = client.post(reverse("people:create"), _form(world, name="小明", id_number=child_id))
    assert r.status_code == 400 and "监护人" in r.content.decode()
    r = client.post(reverse("people:create"), _form(world, name="小明", id_number=child_id, guardian_name="王芳"))
    assert r.status_code == 302


def test_edit_form_prefills_clear_values_logs_and_saves(browser_login, world):
    """Opening the edit form shows full values (logged as a reveal); saving records a change row."""
    client = browser_login("community")
    person = world.people["a"]
    r = client.get(reverse("people:edit", args=[person.pk]))
    assert r.status_code == 200 and "13812345678" in r.content.decode()
    assert AccessLog.objects.filter(subject_id=person.pk, purpose="编辑居民信息").count() == 1
    r = client.post(reverse("people:edit", args=[person.pk]), _form(world, name="张三丰", id_number=CLEAR_ID_A,
                                                                     phone="13800000000", address="钢城区永兴路8号3号楼2单元101"))
    assert r.status_code == 302
    person.refresh_from_db()
    assert person.phone_masked == "138****0000"
    assert PersonChange.objects.filter(person=person, created=False).latest("at").fields == ["phone"]
    body = client.get(reverse("people:detail", args=[person.pk])).content.decode()
    assert "修改" in body and "手机号" in body


def test_edit_other_community_person_is_404(browser_login, world):
    """Editing a person outside the worker's subtree is not found."""
    assert browser_login("community").get(reverse("people:edit", args=[world.people["b"].pk])).status_code == 404
