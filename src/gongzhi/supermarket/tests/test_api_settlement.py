"""The settlement statement: goods handed over in the period × fen_per_point, per shop; xlsx with receipts."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from python_calamine import CalamineWorkbook

from gongzhi.core import clock

from .conftest import give


def _counter(api, shop, token, item, quantity, key):
    r = api("merchant").post("supermarket/redemptions", {"merchant_id": shop.merchant.pk, "member_token": token(),
                                                         "item_id": item.pk, "quantity": quantity,
                                                         "idempotency_key": key})
    assert r.status_code == 201, r.content
    return r.json()


def test_settlement_counts_completed_redemptions_of_the_period(api, world, shop, token):
    """Counter 2×洗衣液 (20) + a picked-up 食用油 (30) = 50 points × 10 fen = 5.00 yuan; an open order and a
    cancelled one are not owed."""
    give(world.people["resident"], 100)
    _counter(api, shop, token, shop.soap, 2, "s-1")
    picked = api("resident").post("supermarket/orders", {"item_id": shop.oil.pk, "idempotency_key": "s-2"}).json()
    api("merchant").post(f"supermarket/redemptions/{picked['id']}/pickup")
    api("resident").post("supermarket/orders", {"item_id": shop.oil.pk, "idempotency_key": "s-3"})
    cancelled = api("resident").post("supermarket/orders", {"item_id": shop.soap.pk, "idempotency_key": "s-4"})
    api("resident").post(f"supermarket/redemptions/{cancelled.json()['id']}/cancel", {})
    r = api("district").get("supermarket/settlement")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["points"] == 50 and Decimal(body["amount_yuan"]) == Decimal("5.00")
    [row] = body["merchants"]
    assert row["merchant_name"] == "永兴社区积分超市" and row["receipts"] == 2 and row["points"] == 50
    assert Decimal(row["amount_yuan"]) == Decimal("5.00") and row["fen_per_point"] == 10
    assert sorted(x["points"] for x in body["receipts"]) == [20, 30]


def test_settlement_period_excludes_other_months(api, world, shop, token):
    """A period ending yesterday holds nothing from today; a reversed period is a 400."""
    _counter(api, shop, token, shop.soap, 1, "p-1")
    yesterday = clock.today() - dt.timedelta(days=1)
    r = api("district").get(f"supermarket/settlement?start={yesterday - dt.timedelta(days=30)}&end={yesterday}")
    assert r.json()["points"] == 0 and r.json()["merchants"] == []
    r = api("district").get(f"supermarket/settlement?start={clock.today()}&end={yesterday}")
    assert r.status_code == 400 and r.json()["code"] == "supermarket.period_invalid"


def test_settlement_amount_uses_each_shops_rate_with_two_decimals(api, world, shop, token):
    """洪沟's shop settles at 8 fen a point: 3 eggs × 5 points = 15 points → 1.20 yuan."""
    from gongzhi.accounts.roles import Role
    from gongzhi.accounts.services import role_grant, user_create
    from gongzhi.conftest import ApiClient
    from gongzhi.supermarket import services

    give(world.people["b"], 100)
    hg = user_create(username="t-hg-2", password="x-pass-123456", display_name="洪沟店员", phone="13500001235")
    role_grant(user=hg, role=Role.MERCHANT, unit=world.community_b, actor=None)
    services.merchant_staff_add(merchant=shop.other, user=hg, actor=world.user("district"))
    r = ApiClient(hg).post("supermarket/redemptions", {"merchant_id": shop.other.pk, "member_token": token("b"),
                                                       "item_id": shop.other_item.pk, "quantity": 3,
                                                       "idempotency_key": "hg"})
    assert r.status_code == 201
    _counter(api, shop, token, shop.soap, 1, "y-1")
    rows = {m["merchant_name"]: Decimal(m["amount_yuan"])
            for m in api("district").get("supermarket/settlement").json()["merchants"]}
    assert rows == {"洪沟便民超市": Decimal("1.20"), "永兴社区积分超市": Decimal("1.00")}
    # the 艾山 street admin settles only 艾山's shops
    rows = [m["merchant_name"] for m in api("street").get("supermarket/settlement").json()["merchants"]]
    assert rows == ["永兴社区积分超市"]
    assert api("street").get(f"supermarket/settlement?merchant_id={shop.other.pk}").status_code == 404
    assert api("community").get("supermarket/settlement").status_code == 403
    assert api("merchant").get("supermarket/settlement").status_code == 403


def test_settlement_xlsx_holds_the_shops_and_the_receipts(api, world, shop, token):
    """Sheet 1: shop, unit, receipts, points, rate, amount and a total; sheet 2: one row per receipt, names masked
    (R-P3)."""
    first = _counter(api, shop, token, shop.soap, 2, "x-1")
    second = _counter(api, shop, token, shop.oil, 1, "x-2")
    r = api("district").get("supermarket/settlement.xlsx")
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    book = CalamineWorkbook.from_filelike(io.BytesIO(r.content))
    shops = book.get_sheet_by_index(0).to_python()
    assert shops[0][:6] == ["商户", "所属单元", "小票数", "兑换积分", "每积分结算金额（分）", "应结算金额（元）"]
    assert shops[1][:6] == ["永兴社区积分超市", "永兴社区", 2, 50, 10, 5.0]
    assert shops[2][0] == "合计" and shops[2][3] == 50 and shops[2][5] == 5.0
    receipts = book.get_sheet_by_index(1).to_python()
    assert [row[0] for row in receipts[1:]] == [first["receipt_number"], second["receipt_number"]]
    assert {row[2] for row in receipts[1:]} == {"赵*"}
    assert [row[5] for row in receipts[1:]] == [20, 30]
