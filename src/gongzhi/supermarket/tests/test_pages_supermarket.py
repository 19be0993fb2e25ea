"""Supermarket pages: member QR, counter scan → confirm → receipt, catalogue orders, shops, settlement."""

from __future__ import annotations

import datetime as dt
import re

from django.urls import reverse

from gongzhi.core import clock
from gongzhi.supermarket.models import Merchant, Redemption

from .conftest import balance


def test_member_page_shows_a_qr_and_the_balance(browser_login, world, shop):
    """The resident's phone page: an SVG QR, the balance, refreshed by htmx every minute."""
    c = browser_login("resident")
    r = c.get(reverse("supermarket:member"))
    assert r.status_code == 200
    html = r.content.decode()
    assert "<svg" in html and "100" in html and 'hx-trigger="every 60s"' in html
    assert "no-cache" in r["Cache-Control"]
    part = c.get(reverse("supermarket:member_qr"))
    assert part.status_code == 200 and "<svg" in part.content.decode()


def test_member_page_needs_a_resident_record(browser_login, world):
    """A worker's login has no member code: 409 page."""
    assert browser_login("community").get(reverse("supermarket:member")).status_code == 409


def _token_from_member_page(client) -> str:
    html = client.get(reverse("supermarket:member")).content.decode()
    return re.search(r'data-token="([^"]+)"', html).group(1)


def test_counter_scan_confirm_and_receipt(client, browser_login, world, shop):
    """The shop scans the member code → 赵* and 100 points → 2 洗衣液 → the receipt; the resident sees it too."""
    resident = browser_login("resident")
    token = _token_from_member_page(resident)
    c = browser_login("merchant")
    page = c.get(reverse("supermarket:counter"))
    assert page.status_code == 200 and "永兴社区积分超市" in page.content.decode()
    r = c.post(reverse("supermarket:counter"), {"member_token": token})
    html = r.content.decode()
    assert r.status_code == 200 and "赵*" in html and "赵六" not in html and ">100<" in html
    key = re.search(r'name="idempotency_key" value="([^"]+)"', html).group(1)
    data = {"member_token": token, "idempotency_key": key, "item": shop.soap.pk, "quantity": 2,
            "merchant": shop.merchant.pk}
    r = c.post(reverse("supermarket:counter_redeem"), data)
    red = Redemption.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("supermarket:receipt", args=[red.pk])
    again = c.post(reverse("supermarket:counter_redeem"), data)  # a double tap
    assert again["Location"] == r["Location"] and Redemption.objects.count() == 1
    receipt = c.get(r["Location"]).content.decode()
    assert red.receipt_number in receipt and "洗衣液" in receipt and "80" in receipt
    assert balance(world.people["resident"]) == 80
    assert browser_login("resident").get(r["Location"]).status_code == 200


def test_counter_refuses_an_expired_code_on_the_form(browser_login, world, shop, monkeypatch):
    """An old member code is a 400 with the Chinese message on the scan form."""
    token = _token_from_member_page(browser_login("resident"))
    later = clock.now() + dt.timedelta(minutes=3)
    monkeypatch.setattr("gongzhi.core.clock.now", lambda: later)
    r = browser_login("merchant").post(reverse("supermarket:counter"), {"member_token": token})
    assert r.status_code == 400 and "会员码已过期" in r.content.decode()


def test_counter_confirm_with_a_missing_or_expired_code_is_a_400_not_a_500(browser_login, world, shop, monkeypatch):
    """The confirm form posted without a member code, or with one that expired meanwhile: the scan form shows why."""
    token = _token_from_member_page(browser_login("resident"))
    c = browser_login("merchant")
    r = c.post(reverse("supermarket:counter_redeem"), {"merchant": shop.merchant.pk})
    assert r.status_code == 400
    later = clock.now() + dt.timedelta(minutes=3)
    monkeypatch.setattr("gongzhi.core.clock.now", lambda: later)
    r = c.post(reverse("supermarket:counter_redeem"), {"member_token": token, "idempotency_key": "k1",
                                                       "item": shop.soap.pk, "quantity": 1, "merchant": shop.merchant.pk})
    assert r.status_code == 400 and "会员码已过期" in r.content.decode()
    assert not Redemption.objects.exists() and balance(world.people["resident"]) == 100


def test_counter_shows_insufficient_balance_on_the_confirm_form(browser_login, world, shop):
    """Four 食用油 (120 points) for 100: 409, the message shown, nothing redeemed."""
    token = _token_from_member_page(browser_login("resident"))
    r = browser_login("merchant").post(reverse("supermarket:counter_redeem"), {
        "member_token": token, "idempotency_key": "x", "item": shop.oil.pk, "quantity": 4,
        "merchant": shop.merchant.pk})
    assert r.status_code == 409 and "积分余额不足" in r.content.decode()
    assert not Redemption.objects.exists()


def test_counter_is_for_shop_staff_only(browser_login, world, shop):
    """A community worker is not a shop's staff (403); the staff cannot open another shop's counter (404)."""
    assert browser_login("community").get(reverse("supermarket:counter")).status_code == 403
    r = browser_login("merchant").get(reverse("supermarket:counter") + f"?merchant={shop.other.pk}")
    assert r.status_code == 404


def test_resident_orders_from_the_catalogue_and_cancels(browser_login, world, shop):
    """The catalogue lists 永兴's goods; an order goes to its receipt; cancelling gives the points back."""
    c = browser_login("resident")
    html = c.get(reverse("supermarket:catalogue")).content.decode()
    assert "洗衣液" in html and "食用油" in html and "鸡蛋" not in html  # 洪沟's eggs are another street's
    key = re.search(r'name="idempotency_key" value="([^"]+)"', html).group(1)
    r = c.post(reverse("supermarket:order", args=[shop.oil.pk]), {"idempotency_key": key, "quantity": 1})
    red = Redemption.objects.get()
    assert r.status_code == 302 and red.status == "ordered" and balance(world.people["resident"]) == 70
    assert red.receipt_number in c.get(reverse("supermarket:orders")).content.decode()
    counter = browser_login("merchant").get(reverse("supermarket:counter")).content.decode()
    assert red.receipt_number in counter and "赵*" in counter
    r = c.post(reverse("supermarket:cancel", args=[red.pk]))
    assert r.status_code == 302 and balance(world.people["resident"]) == 100
    red.refresh_from_db()
    assert red.status == "cancelled"


def test_order_refusal_is_a_message_not_a_500(browser_login, world, shop):
    """Ordering more than the balance allows shows the reason on the catalogue."""
    c = browser_login("resident")
    r = c.post(reverse("supermarket:order", args=[shop.oil.pk]), {"idempotency_key": "k", "quantity": 4},
               follow=True)
    assert r.status_code == 200 and "积分余额不足" in r.content.decode() and not Redemption.objects.exists()


def test_shop_pickup_from_the_counter(browser_login, world, shop):
    """The staff marks an order picked up from the counter list."""
    c = browser_login("resident")
    c.post(reverse("supermarket:order", args=[shop.soap.pk]), {"idempotency_key": "p", "quantity": 1})
    red = Redemption.objects.get()
    assert browser_login("merchant").post(reverse("supermarket:pickup", args=[red.pk])).status_code == 302
    red.refresh_from_db()
    assert red.status == "completed" and red.completed_at


def test_manager_registers_a_shop_adds_goods_restocks_and_staff(browser_login, world):
    """A community worker registers 永兴卫生室, puts a 药品九折券 on the shelf, restocks it and adds staff."""
    c = browser_login("community")
    r = c.post(reverse("supermarket:merchants"), {"unit": world.community_a.pk, "name": "永兴卫生室",
                                                  "kind": "clinic", "fen_per_point": 10})
    m = Merchant.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("supermarket:merchant", args=[m.pk])
    r = c.post(r["Location"], {"name": "药品九折券", "points_price": 50, "stock": 10})
    assert r.status_code == 302
    item = m.items.get()
    c.post(reverse("supermarket:item_stock", args=[item.pk]), {"change": 5, "reason": "restock"})
    item.refresh_from_db()
    assert item.stock == 15
    c.post(reverse("supermarket:item_shelf", args=[item.pk]))
    item.refresh_from_db()
    assert not item.active
    r = c.post(reverse("supermarket:merchant", args=[m.pk]), {"username": world.user("volunteer").username})
    assert r.status_code == 400 and "没有商户角色" in r.content.decode()
    r = c.post(reverse("supermarket:merchant", args=[m.pk]), {"username": world.user("merchant").username})
    assert r.status_code == 302 and list(m.staff.all()) == [world.user("merchant")]
    c.post(reverse("supermarket:merchant_open", args=[m.pk]))
    m.refresh_from_db()
    assert not m.active and "恢复营业" in c.get(reverse("supermarket:merchant", args=[m.pk])).content.decode()
    dup = c.post(reverse("supermarket:merchants"), {"unit": world.community_a.pk, "name": "永兴卫生室",
                                                    "kind": "clinic", "fen_per_point": 10})
    assert dup.status_code == 400 and "同名商户" in dup.content.decode()
    assert browser_login("resident").post(reverse("supermarket:merchant_open", args=[m.pk])).status_code == 403


def test_shop_pages_are_scoped(browser_login, world, shop):
    """洪沟's community worker cannot open 永兴's shop (404); the resident cannot manage shops (403)."""
    assert browser_login("community_b").get(reverse("supermarket:merchant", args=[shop.merchant.pk])).status_code \
        == 404
    assert browser_login("resident").get(reverse("supermarket:merchants")).status_code == 403
    r = browser_login("resident").post(reverse("supermarket:item_stock", args=[shop.soap.pk]), {"change": 5})
    assert r.status_code == 403


def test_settlement_page_and_its_export_link(browser_login, world, shop, token, api):
    """The district sees this month's statement with the xlsx link; a community worker may not settle."""
    api("merchant").post("supermarket/redemptions", {"merchant_id": shop.merchant.pk, "member_token": token(),
                                                     "item_id": shop.oil.pk, "quantity": 2, "idempotency_key": "s"})
    c = browser_login("district")
    r = c.get(reverse("supermarket:settlement"))
    html = r.content.decode()
    assert r.status_code == 200 and "永兴社区积分超市" in html and "6.00" in html and "settlement.xlsx" in html
    xlsx = c.get(re.search(r'href="(/api/v1/supermarket/settlement.xlsx[^"]*)"', html).group(1).replace("&amp;",
                                                                                                        "&"))
    assert xlsx.status_code == 200
    bad = c.get(reverse("supermarket:settlement") + "?start=2026-05-01&end=2026-01-01")
    assert bad.status_code == 400
    assert browser_login("community").get(reverse("supermarket:settlement")).status_code == 403


def test_back_office_lists_redemptions_read_only(client, world, shop, token, api):
    """The admin shows receipts to a superuser and offers no add/change/delete of history."""
    from gongzhi.accounts.models import User

    api("merchant").post("supermarket/redemptions", {"merchant_id": shop.merchant.pk, "member_token": token(),
                                                     "item_id": shop.soap.pk, "idempotency_key": "adm"})
    root = User.objects.create_superuser(username="t-root", password="x-pass-123456")
    client.force_login(root, backend="gongzhi.accounts.backends.PhoneOrUsernameBackend")
    r = client.get("/admin/supermarket/redemption/")
    assert r.status_code == 200 and Redemption.objects.get().receipt_number in r.content.decode()
    assert client.get("/admin/supermarket/redemption/add/").status_code == 403
    assert client.get("/admin/supermarket/merchant/add/").status_code == 403
