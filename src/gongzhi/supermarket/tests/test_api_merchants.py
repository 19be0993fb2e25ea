"""Registering shops, their staff and goods; stock changes are recorded as movements."""

from __future__ import annotations

from gongzhi.points.models import Account
from gongzhi.supermarket.models import Merchant, StockMovement


def test_community_worker_registers_a_shop_with_its_ledger_account(api, world):
    """A shop gets a merchant-kind ledger account at its unit, balance 0."""
    r = api("community").post("supermarket/merchants", {"unit_id": world.community_a.pk, "name": "永兴卫生室",
                                                        "kind": "clinic", "fen_per_point": 12})
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["kind_name"] == "卫生室" and body["fen_per_point"] == 12 and body["balance"] == 0
    account = Account.objects.get(pk=body["account_id"])
    assert account.kind == "merchant" and account.unit_id == world.community_a.pk
    again = api("community").post("supermarket/merchants", {"unit_id": world.community_a.pk, "name": "永兴卫生室",
                                                            "kind": "clinic"})
    assert again.status_code == 409 and again.json()["code"] == "supermarket.name_duplicate"
    assert Merchant.objects.count() == 1 and Account.objects.filter(kind="merchant").count() == 1


def test_shop_input_is_validated(api, world):
    """Unknown kind, empty name and a rate out of range are 400s with their own codes."""
    base = {"unit_id": world.community_a.pk, "name": "药店", "kind": "pharmacy"}
    assert api("community").post("supermarket/merchants", {**base, "kind": "bank"}).json()["code"] == \
        "supermarket.kind_unknown"
    assert api("community").post("supermarket/merchants", {**base, "name": "  "}).json()["code"] == \
        "supermarket.name_invalid"
    assert api("community").post("supermarket/merchants", {**base, "fen_per_point": 0}).json()["code"] == \
        "supermarket.rate_invalid"
    assert not Merchant.objects.exists()


def test_staff_must_hold_the_merchant_role_at_the_shop(api, world, shop):
    """Only a login with the merchant role covering the shop's unit can be its staff."""
    r = api("community").post(f"supermarket/merchants/{shop.merchant.pk}/staff",
                              {"user_id": world.user("volunteer").pk})
    assert r.status_code == 409 and r.json()["code"] == "supermarket.staff_not_merchant"
    r = api("district").post(f"supermarket/merchants/{shop.other.pk}/staff", {"user_id": world.user("merchant").pk})
    assert r.status_code == 409
    r = api("community").post(f"supermarket/merchants/{shop.merchant.pk}/staff",
                              {"user_id": world.user("merchant").pk})
    assert r.status_code == 201 and r.json()["staff_ids"] == [world.user("merchant").pk]


def test_goods_restock_and_count_are_stock_movements(api, world, shop):
    """Opening stock, restock +10 and a count −3 each leave a movement with the stock after it."""
    r = api("community").post(f"supermarket/merchants/{shop.merchant.pk}/items",
                              {"name": "理发优惠券", "points_price": 20, "stock": 8})
    assert r.status_code == 201
    item = r.json()["id"]
    assert api("community").post(f"supermarket/items/{item}/stock", {"change": 10}).json()["stock"] == 18
    r = api("community").post(f"supermarket/items/{item}/stock", {"change": -3, "reason": "adjust", "note": "盘点"})
    assert r.json()["stock"] == 15
    moves = list(StockMovement.objects.filter(item_id=item).values_list("reason", "change", "stock_after"))
    assert moves == [("initial", 8, 8), ("restock", 10, 18), ("adjust", -3, 15)]
    bad = api("community").post(f"supermarket/items/{item}/stock", {"change": -16, "reason": "adjust"})
    assert bad.status_code == 400 and bad.json()["code"] == "supermarket.stock_change_invalid"
    bad = api("community").post(f"supermarket/items/{item}/stock", {"change": 5, "reason": "redemption"})
    assert bad.status_code == 400
    assert StockMovement.objects.filter(item_id=item).count() == 3


def test_goods_input_is_validated(api, world, shop):
    """A price of 0 or a negative opening stock are refused."""
    url = f"supermarket/merchants/{shop.merchant.pk}/items"
    assert api("community").post(url, {"name": "鸡蛋", "points_price": 0}).json()["code"] == \
        "supermarket.price_invalid"
    assert api("community").post(url, {"name": "鸡蛋", "points_price": 5, "stock": -1}).json()["code"] == \
        "supermarket.stock_invalid"


def test_shop_staff_see_the_shop_balance_but_residents_do_not(api, world, shop):
    """Residents see the catalogue, not the shop's account."""
    mine = api("resident").get(f"supermarket/merchants/{shop.merchant.pk}").json()
    assert mine["balance"] is None and mine["staff_ids"] is None
    assert api("merchant").get(f"supermarket/merchants/{shop.merchant.pk}").json()["balance"] == 0


def test_resident_catalogue_is_their_street(api, world, shop):
    """永兴's resident sees 永兴's shop (艾山街道), not 洪沟's (里辛街道)."""
    ids = [m["id"] for m in api("resident").get("supermarket/merchants").json()]
    assert ids == [shop.merchant.pk]


def test_a_closed_shop_redeems_nothing(api, world, shop, token):
    """Closing a shop (active=false) refuses counter redemptions and orders with 409; reopening restores them."""
    url = f"supermarket/merchants/{shop.merchant.pk}"
    r = api("community").put(url, {"name": "永兴社区积分超市", "fen_per_point": 10, "active": False})
    assert r.status_code == 200 and r.json()["active"] is False
    body = {"merchant_id": shop.merchant.pk, "member_token": token(), "item_id": shop.soap.pk,
            "idempotency_key": "closed"}
    r = api("merchant").post("supermarket/redemptions", body)
    assert r.status_code == 409 and r.json()["code"] == "supermarket.merchant_closed"
    r = api("resident").post("supermarket/orders", {"item_id": shop.soap.pk, "idempotency_key": "closed-o"})
    assert r.status_code == 409 and r.json()["code"] == "supermarket.merchant_closed"
    assert api("community").put(url, {"name": "永兴社区积分超市", "active": True}).status_code == 200
    assert api("merchant").post("supermarket/redemptions", {**body, "idempotency_key": "open"}).status_code == 201


def test_shop_update_is_validated(api, world, shop):
    """A name taken in the unit or a rate out of range is refused; nothing changes."""
    url = f"supermarket/merchants/{shop.merchant.pk}"
    other = api("community").post("supermarket/merchants", {"unit_id": world.community_a.pk, "name": "永兴药店",
                                                            "kind": "pharmacy"})
    assert other.status_code == 201
    r = api("community").put(url, {"name": "永兴药店"})
    assert r.status_code == 409 and r.json()["code"] == "supermarket.name_duplicate"
    assert api("community").put(url, {"name": "x", "fen_per_point": 5000}).json()["code"] == \
        "supermarket.rate_invalid"
    shop.merchant.refresh_from_db()
    assert shop.merchant.name == "永兴社区积分超市" and shop.merchant.fen_per_point == 10
