"""POST requests: an Open311 client files an appeal (channel open311) with its api_key; the token resolves to the
service_request_id. Every refusal is the spec's error list and saves nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from gongzhi.appeals.models import Appeal, AppealEvent
from gongzhi.core import crypto
from gongzhi.open311 import services
from gongzhi.open311.models import ApiClient, Open311Request

from .conftest import BASE, children, tags

GOOD = {"service_code": "C01", "lat": "36.060001", "long": "117.810002", "description": "永兴路12号路灯不亮",
        "first_name": "秀英", "last_name": "王", "phone": "13812345678", "email": "wang@example.com",
        "address_string": "永兴路12号", "attribute[urgency]": "urgent", "device_id": "dev-1", "account_id": "u-9",
        "media_url": "https://img.example.com/p/1.jpg"}


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_post_files_an_appeal_and_answers_a_token(geo, world, key, at, fmt):
    status, body = geo.post(fmt=fmt, api_key=key, **GOOD)
    assert status == 200
    if fmt == "xml":
        assert body.tag == "service_requests"
        item = children(body, "request")[0]
        assert tags(item) == ["token", "service_notice", "account_id"]
        token = item.findtext("token")
    else:
        assert list(body[0]) == ["token", "service_notice", "account_id"]
        token = body[0]["token"]
        assert body[0]["account_id"] == "u-9" and body[0]["service_notice"].startswith("将于")
    appeal = Appeal.objects.get()
    link = Open311Request.objects.get()
    assert link.token == token and link.appeal == appeal and link.client.name == "随手拍App"
    assert appeal.channel == "open311" and appeal.category.code == "C01" and appeal.urgency == "urgent"
    assert appeal.state == "submitted" and appeal.description == "永兴路12号路灯不亮"
    assert appeal.latitude == Decimal("36.060001") and appeal.longitude == Decimal("117.810002")
    assert appeal.address == "永兴路12号" and appeal.unit == world.district
    assert crypto.decrypt(appeal.reporter_name_enc) == "王秀英"
    assert crypto.decrypt(appeal.reporter_phone_enc) == "13812345678"
    assert crypto.decrypt(link.email_enc) == "wang@example.com" and "wang" not in link.email_enc
    assert link.media_url == "https://img.example.com/p/1.jpg" and link.device_id == "dev-1"
    assert appeal.reporter_user is None and appeal.reporter_person is None  # the client files it, not the reporter
    submitted = AppealEvent.objects.get(appeal=appeal)
    assert submitted.action == "submit" and submitted.actor == link.client.acting_user


def test_the_token_resolves_to_the_service_request_id(geo, world, key, at):
    token = geo.post(api_key=key, **GOOD)[1][0]["token"]
    number = Appeal.objects.get().number
    assert geo.get(f"tokens/{token}") == (200, [{"service_request_id": number, "token": token}])
    status, body = geo.get(f"tokens/{token}", "xml")
    item = children(body, "request")[0]
    assert status == 200 and tags(item) == ["service_request_id", "token"] and item.findtext("token") == token
    assert geo.get("tokens/nosuchtoken") == (404, [{"code": 404, "description": "令牌不存在"}])


def test_a_location_resolves_to_the_nearest_grid_under_the_keys_unit(geo, world, at):
    world.grid_a.latitude, world.grid_a.longitude = Decimal("36.06"), Decimal("117.81")
    world.grid_a.save()
    _, key = services.api_client_issue(name="社区App", unit=world.community_a, actor=world.user("district"))
    assert geo.post(api_key=key, **GOOD)[0] == 200
    assert Appeal.objects.get().unit == world.grid_a


def test_address_id_names_a_community_or_grid_inside_the_keys_unit(geo, world, key, at):
    data = {**GOOD, "lat": "", "long": "", "address_string": "", "address_id": world.community_b.code}
    assert geo.post(api_key=key, **data)[0] == 200
    assert Appeal.objects.get().unit == world.community_b
    _, street_key = services.api_client_issue(name="艾山App", unit=world.street_a, actor=world.user("district"))
    status, body = geo.post(api_key=street_key, **data)
    assert status == 400 and body[0]["description"] == "address_id不是本辖区内的社区或网格代码"
    assert Appeal.objects.count() == 1


def test_address_string_alone_is_a_location(geo, world, key, at):
    assert geo.post(api_key=key, **{**GOOD, "lat": "", "long": ""})[0] == 200


def test_anonymous_attribute_and_multi_value_form_and_unknown_attributes(geo, world, key, at):
    data = {**GOOD, "attribute[anonymous]": "true", "attribute[WHISPAWN]": "123456"}
    del data["attribute[urgency]"]
    assert geo.post(api_key=key, **data)[0] == 200
    appeal = Appeal.objects.get()
    assert appeal.anonymous is True and appeal.urgency == "normal"
    assert Open311Request.objects.get().attributes == {"anonymous": "true"}


def test_post_without_names_or_phone_copies_nothing_from_the_acting_login(geo, world, key, at):
    data = {k: v for k, v in GOOD.items() if k not in ("first_name", "last_name", "phone", "email")}
    assert geo.post(api_key=key, **data)[0] == 200
    appeal = Appeal.objects.get()
    assert crypto.decrypt(appeal.reporter_name_enc) == "" and crypto.decrypt(appeal.reporter_phone_enc) == ""


def test_an_acting_login_with_a_phone_and_a_person_is_not_taken_for_the_reporter(geo, world, at):
    """R-H7: even a real account picked as a key's acting user lends neither its phone nor its person to the appeal."""
    acting = world.user("community")
    acting.phone = "13900001111"
    acting.save(update_fields=["phone"])
    client, raw = services.api_client_issue(name="窗口", unit=world.district, acting_user=acting,
                                            actor=world.user("district"))
    data = {k: v for k, v in GOOD.items() if k not in ("first_name", "last_name", "phone", "email")}
    assert geo.post(api_key=raw, **data)[0] == 200
    appeal = Appeal.objects.get()
    assert appeal.reporter_user is None and appeal.reporter_person is None
    assert crypto.decrypt(appeal.reporter_phone_enc) == ""


def test_western_names_keep_their_order(geo, world, key, at):
    assert geo.post(api_key=key, **{**GOOD, "first_name": "John", "last_name": "Smith"})[0] == 200
    assert crypto.decrypt(Appeal.objects.get().reporter_name_enc) == "John Smith"


def test_post_needs_no_csrf_token(world, key, at):
    client = Client(enforce_csrf_checks=True)
    r = client.post(f"{BASE}/requests.json", {"api_key": key, **GOOD})
    assert r.status_code == 200 and Appeal.objects.count() == 1


def test_api_key_in_the_query_string_is_accepted_too(world, key, at):
    r = Client().post(f"{BASE}/requests.json?api_key={key}", GOOD)
    assert r.status_code == 200


BAD = [
    ({"api_key": None}, 403, "提交服务请求须提供api_key"),
    ({"api_key": "wrong"}, 403, "api_key无效或已被吊销"),
    ({"service_code": ""}, 400, "请提供service_code"),
    ({"service_code": "Z9"}, 404, "service_code不存在"),
    ({"service_code": "C"}, 404, "service_code不存在"),
    ({"lat": "", "long": "", "address_string": ""}, 400, "请提供位置：lat和long、address_string或address_id"),
    ({"long": ""}, 400, "lat和long须同时提供，且为有效的WGS84经纬度"),
    ({"lat": "north"}, 400, "lat和long须同时提供，且为有效的WGS84经纬度"),
    ({"lat": "91"}, 400, "lat和long须同时提供，且为有效的WGS84经纬度"),
    ({"long": "NaN"}, 400, "lat和long须同时提供，且为有效的WGS84经纬度"),
    ({"long": "1e999"}, 400, "lat和long须同时提供，且为有效的WGS84经纬度"),
    ({"description": "   "}, 400, "请填写description（诉求内容）"),
    ({"description": "坏" * 4001}, 400, "description不能超过4000个字符"),
    ({"attribute[urgency]": "whenever"}, 400, "attribute[urgency]的取值无效"),
    ({"media_url": "javascript:alert(1)"}, 400, "media_url须为http或https链接"),
    ({"email": "not-an-email"}, 400, "email格式无效"),
    ({"address_string": "路" * 201}, 400, "address_string过长"),
    ({"phone": "1" * 31}, 400, "phone过长"),
    ({"jurisdiction_id": "sfgov.org"}, 404, "jurisdiction_id不存在"),
]


@pytest.mark.parametrize(("change", "status", "description"), BAD)
def test_refusals_answer_the_spec_error_and_save_nothing(geo, world, key, at, change, status, description):
    data = {"api_key": key, **GOOD, **change}
    data = {k: v for k, v in data.items() if v is not None}
    got, body = geo.post(**data)
    assert (got, body) == (status, [{"code": status, "description": description}])
    assert not Appeal.objects.exists() and not Open311Request.objects.exists()


def test_refusal_in_xml(geo, world, key, at):
    status, body = geo.post(fmt="xml", api_key="wrong", **GOOD)
    error = children(body, "error")[0]
    assert status == 403 and body.tag == "errors" and error.findtext("code") == "403"


def test_a_revoked_key_is_refused(geo, world, key, at):
    client = ApiClient.objects.get()
    services.api_client_revoke(client=client, actor=world.user("district"))
    assert geo.post(api_key=key, **GOOD) == (403, [{"code": 403, "description": "api_key无效或已被吊销"}])


def test_a_key_files_only_inside_its_jurisdiction(geo, world, at):
    from gongzhi.org.divisions import UnitKind
    from gongzhi.org.services import unit_create

    other = unit_create(code="370116", name="莱城区", kind=UnitKind.DISTRICT, parent=None)
    _, key = services.api_client_issue(name="App", unit=world.street_a, actor=world.user("district"))
    status, body = geo.post(api_key=key, **GOOD, jurisdiction_id=other.code)
    assert status == 403 and body[0]["description"] == "该api_key无权向此辖区提交服务请求"
    assert geo.post(api_key=key, **GOOD, jurisdiction_id="370117")[0] == 200


def test_only_the_key_digest_is_stored(world):
    client, key = services.api_client_issue(name="App", unit=world.district, actor=world.user("district"))
    row = ApiClient.objects.get()
    assert key not in (row.key_digest, row.key_prefix) and row.key_prefix == key[:8] and len(key) >= 40
    assert row.acting_user.username.startswith("open311-") and not row.acting_user.has_usable_password()
    assert row.acting_user.phone is None and client.created_by == world.user("district")
