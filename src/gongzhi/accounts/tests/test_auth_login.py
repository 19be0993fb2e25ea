"""Login from the outside: username or phone + password, wrong passwords, throttling (django-axes), Argon2."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.test import Client, override_settings
from django.urls import reverse

from gongzhi.core.testing.world import PASSWORD

LOCKOUT_MESSAGE = "登录失败次数过多，请稍后再试"


@pytest.fixture
def login_client():
    """A browser-like client that enforces CSRF, as the real login form does."""
    client = Client(enforce_csrf_checks=True)

    def post(username: str, password: str, **extra):
        client.get(reverse("web:login"), **extra)
        return client.post(
            reverse("web:login"),
            {"username": username, "password": password, "csrfmiddlewaretoken": client.cookies["csrftoken"].value},
            **extra,
        )

    client.login_post = post
    return client


def _logged_in_as(client: Client) -> str | None:
    r = client.get("/api/v1/me")
    return r.json()["username"] if r.status_code == 200 else None


def test_login_by_username(world, login_client):
    """The login form accepts the username and opens a session."""
    r = login_client.login_post("t-community", PASSWORD)
    assert r.status_code == 302
    assert r["Location"] == reverse("web:home")
    assert _logged_in_as(login_client) == "t-community"


def test_login_by_phone_number(world, login_client):
    """The same form accepts the mobile number instead of the username."""
    r = login_client.login_post(world.user("community").phone, PASSWORD)
    assert r.status_code == 302
    assert _logged_in_as(login_client) == "t-community"


def test_wrong_password_is_refused_with_a_chinese_message(world, login_client):
    """A wrong password re-shows the form with an error and opens no session."""
    r = login_client.login_post("t-community", "not-the-password")
    assert r.status_code == 200
    assert "用户名/手机号或密码错误" in r.content.decode()
    assert _logged_in_as(login_client) is None


def test_inactive_user_cannot_log_in(world, login_client):
    """A deactivated account cannot log in even with the right password."""
    user = world.user("community")
    user.is_active = False
    user.save(update_fields=["is_active"])
    r = login_client.login_post("t-community", PASSWORD)
    assert r.status_code == 200
    assert _logged_in_as(login_client) is None


def test_login_is_throttled_after_repeated_failures(world, login_client):
    """After AXES_FAILURE_LIMIT (5) failures the next attempt is refused with 429, even with the right password."""
    assert settings.AXES_FAILURE_LIMIT == 5
    statuses = [login_client.login_post("t-community", f"wrong-{i}").status_code for i in range(5)]
    assert statuses[:4] == [200, 200, 200, 200]
    assert statuses[4] == 429  # the fifth failure reaches the limit and is already answered with the lockout
    r = login_client.login_post("t-community", PASSWORD)
    assert r.status_code == 429
    assert LOCKOUT_MESSAGE in r.content.decode()
    assert _logged_in_as(login_client) is None


def test_login_by_phone_typed_with_country_code_and_spaces(world, login_client):
    """"+86 139 0000 0003" logs in the account whose phone is 13900000003."""
    phone = world.user("community").phone
    r = login_client.login_post(f"+86 {phone[:3]} {phone[3:7]} {phone[7:]}", PASSWORD)
    assert r.status_code == 302
    assert _logged_in_as(login_client) == "t-community"


def test_username_and_phone_share_one_failure_counter(world, login_client):
    """Alternating username and phone does not double the allowed guesses: five failures in all lock the account."""
    phone = world.user("community").phone
    statuses = [login_client.login_post(["t-community", phone][i % 2], f"wrong-{i}").status_code for i in range(5)]
    assert statuses[-1] == 429
    assert login_client.login_post(phone, PASSWORD).status_code == 429
    assert login_client.login_post("t-community", PASSWORD).status_code == 429


def test_lockout_is_per_username(world, login_client):
    """Failures for one account do not lock out another account from the same address."""
    for i in range(5):
        login_client.login_post("t-community", f"wrong-{i}")
    r = login_client.login_post("t-street", PASSWORD)
    assert r.status_code == 302


def test_successful_login_resets_the_failure_count(world, login_client):
    """Four failures, a success, then four more failures do not lock the account (AXES_RESET_ON_SUCCESS)."""
    for i in range(4):
        assert login_client.login_post("t-community", f"wrong-{i}").status_code == 200
    assert login_client.login_post("t-community", PASSWORD).status_code == 302
    login_client.post(reverse("web:logout"), {"csrfmiddlewaretoken": login_client.cookies["csrftoken"].value})
    for i in range(4):
        assert login_client.login_post("t-community", f"again-{i}").status_code == 200


def test_base_settings_hash_passwords_with_argon2():
    """Outside tests passwords are hashed with Argon2 first (the test settings prepend a fast hasher)."""
    from gongzhi.settings import base

    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    with override_settings(PASSWORD_HASHERS=base.PASSWORD_HASHERS):
        encoded = make_password("demo12345")
        assert encoded.startswith("argon2$")
        assert check_password("demo12345", encoded)
