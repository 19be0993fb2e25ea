"""API authentication from the outside: bearer tokens (create, use, revoke), the session with CSRF, `gongzhi token`."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from gongzhi.accounts.models import ApiToken
from gongzhi.core.testing.world import PASSWORD


def _bearer(key: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_api_without_credentials_is_401_json():
    """No token and no session: 401 with the shared error shape and a Chinese message."""
    r = Client().get("/api/v1/people")
    assert r.status_code == 401
    assert r["Content-Type"].startswith("application/json")
    assert r.json() == {"code": "unauthenticated", "message": "请先登录", "detail": None}


@pytest.mark.parametrize("header", ["Bearer gz_not-a-real-key", "Bearer ", "Token abc", "gz_abc", "Bearer x" * 200])
def test_bad_authorization_headers_are_401(world, header):
    """Unknown keys, empty keys and other schemes are all refused with 401 (never 500)."""
    r = Client().get("/api/v1/me", HTTP_AUTHORIZATION=header)
    assert r.status_code == 401
    assert r.json()["code"] == "unauthenticated"


def test_token_created_over_the_api_works_until_revoked(api, world):
    """POST /me/tokens shows the key once; it authenticates; DELETE revokes it and it then answers 401."""
    owner = api("community")
    r = owner.post("me/tokens", {"name": "手机"})
    assert r.status_code == 201
    created = r.json()
    key = created["key"]
    assert key.startswith("gz_") and created["prefix"] == key[:10]

    assert Client().get("/api/v1/me", **_bearer(key)).json()["username"] == "t-community"
    listed = owner.get("me/tokens").json()
    assert {t["id"] for t in listed} >= {created["id"]}
    assert key not in json.dumps(listed)  # the key is shown once, never listed again

    r = owner.delete(f"me/tokens/{created['id']}")
    assert r.status_code == 200 and r.json()["revoked_at"] is not None
    r = Client().get("/api/v1/me", **_bearer(key))
    assert r.status_code == 401
    assert r.json()["code"] == "unauthenticated"


def test_only_a_digest_of_the_key_is_stored(world):
    """The database holds the key's digest and prefix, never the key itself (R-P3 spirit for credentials)."""
    out = io.StringIO()
    call_command("token", "t-street", stdout=out, stderr=io.StringIO())
    key = out.getvalue().strip()
    token = ApiToken.objects.get(user=world.user("street"))
    assert key not in {token.key_digest, token.prefix, token.name}
    assert len(token.key_digest) == 64


def test_cannot_revoke_another_users_token(api, world):
    """A token of another user is not found (404), and stays usable."""
    r = api("district").post("me/tokens", {"name": "x"})
    other = r.json()
    r = api("community").delete(f"me/tokens/{other['id']}")
    assert r.status_code == 404
    assert Client().get("/api/v1/me", **_bearer(other["key"])).status_code == 200


def test_token_of_deactivated_user_is_refused(world):
    """Deactivating an account stops its tokens at once."""
    out = io.StringIO()
    call_command("token", "t-grid", stdout=out, stderr=io.StringIO())
    key = out.getvalue().strip()
    assert Client().get("/api/v1/me", **_bearer(key)).status_code == 200
    user = world.user("grid")
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert Client().get("/api/v1/me", **_bearer(key)).status_code == 401


def test_token_command_prints_a_working_token(world, capsys, monkeypatch):
    """`gongzhi token USERNAME` prints only the key on stdout; the key authenticates as that user."""
    from django.db import connections

    from gongzhi.cli import main

    # run_from_argv closes every connection when a command ends; keep the test's transaction open
    monkeypatch.setattr(connections, "close_all", lambda: None)
    main(["token", "t-community", "--name", "脚本"])
    key = capsys.readouterr().out.strip()
    assert key.startswith("gz_") and "\n" not in key
    r = Client().get("/api/v1/me", **_bearer(key))
    assert r.status_code == 200
    assert r.json()["username"] == "t-community"
    assert ApiToken.objects.get(user=world.user("community"), prefix=key[:10]).name == "脚本"


def test_token_command_revokes_by_prefix(world):
    """`gongzhi token USERNAME --revoke PREFIX` revokes that token; it then answers 401."""
    out = io.StringIO()
    call_command("token", "t-community", stdout=out, stderr=io.StringIO())
    key = out.getvalue().strip()
    call_command("token", "t-community", stdout=io.StringIO(), stderr=io.StringIO())  # a second, unrelated token
    call_command("token", "t-community", "--revoke", key[:10], stdout=io.StringIO())
    assert Client().get("/api/v1/me", **_bearer(key)).status_code == 401
    assert ApiToken.objects.filter(user=world.user("community"), revoked_at__isnull=True).count() == 1


def test_token_command_refuses_unknown_user_and_unknown_prefix(world):
    """Unknown users and prefixes that match no token are errors, not silent no-ops."""
    with pytest.raises(CommandError, match="不存在"):
        call_command("token", "nobody", stdout=io.StringIO())
    with pytest.raises(CommandError, match="没有"):
        call_command("token", "t-community", "--revoke", "gz_nothing", stdout=io.StringIO())


# --- the browser session on the API ----------------------------------------------------------------------


@pytest.fixture
def session_client(world):
    """A CSRF-enforcing client logged in through the real login form."""
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("web:login"))
    r = client.post(reverse("web:login"), {"username": "t-community", "password": PASSWORD,
                                           "csrfmiddlewaretoken": client.cookies["csrftoken"].value})
    assert r.status_code == 302
    return client


def test_session_reads_the_api(session_client):
    """A logged-in browser can read the API with its session cookie."""
    r = session_client.get("/api/v1/me")
    assert r.status_code == 200
    assert r.json()["username"] == "t-community"


def test_session_write_without_csrf_token_is_refused(session_client):
    """A POST with the session cookie but no CSRF token is refused with 403 and nothing is created."""
    before = ApiToken.objects.count()
    r = session_client.post("/api/v1/me/tokens", json.dumps({"name": "x"}), content_type="application/json")
    assert r.status_code == 403
    assert r.json()["code"] == "forbidden"
    assert ApiToken.objects.count() == before


def test_session_write_with_csrf_token_is_accepted(session_client):
    """The same POST with the X-CSRFToken header goes through."""
    r = session_client.post("/api/v1/me/tokens", json.dumps({"name": "x"}), content_type="application/json",
                            HTTP_X_CSRFTOKEN=session_client.cookies["csrftoken"].value)
    assert r.status_code == 201


def test_logout_ends_api_access(session_client):
    """After logging out the session no longer opens the API."""
    session_client.post(reverse("web:logout"), {"csrfmiddlewaretoken": session_client.cookies["csrftoken"].value})
    assert session_client.get("/api/v1/me").status_code == 401
