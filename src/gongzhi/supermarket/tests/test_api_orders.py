"""Orders: the resident orders from the catalogue (points and stock taken at once), picks up, or cancels (reversal)."""

from __future__ import annotations

from gongzhi.points.models import PointsTransaction
from gongzhi.supermarket.models import CatalogueItem, Redemption, StockMovement

from .conftest import balance


def _order(api, item, *, quantity=1, key="o-1", who="resident"):
    return api(who).post("supermarket/orders", {"item_id": item.pk, "quantity": quantity, "idempotency_key": key})


def test_resident_orders_then_the_shop_marks_it_picked_up(api, world, shop):
    """An order takes 30 points and one 食用油 at once (status ordered); pick-up completes it."""
    r = _order(api, shop.oil)
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["status"] == "ordered" and body["channel"] == "order" and body["completed_at"] is None
    assert balance(world.people["resident"]) == 70
    assert CatalogueItem.objects.get(pk=shop.oil.pk).stock == 19
    mine = api("resident").get("supermarket/redemptions?mine=true&status=ordered").json()["items"]
    assert [o["id"] for o in mine] == [body["id"]]
    r = api("merchant").post(f"supermarket/redemptions/{body['id']}/pickup")
    assert r.status_code == 200 and r.json()["status"] == "completed" and r.json()["completed_at"]
    red = Redemption.objects.get()
    assert list(red.events.values_list("from_status", "to_status")) == [("", "ordered"), ("ordered", "completed")]
    again = api("merchant").post(f"supermarket/redemptions/{body['id']}/pickup")
    assert again.status_code == 409 and again.json()["code"] == "supermarket.not_ordered"


def test_the_resident_cannot_mark_their_own_order_picked_up(api, world, shop):
    """Only the shop's staff hand over the goods."""
    oid = _order(api, shop.oil).json()["id"]
    assert api("resident").post(f"supermarket/redemptions/{oid}/pickup").status_code == 403


def test_cancel_reverses_the_points_and_returns_the_stock(api, world, shop):
    """Cancelling an order posts a reversal of its transaction and a stock movement back; nothing is deleted."""
    body = _order(api, shop.oil, quantity=2).json()
    assert balance(world.people["resident"]) == 40
    r = api("resident").post(f"supermarket/redemptions/{body['id']}/cancel", {"reason": "买错了"})
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert balance(world.people["resident"]) == 100
    assert CatalogueItem.objects.get(pk=shop.oil.pk).stock == 20
    original = PointsTransaction.objects.get(pk=body["transaction_id"])
    assert original.reversed_by.kind == "reversal" and "买错了" in original.reversed_by.reason
    moves = list(StockMovement.objects.filter(item=shop.oil).values_list("reason", "change", "stock_after"))
    assert moves == [("initial", 20, 20), ("redemption", -2, 18), ("cancellation", 2, 20)]
    again = api("resident").post(f"supermarket/redemptions/{body['id']}/cancel", {})
    assert again.status_code == 409 and again.json()["code"] == "supermarket.not_ordered"
    assert balance(world.people["resident"]) == 100


def test_the_shop_can_cancel_an_order_too(api, world, shop):
    """A shop out of an ordered item cancels the order; the resident gets the points back."""
    oid = _order(api, shop.soap).json()["id"]
    assert api("merchant").post(f"supermarket/redemptions/{oid}/cancel", {"reason": "缺货"}).status_code == 200
    assert balance(world.people["resident"]) == 100


def test_a_completed_counter_redemption_cannot_be_cancelled(api, world, shop, token):
    """Cancel is for open orders only (a counter redemption is handed over at once)."""
    r = api("merchant").post("supermarket/redemptions", {"merchant_id": shop.merchant.pk, "member_token": token(),
                                                         "item_id": shop.soap.pk, "idempotency_key": "c"})
    red = r.json()["id"]
    r = api("merchant").post(f"supermarket/redemptions/{red}/cancel", {})
    assert r.status_code == 409 and r.json()["code"] == "supermarket.not_ordered"


def test_order_retry_is_idempotent(api, world, shop):
    """The same order sent twice (a flaky phone network) is one order."""
    a, b = _order(api, shop.oil, key="phone-1"), _order(api, shop.oil, key="phone-1")
    assert a.json()["id"] == b.json()["id"] and balance(world.people["resident"]) == 70
    assert CatalogueItem.objects.get(pk=shop.oil.pk).stock == 19


def test_a_resident_cannot_order_from_a_shop_of_another_street(api, world, shop):
    """洪沟's shop (里辛街道) is not in the 永兴 resident's catalogue: 404."""
    assert _order(api, shop.other_item).status_code == 404
    assert balance(world.people["resident"]) == 100


def test_order_refusals(api, world, shop):
    """Too few points or too little stock: 409, nothing taken."""
    r = _order(api, shop.oil, quantity=4)
    assert r.status_code == 409 and r.json()["code"] == "points.insufficient_balance"
    r = _order(api, shop.soap, quantity=6, key="o-2")
    assert r.status_code == 409 and r.json()["code"] == "supermarket.out_of_stock"
    assert balance(world.people["resident"]) == 100 and not Redemption.objects.exists()


def test_an_account_without_a_resident_record_cannot_order(api, world, shop):
    """A worker's login has no points account to spend from."""
    r = _order(api, shop.oil, who="community")
    assert r.status_code == 409 and r.json()["code"] == "supermarket.no_person"
    assert api("community").get("supermarket/member-token").json()["code"] == "supermarket.no_person"
