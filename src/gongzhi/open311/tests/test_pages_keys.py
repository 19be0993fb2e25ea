"""The API-key page (open311:keys): admins issue a key (shown once, only its digest kept) and revoke it; others are
refused; each admin sees and manages keys under their own units only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gongzhi.open311 import services
from gongzhi.open311.models import ApiClient
from gongzhi.open311.selectors import key_digest


def test_an_admin_issues_a_key_and_sees_it_once(browser_login, world):
    client = browser_login("district")
    r = client.post(reverse("open311:keys"), {"name": "随手拍App", "unit": world.street_a.pk})
    assert r.status_code == 200 and r["Cache-Control"] == "no-store"
    row = ApiClient.objects.get()
    html = r.content.decode()
    start = html.index('id="new-key">') + len('id="new-key">')
    key = html[start:html.index("<", start)]
    assert key_digest(key) == row.key_digest and row.unit == world.street_a and row.active
    again = client.get(reverse("open311:keys")).content.decode()
    assert key not in again and row.key_prefix in again and "随手拍App" in again


def test_the_issued_key_files_a_request(browser_login, world, client):
    html = browser_login("district").post(reverse("open311:keys"), {"name": "App", "unit": world.district.pk}
                                          ).content.decode()
    start = html.index('id="new-key">') + len('id="new-key">')
    key = html[start:html.index("<", start)]
    r = client.post("/open311/v2/requests.json", {"api_key": key, "service_code": "S01", "address_string": "永兴路8号",
                                                   "description": "水管漏水"})
    assert r.status_code == 200 and "token" in r.json()[0]


def test_revoke(browser_login, world):
    row, _ = services.api_client_issue(name="App", unit=world.street_a, actor=world.user("district"))
    client = browser_login("street")
    r = client.post(reverse("open311:key_revoke", args=[row.pk]))
    assert r.status_code == 302
    row.refresh_from_db()
    assert not row.active and row.revoked_by == world.user("street") and row.revoked_at is not None
    assert client.post(reverse("open311:key_revoke", args=[row.pk])).status_code == 409


def test_an_admin_sees_and_revokes_only_keys_under_their_units(browser_login, world):
    mine, _ = services.api_client_issue(name="艾山App", unit=world.street_a, actor=world.user("district"))
    theirs, _ = services.api_client_issue(name="里辛App", unit=world.street_b, actor=world.user("district"))
    client = browser_login("street")
    html = client.get(reverse("open311:keys")).content.decode()
    assert "艾山App" in html and "里辛App" not in html
    assert client.post(reverse("open311:key_revoke", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.active
    r = client.post(reverse("open311:keys"), {"name": "越权App", "unit": world.street_b.pk})
    assert r.status_code == 400 and not ApiClient.objects.filter(name="越权App").exists()


@pytest.mark.parametrize("who", ["community", "grid", "resident"])
def test_non_admins_are_refused(browser_login, world, who):
    client = browser_login(who)
    assert client.get(reverse("open311:keys")).status_code == 403
    assert client.post(reverse("open311:keys"), {"name": "x", "unit": world.community_a.pk}).status_code == 403
    assert not ApiClient.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in(client, world):
    r = client.get(reverse("open311:keys"))
    assert r.status_code == 302 and "/login/" in r.url


def test_a_key_needs_a_name(browser_login, world):
    r = browser_login("district").post(reverse("open311:keys"), {"name": "  ", "unit": world.district.pk})
    assert r.status_code == 400 and "请填写应用名称" in r.content.decode() and not ApiClient.objects.exists()


def test_services_refuse_a_key_outside_the_admins_units(world):
    from gongzhi.core.errors import DomainError

    with pytest.raises(DomainError) as err:
        services.api_client_issue(name="App", unit=world.street_b, actor=world.user("street"))
    assert err.value.status == 403
    row, _ = services.api_client_issue(name="App", unit=world.street_b, actor=world.user("district"))
    with pytest.raises(DomainError) as err:
        services.api_client_revoke(client=row, actor=world.user("street"))
    assert err.value.status == 403


def test_django_admin_lists_the_staff_units_clients_without_an_add_button(world, client):
    from django.contrib.auth.models import Permission

    user = world.user("street")
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="open311"))
    services.api_client_issue(name="艾山App", unit=world.street_a, actor=world.user("district"))
    services.api_client_issue(name="里辛App", unit=world.street_b, actor=world.user("district"))
    client.force_login(user, backend="gongzhi.accounts.backends.PhoneOrUsernameBackend")
    r = client.get("/admin/open311/apiclient/")
    assert r.status_code == 200 and "艾山App" in r.content.decode() and "里辛App" not in r.content.decode()
    assert client.get("/admin/open311/apiclient/add/").status_code == 403
