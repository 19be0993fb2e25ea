"""Counter redemption over HTTP: scan the member QR, redeem, receipt; every refusal leaves nothing behind (R-J2)."""

from __future__ import annotations

import datetime as dt

from django.core import signing

from gongzhi.core import clock
from gongzhi.points.models import PointsTransaction
from gongzhi.supermarket.models import CatalogueItem, Redemption, RedemptionEvent, StockMovement

from .conftest import balance, give


def _redeem(api, shop, token, *, item=None, quantity=1, key="k-1", who="merchant", merchant=None):
    return api(who).post("supermarket/redemptions", {
        "merchant_id": (merchant or shop.merchant).pk, "member_token": token, "item_id": (item or shop.soap).pk,
        "quantity": quantity, "idempotency_key": key})


def _nothing_moved(world, shop, *, points=100, soap=5):
    assert balance(world.people["resident"]) == points
    assert CatalogueItem.objects.get(pk=shop.soap.pk).stock == soap
    assert not Redemption.objects.exists()


def test_resident_gets_a_member_token_and_the_counter_sees_masked_name_and_balance(api, world, shop):
    """The resident's member token names them; the counter sees 赵* and 100 points, never the full name (R-P3)."""
    r = api("resident").get("supermarket/member-token")
    assert r.status_code == 200
    body = r.json()
    assert body["expires_in"] == 120 and body["balance"] == 100 and body["person_name"] == "赵*"
    r = api("merchant").post("supermarket/member-lookup", {"member_token": body["token"]})
    assert r.status_code == 200
    assert r.json() == {"name": "赵*", "balance": 100}


def test_counter_redemption_moves_points_and_stock_together_and_writes_a_receipt(api, world, shop, token):
    """Two 洗衣液 at 10 points: balance 100 → 80, stock 5 → 3, the shop's account +20, a receipt and its events."""
    r = _redeem(api, shop, token(), quantity=2)
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["points"] == 20 and body["status"] == "completed" and body["channel"] == "counter"
    assert body["person_name"] == "赵*" and body["item_name"] == "洗衣液" and body["merchant_name"] == "永兴社区积分超市"
    assert balance(world.people["resident"]) == 80
    shop.merchant.account.refresh_from_db()
    assert shop.merchant.account.balance == 20
    assert CatalogueItem.objects.get(pk=shop.soap.pk).stock == 3
    red = Redemption.objects.get()
    assert red.receipt_number == body["receipt_number"] and red.completed_at is not None
    assert list(red.events.values_list("from_status", "to_status")) == [("", "completed")]
    assert list(StockMovement.objects.filter(redemption=red).values_list("change", "stock_after")) == [(-2, 3)]
    tx = PointsTransaction.objects.get(pk=body["transaction_id"])
    assert tx.kind == "redemption" and sorted(tx.postings.values_list("amount", flat=True)) == [-20, 20]
    receipt = api("merchant").get(f"supermarket/redemptions/{red.pk}")
    assert receipt.status_code == 200 and receipt.json()["receipt_number"] == red.receipt_number
    assert api("resident").get(f"supermarket/redemptions/{red.pk}").status_code == 200


def test_retry_with_the_same_key_returns_the_same_redemption_and_spends_nothing_more(api, world, shop, token):
    """A retried request (same idempotency key) answers the first receipt: no double spend, no double stock."""
    first = _redeem(api, shop, token(), key="retry-1")
    again = _redeem(api, shop, token(), key="retry-1")
    assert first.status_code == 201 and again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert balance(world.people["resident"]) == 90
    assert CatalogueItem.objects.get(pk=shop.soap.pk).stock == 4
    assert Redemption.objects.count() == 1 and RedemptionEvent.objects.count() == 1


def test_the_same_key_for_another_redemption_is_refused(api, world, shop, token):
    """Reusing a key for different goods is a 409, and nothing of the second request is saved."""
    assert _redeem(api, shop, token(), key="same").status_code == 201
    r = _redeem(api, shop, token(), key="same", item=shop.oil)
    assert r.status_code == 409 and r.json()["code"] == "supermarket.key_conflict"
    assert balance(world.people["resident"]) == 90 and Redemption.objects.count() == 1


def test_insufficient_balance_is_409_and_nothing_changes(api, world, shop, token):
    """Four 食用油 cost 120 points; the resident has 100: refused with points.insufficient_balance."""
    r = _redeem(api, shop, token(), item=shop.oil, quantity=4)
    assert r.status_code == 409 and r.json()["code"] == "points.insufficient_balance"
    assert CatalogueItem.objects.get(pk=shop.oil.pk).stock == 20
    _nothing_moved(world, shop)


def test_out_of_stock_is_409(api, world, shop, token):
    """Six 洗衣液 with five on the shelf: refused, stock and balance untouched."""
    give(world.people["resident"], 100)
    r = _redeem(api, shop, token(), quantity=6)
    assert r.status_code == 409 and r.json()["code"] == "supermarket.out_of_stock"
    _nothing_moved(world, shop, points=200)


def test_inactive_item_cannot_be_redeemed(api, world, shop, token):
    """Goods taken off the shelf are not redeemable (409), and residents no longer see them."""
    r = api("community").put(f"supermarket/items/{shop.soap.pk}", {"name": "洗衣液", "points_price": 10,
                                                                  "active": False})
    assert r.status_code == 200 and r.json()["active"] is False
    r = _redeem(api, shop, token())
    assert r.status_code == 409 and r.json()["code"] == "supermarket.item_inactive"
    _nothing_moved(world, shop)
    names = [i["name"] for i in api("resident").get(f"supermarket/merchants/{shop.merchant.pk}/items").json()]
    assert names == ["食用油"]
    assert api("resident").get(f"supermarket/items/{shop.soap.pk}").status_code == 404


def test_expired_member_token_is_400(api, world, shop, token, monkeypatch):
    """A member QR older than two minutes is refused (a screenshot passed on does not work)."""
    old = token()
    later = clock.now() + dt.timedelta(seconds=121)
    monkeypatch.setattr("gongzhi.core.clock.now", lambda: later)
    r = _redeem(api, shop, old)
    assert r.status_code == 400 and r.json()["code"] == "supermarket.token_expired"
    _nothing_moved(world, shop)


def test_forged_member_tokens_are_400(api, world, shop, token):
    """A token signed with another salt, a tampered token and plain text are all refused as invalid."""
    other_salt = signing.dumps({"p": world.people["resident"].pk, "t": int(clock.now().timestamp())}, salt="x")
    tampered = token()[:-2] + "AA"
    for bad in (other_salt, tampered, "张三丰", ""):
        r = _redeem(api, shop, bad)
        assert r.status_code in (400, 422), bad
        if r.status_code == 400:
            assert r.json()["code"] == "supermarket.token_invalid"
    r = api("merchant").post("supermarket/member-lookup", {"member_token": tampered})
    assert r.status_code == 400
    _nothing_moved(world, shop)


def test_staff_of_another_shop_gets_404(api, world, shop, token):
    """The 永兴 shop's staff cannot redeem at, read or list 洪沟's shop: it is 404 to them, not 403."""
    r = _redeem(api, shop, token(), merchant=shop.other, item=shop.other_item)
    assert r.status_code == 404
    assert api("merchant").get(f"supermarket/merchants/{shop.other.pk}").status_code == 404
    assert [m["id"] for m in api("merchant").get("supermarket/merchants").json()] == [shop.merchant.pk]


def test_item_of_another_shop_cannot_be_redeemed_at_this_counter(api, world, shop, token):
    """The goods must belong to the counter's shop."""
    r = _redeem(api, shop, token(), item=shop.other_item)
    assert r.status_code == 400 and r.json()["code"] == "supermarket.item_not_at_merchant"


def test_quantity_and_key_are_validated(api, world, shop, token):
    """Quantity 0 or 100 and an empty key are 400s."""
    assert _redeem(api, shop, token(), quantity=0).json()["code"] == "supermarket.quantity_invalid"
    assert _redeem(api, shop, token(), quantity=100).json()["code"] == "supermarket.quantity_invalid"
    assert _redeem(api, shop, token(), key=" ").json()["code"] == "supermarket.key_invalid"
    _nothing_moved(world, shop)


def test_a_merchant_login_not_listed_as_staff_cannot_redeem(api, world, shop, token):
    """Holding the merchant role is not enough: the shop must list the login as its staff."""
    shop.merchant.staff.clear()
    r = _redeem(api, shop, token())
    assert r.status_code == 404
    assert api("merchant").post("supermarket/member-lookup", {"member_token": token()}).status_code == 403


def test_staff_see_only_their_own_shops_redemptions(api, world, shop, token):
    """Scoping: the 永兴 staff list only 永兴's receipts; 洪沟's staff only 洪沟's; the resident only their own."""
    from gongzhi.accounts.roles import Role
    from gongzhi.accounts.services import role_grant, user_create
    from gongzhi.conftest import ApiClient
    from gongzhi.supermarket import services

    give(world.people["b"], 50)
    hg = user_create(username="t-hg-shop", password="x-pass-123456", display_name="洪沟店员", phone="13500001234")
    role_grant(user=hg, role=Role.MERCHANT, unit=world.community_b, actor=None)
    services.merchant_staff_add(merchant=shop.other, user=hg, actor=world.user("district"))
    mine = _redeem(api, shop, token()).json()["id"]
    theirs = ApiClient(hg).post("supermarket/redemptions", {
        "merchant_id": shop.other.pk, "member_token": token("b"), "item_id": shop.other_item.pk, "quantity": 1,
        "idempotency_key": "hg-1"})
    assert theirs.status_code == 201, theirs.content
    theirs = theirs.json()["id"]
    assert [r["id"] for r in api("merchant").get("supermarket/redemptions").json()["items"]] == [mine]
    assert [r["id"] for r in ApiClient(hg).get("supermarket/redemptions").json()["items"]] == [theirs]
    assert api("merchant").get(f"supermarket/redemptions/{theirs}").status_code == 404
    assert [r["id"] for r in api("resident").get("supermarket/redemptions?mine=true").json()["items"]] == [mine]
    assert {r["id"] for r in api("district").get("supermarket/redemptions").json()["items"]} == {mine, theirs}
