"""GET requests and requests/{id}: filters, the default 90-day window and 1000 limit, page/page_size, status
open/closed with status_notes, extensions (extended_attributes, notes), servicerequestupdates; no personal data."""

from __future__ import annotations

import datetime as dt

import pytest

from gongzhi.appeals import services as appeal_services
from gongzhi.open311 import services

from .conftest import MONDAY_10, children, submit, tags

REQUEST_FIELDS = ["service_request_id", "status", "status_notes", "service_name", "service_code", "description",
                  "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
                  "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url"]


def ids(body):
    return [r["service_request_id"] for r in body]


@pytest.fixture
def three(world, at):
    """Three appeals a day apart: an open C01 (oldest), a closed-by-rejection S01, an open accepted C02 (newest)."""
    at(MONDAY_10 - dt.timedelta(days=2))
    a = submit(world, category="C01", description="路灯不亮，联系13812345678，身份证370117198005170111")
    at(MONDAY_10 - dt.timedelta(days=1))
    b = submit(world, category="S01", description="家里的隐私纠纷")
    appeal_services.appeal_reject(appeal=b, actor=world.user("community"), reason="secrets_privacy")
    at(MONDAY_10)
    c = submit(world, category="C02", description="井盖松动")
    appeal_services.appeal_accept(appeal=c, actor=world.user("community"))
    return a, b, c


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_requests_list_has_the_spec_fields_newest_first(geo, three, fmt):
    a, b, c = three
    status, body = geo.get("requests", fmt)
    assert status == 200
    if fmt == "xml":
        assert body.tag == "service_requests"
        rows = children(body, "request")
        assert all(tags(r) == REQUEST_FIELDS for r in rows)
        assert [r.findtext("service_request_id") for r in rows] == [c.number, b.number, a.number]
        assert rows[0].findtext("status") == "open" and rows[1].findtext("status") == "closed"
        assert rows[0].findtext("requested_datetime") == "2030-05-06T10:00:00+08:00"
        assert rows[2].findtext("lat") == "" and rows[2].findtext("zipcode") == ""
    else:
        assert all(list(r) == REQUEST_FIELDS for r in body)
        assert ids(body) == [c.number, b.number, a.number]
        first = body[0]
        assert first["service_code"] == "C02" and first["service_name"] == "道路交通"
        assert first["status_notes"] == "已受理" and first["agency_responsible"] == "永兴社区第一网格"
        assert first["expected_datetime"] == first["service_notice"][2:-3]  # "将于…前答复"
        assert first["updated_datetime"] == "2030-05-06T10:00:00+08:00"


def test_status_notes_give_the_detailed_state_and_the_legal_reason(geo, three):
    """R-H2: a refusal says why; a matter refused as secret or private is listed without its text."""
    body = {r["service_request_id"]: r for r in geo.get("requests")[1]}
    refused = body[three[1].number]
    assert refused["status"] == "closed" and refused["status_notes"] == "不予受理：涉及国家秘密、商业秘密或个人隐私"
    assert refused["description"] == "" and refused["expected_datetime"] is None


def test_no_personal_data_in_the_public_list(geo, three):
    """R-H7: no reporter name or phone anywhere; numbers typed into the text are masked."""
    r = geo.client.get("/open311/v2/requests.json", {"extensions": "true"})
    text = r.content.decode()
    assert "王秀英" not in text and "13812345678" not in text and "370117198005170111" not in text
    assert "138****5678" in text and "370117********0111" in text
    for field in ("reporter", "email", "phone", "first_name", "last_name"):
        assert field not in text


@pytest.mark.parametrize(("params", "expected"), [
    ({"status": "open"}, "ac"), ({"status": "closed"}, "b"), ({"status": "open,closed"}, "abc"),
    ({"service_code": "C01,C02"}, "ac"), ({"service_code": "S01"}, "b"),
    ({"service_code": "C01,X99"}, "a"), ({"service_code": "X99"}, ""),  # a code no service has matches nothing
    ({"start_date": "2030-05-05T00:00:00+08:00"}, "bc"),
    ({"end_date": "2030-05-05T12:00:00+08:00"}, "ab"),
    ({"start_date": "2030-05-04T00:00:00Z", "end_date": "2030-05-05T00:00:00Z"}, "a"),
    ({"start_date": "2030-05-05", "end_date": "2030-05-06"}, "b"),  # bare dates: local midnight
    ({"status": "open", "service_code": "C01"}, "a"),
    ({"jurisdiction_id": "370117"}, "abc"),
])
def test_filters(geo, three, params, expected):
    by = dict(zip("abc", three, strict=True))
    status, body = geo.get("requests", **params)
    assert status == 200
    assert ids(body) == [by[k].number for k in reversed(expected)]


def test_service_request_ids_override_every_other_filter(geo, three):
    a, b, c = three
    status, body = geo.get("requests", service_request_id=f"{a.number},{b.number}", status="open",
                           service_code="S05", start_date="2000-01-01T00:00:00Z", end_date="2000-01-02T00:00:00Z")
    assert status == 200 and ids(body) == [b.number, a.number]


def test_the_default_window_is_the_last_90_days(geo, world, at):
    at(MONDAY_10 - dt.timedelta(days=91))
    old = submit(world)
    at(MONDAY_10 - dt.timedelta(days=89))
    recent = submit(world)
    at(MONDAY_10)
    assert ids(geo.get("requests")[1]) == [recent.number]
    end = (MONDAY_10 - dt.timedelta(days=90)).isoformat()
    assert ids(geo.get("requests", end_date=end)[1]) == [old.number]  # the 90 days up to the end
    start = (MONDAY_10 - dt.timedelta(days=200)).isoformat()
    assert ids(geo.get("requests", start_date=start)[1]) == []  # the 90 days from the start


@pytest.mark.parametrize(("params", "description"), [
    ({"start_date": "2030-01-01T00:00:00Z", "end_date": "2030-05-01T00:00:00Z"}, "start_date须早于end_date，且相隔不超过90天"),
    ({"start_date": "2030-05-02T00:00:00Z", "end_date": "2030-05-01T00:00:00Z"}, "start_date须早于end_date，且相隔不超过90天"),
    ({"start_date": "yesterday"}, "start_date须为带时区的W3C日期时间，例如2010-01-01T00:00:00Z"),
    ({"end_date": "9999-12-31T23:59:59-12:00"}, "end_date须为带时区的W3C日期时间，例如2010-01-01T00:00:00Z"),
    ({"status": "pending"}, "status只能是open或closed（可用逗号分隔）"),
    ({"page": "0"}, "page须为正整数，page_size须为1到1000之间的整数"),
    ({"page": "two"}, "page须为正整数，page_size须为1到1000之间的整数"),
    ({"page_size": "1001"}, "page须为正整数，page_size须为1到1000之间的整数"),
    ({"service_request_id": ",".join(str(i) for i in range(1001))}, "一次最多查询1000个service_request_id"),
])
def test_bad_query_arguments_are_400(geo, world, at, params, description):
    for fmt in ("json", "xml"):
        status, body = geo.get("requests", fmt, **params)
        assert status == 400
        if fmt == "json":
            assert body == [{"code": 400, "description": description}]
        else:
            assert children(body, "error")[0].findtext("description") == description


def test_an_offset_in_the_query_string_survives_unencoded(geo, three):
    """A client that forgets to encode "+08:00" sends a space; it is read back as the offset."""
    r = geo.client.get("/open311/v2/requests.json?start_date=2030-05-06T00:00:00+08:00")
    assert r.status_code == 200 and ids(r.json()) == [three[2].number]


def test_page_and_page_size(geo, world, at):
    made = []
    for i in range(5):
        at(MONDAY_10 - dt.timedelta(hours=5 - i))
        made.append(submit(world).number)
    newest_first = made[::-1]
    assert ids(geo.get("requests", page_size=2)[1]) == newest_first[:2]
    assert ids(geo.get("requests", page_size=2, page=2)[1]) == newest_first[2:4]
    assert ids(geo.get("requests", page_size=2, page=3)[1]) == newest_first[4:]
    assert geo.get("requests", page_size=2, page=4)[1] == []


def test_the_default_limit_is_1000(geo, world, at):
    from gongzhi.open311 import selectors

    assert selectors.MAX_PAGE_SIZE == 1000
    for _ in range(3):
        submit(world)
    assert len(geo.get("requests")[1]) == 3


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_extensions_add_extended_attributes_and_notes(geo, three, fmt):
    c = three[2]
    status, body = geo.get(f"requests/{c.number}", fmt, extensions="true")
    assert status == 200
    if fmt == "xml":
        row = children(body, "request")[0]
        assert tags(row) == [*REQUEST_FIELDS, "extended_attributes", "notes"]
        ext = row.find("extended_attributes")
        assert ext.findtext("channel") == "photo_report" and ext.findtext("grid") == "370117001001001"
        assert ext.findtext("detailed_status") == "accepted"
        notes = children(row.find("notes"), "note")
        assert [n.findtext("type") for n in notes] == ["opened", "activity"]
        assert tags(notes[0]) == ["datetime", "summary", "type"]
    else:
        row = body[0]
        ext = row["extended_attributes"]
        assert ext["channel"] == "photo_report" and ext["channel_label"] == "随手拍"
        assert ext["grid"] == "370117001001001" and ext["grid_name"] == "永兴社区第一网格"
        assert ext["detailed_status"] == "accepted" and ext["detailed_status_label"] == "已受理"
        assert ext["urgency"] == "normal" and ext["reopen_count"] == 0
        assert [(n["summary"], n["type"]) for n in row["notes"]] == [("提交", "opened"), ("受理", "activity")]


def test_without_extensions_the_output_is_strictly_the_spec(geo, three):
    assert all(list(r) == REQUEST_FIELDS for r in geo.get("requests", extensions="false")[1])


def test_extensions_on_the_list(geo, three):
    body = geo.get("requests", extensions="true")[1]
    assert [r["extended_attributes"]["detailed_status"] for r in body] == ["accepted", "rejected", "submitted"]
    assert [n["type"] for n in body[1]["notes"]] == ["opened", "closed"]
    assert body[1]["notes"][1]["summary"] == "不予受理：涉及国家秘密、商业秘密或个人隐私"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_one_request_and_an_unknown_one(geo, three, fmt):
    a = three[0]
    status, body = geo.get(f"requests/{a.number}", fmt)
    assert status == 200
    if fmt == "json":
        assert ids(body) == [a.number] and list(body[0]) == REQUEST_FIELDS
    else:
        assert [r.findtext("service_request_id") for r in children(body, "request")] == [a.number]
    status, body = geo.get("requests/SQ1", fmt)
    assert status == 404
    if fmt == "json":
        assert body == [{"code": 404, "description": "服务请求不存在"}]


def test_closed_means_handled_and_reopen_opens_again(geo, world, at):
    """Resolved and after are closed; 重办 (R-H5) makes the request open again with the count in the notes."""
    appeal = submit(world)
    worker = world.user("community")
    appeal_services.appeal_accept(appeal=appeal, actor=worker)
    appeal_services.appeal_dispatch(appeal=appeal, actor=worker, unit=world.grid_a)
    appeal_services.appeal_start(appeal=appeal, actor=worker)
    assert geo.get(f"requests/{appeal.number}")[1][0]["status"] == "open"
    appeal_services.appeal_resolve(appeal=appeal, actor=worker)
    row = geo.get(f"requests/{appeal.number}")[1][0]
    assert row["status"] == "closed" and row["status_notes"] == "已处置" and row["expected_datetime"] is None
    appeal_services.appeal_inform(appeal=appeal, actor=worker)
    appeal_services.appeal_rate(appeal=appeal, actor=world.user("resident"), rating=1)
    appeal_services.appeal_reopen(appeal=appeal, actor=worker)
    row = geo.get(f"requests/{appeal.number}")[1][0]
    assert row["status"] == "open" and row["status_notes"] == "已受理（第1次重办）"


def test_a_merged_duplicate_is_closed_and_points_at_the_kept_one(geo, world, at):
    kept, dup = submit(world), submit(world)
    appeal_services.appeal_merge(appeal=dup, actor=world.user("community"), into=kept)
    row = geo.get(f"requests/{dup.number}", extensions="true")[1][0]
    assert row["status"] == "closed" and row["status_notes"] == f"与{kept.number}重复，已合并"
    assert row["extended_attributes"]["merged_into"] == kept.number


def test_media_url_of_a_request_filed_through_open311(geo, world, key, at):
    geo.post(api_key=key, service_code="C01", address_string="永兴路", description="路灯",
             media_url="https://img.example.com/1.jpg")
    assert geo.get("requests")[1][0]["media_url"] == "https://img.example.com/1.jpg"


# --- servicerequestupdates ---------------------------------------------------------------------------------------

UPDATE_FIELDS = ["update_id", "service_request_id", "status", "updated_datetime", "description", "media_url"]


@pytest.mark.parametrize("path", ["servicerequestupdates", "requests/updates"])
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_updates_list_the_history_oldest_first(geo, three, path, fmt):
    a, b, c = three
    status, body = geo.get(path, fmt)
    assert status == 200
    if fmt == "xml":
        assert body.tag == "service_request_updates"
        rows = children(body, "request_update")
        assert all(tags(r) == UPDATE_FIELDS for r in rows)
        rows = [{k.tag: k.text for k in r} for r in rows]
    else:
        rows = body
        assert all(list(r) == UPDATE_FIELDS for r in rows)
    assert [(r["service_request_id"], r["description"], r["status"]) for r in rows] == [
        (a.number, "提交", "open"), (b.number, "提交", "open"),
        (b.number, "不予受理：涉及国家秘密、商业秘密或个人隐私", "closed"),
        (c.number, "提交", "open"), (c.number, "受理", "open")]


def test_updates_filter_by_request_and_window_and_page(geo, three):
    c = three[2]
    body = geo.get("servicerequestupdates", service_request_id=c.number, extensions="true")[1]
    assert [r["extended_attributes"]["action"] for r in body] == ["submit", "accept"]
    body = geo.get("servicerequestupdates", start_date="2030-05-06T00:00:00+08:00")[1]
    assert [r["service_request_id"] for r in body] == [c.number, c.number]
    assert len(geo.get("servicerequestupdates", page_size=2, page=3)[1]) == 1
    assert geo.get("servicerequestupdates", status="x", start_date="nope")[0] == 400


def test_workers_free_text_notes_are_not_published(geo, world, at):
    appeal = submit(world)
    appeal_services.appeal_accept(appeal=appeal, actor=world.user("community"), note="已电话联系王秀英13812345678")
    text = geo.client.get("/open311/v2/servicerequestupdates.json").content.decode() + geo.client.get(
        f"/open311/v2/requests/{appeal.number}.json?extensions=true").content.decode()
    assert "王秀英" not in text and "13812345678" not in text


def test_reads_need_no_key_and_a_key_changes_nothing(geo, three, world):
    _, key = services.api_client_issue(name="App", unit=world.district, actor=world.user("district"))
    assert geo.get("requests") == geo.get("requests", api_key=key)


def test_markup_and_control_characters_in_text_still_give_well_formed_xml(geo, world, at):
    appeal = submit(world, description="<b>井盖</b> & 路灯\x07坏了")
    status, body = geo.get(f"requests/{appeal.number}", "xml")
    assert status == 200 and children(body, "request")[0].findtext("description") == "<b>井盖</b> & 路灯坏了"
