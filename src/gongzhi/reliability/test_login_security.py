"""Logging in safely: guessing is throttled, a session cannot be fixed in advance, a role change is felt at once,
and every page form needs its CSRF token.

What a district needs against guessing (the decision these tests hold the code to):

- **per account+address**: 5 failures lock that username (or its phone number: one counter) from that address for the
  cool-off (15 minutes) — django-axes, AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]. Per account *and*
  address, so that someone who knows a worker's username cannot lock the worker out from the office.
- **per address ceiling**: 30 failures from one address over all usernames within the cool-off refuse that address
  (accounts.throttling.ip_ceiling_reached) — password spraying. 30, not 5, because a community office sits behind one
  NAT address where a dozen workers mistype now and then. Not applied to a loopback address (a reverse proxy on the
  same machine speaks for everyone; production must tell axes how many proxies to skip, AXES_IPWARE_PROXY_COUNT).
- the refusal is 429 with 登录失败次数过多，请稍后再试 (JSON with a code on /api/); after the cool-off the right password
  works again.
- the JSON API has no password login (bearer tokens are made by a logged-in user or by ``gongzhi token``), so the
  web login is the only place a password is tried; the first test checks that this stays true.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

import pytest
from axes.models import AccessAttempt
from django.contrib.sessions.backends.db import SessionStore
from django.http import HttpResponseForbidden
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from gongzhi.accounts.models import RoleAssignment
from gongzhi.accounts.roles import Role
from gongzhi.accounts.services import role_grant, role_revoke
from gongzhi.api import api as ninja_api
from gongzhi.core.testing.world import PASSWORD

LOCKOUT = "登录失败次数过多，请稍后再试"


class Browser:
    """A CSRF-enforcing client that logs in through the real form, from a chosen address."""

    def __init__(self, ip: str = "10.0.0.1"):
        self.client = Client(enforce_csrf_checks=True, REMOTE_ADDR=ip)

    def token(self) -> str:
        if "csrftoken" not in self.client.cookies:
            self.client.get(reverse("web:login"))
        return self.client.cookies["csrftoken"].value

    def login(self, username: str, password: str):
        self.client.get(reverse("web:login"))
        return self.client.post(reverse("web:login"), {"username": username, "password": password,
                                                       "csrfmiddlewaretoken": self.token()})

    def logout(self):
        return self.client.post(reverse("web:logout"), {"csrfmiddlewaretoken": self.token()})

    def who(self) -> str | None:
        r = self.client.get("/api/v1/me")
        return r.json()["username"] if r.status_code == 200 else None


def test_no_api_endpoint_takes_a_password():
    """A password is only ever tried at the throttled web login."""
    schema = json.dumps(ninja_api.get_openapi_schema()["paths"], ensure_ascii=False).lower()
    assert "password" not in schema and "密码" not in schema


# --- brute force -------------------------------------------------------------------------------------------------

def test_five_failures_lock_the_account_from_that_address_with_a_chinese_429(world):
    b = Browser()
    statuses = [b.login("t-community", f"guess-{i}").status_code for i in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    r = b.login("t-community", PASSWORD)
    assert r.status_code == 429 and LOCKOUT in r.content.decode()
    assert b.who() is None
    assert Browser("10.0.0.2").login("t-community", PASSWORD).status_code == 302  # the worker in the office


def test_the_right_password_works_again_after_the_cool_off(world):
    b = Browser()
    for i in range(5):
        b.login("t-community", f"guess-{i}")
    assert b.login("t-community", PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))  # the cool-off has passed
    assert b.login("t-community", PASSWORD).status_code == 302
    assert b.who() == "t-community"


@override_settings(AXES_IP_FAILURE_CEILING=8)
def test_spraying_many_usernames_from_one_address_meets_the_ceiling(world):
    """Two guesses at each of many accounts (never five at one) still stop at the address's ceiling."""
    b = Browser("10.9.9.9")
    names = [f"t-{n}" for n in ("community", "street", "grid", "district", "socialworker", "teamleader")]
    statuses = [b.login(name, f"123456{k}").status_code for name in names for k in range(2)]
    assert statuses[:8] == [200] * 8 and set(statuses[8:]) == {429}
    r = b.login("t-volunteer", PASSWORD)
    assert r.status_code == 429 and LOCKOUT in r.content.decode()
    assert Browser("10.9.9.10").login("t-volunteer", PASSWORD).status_code == 302  # another address is not affected


@override_settings(AXES_IP_FAILURE_CEILING=3)
def test_the_ceiling_does_not_apply_to_a_loopback_proxy_address(world):
    """Behind a reverse proxy on the same machine every request comes from 127.0.0.1: one ceiling for all would
    lock the whole district out (the username+address lockout still applies)."""
    b = Browser("127.0.0.1")
    for name in ("t-community", "t-street", "t-grid", "t-district"):
        b.login(name, "wrong")
    assert b.login("t-volunteer", PASSWORD).status_code == 302


def test_the_ceiling_is_thirty_by_default(world):
    from gongzhi.accounts import throttling

    assert throttling.ip_failure_ceiling() == 30


# --- session fixation --------------------------------------------------------------------------------------------

def test_the_session_key_changes_on_login_and_on_logout(world):
    b = Browser()
    b.client.get(reverse("web:login"))
    session = b.client.session
    session["planted"] = True
    session.save()
    before = session.session_key
    b.client.cookies["sessionid"] = before
    assert b.login("t-community", PASSWORD).status_code == 302
    after_login = b.client.cookies["sessionid"].value
    assert after_login != before
    assert not SessionStore(session_key=before).exists(before)  # the pre-login session is gone
    b.logout()
    assert b.client.cookies["sessionid"].value != after_login
    assert not SessionStore(session_key=after_login).exists(after_login)
    assert b.who() is None


def test_a_session_id_planted_by_an_attacker_is_not_honoured_after_login(world):
    """The attacker makes a session, plants its id in the victim's browser, the victim logs in: the attacker's
    copy of the id opens nothing."""
    planted = SessionStore()
    planted.create()
    victim = Browser()
    victim.client.cookies["sessionid"] = planted.session_key
    assert victim.login("t-district", PASSWORD).status_code == 302
    assert victim.who() == "t-district"
    attacker = Client()
    attacker.cookies["sessionid"] = planted.session_key
    assert attacker.get("/api/v1/me").status_code == 401
    assert attacker.get(reverse("web:home")).status_code == 302  # to the login page


def test_an_unknown_session_id_is_not_adopted(world):
    victim = Browser()
    victim.client.cookies["sessionid"] = "attackerchosen0000000000000000ab"
    assert victim.login("t-community", PASSWORD).status_code == 302
    assert victim.client.cookies["sessionid"].value != "attackerchosen0000000000000000ab"


# --- privilege changes -------------------------------------------------------------------------------------------

def test_a_role_granted_or_revoked_counts_on_the_next_request(world):
    b = Browser()
    assert b.login("t-resident", PASSWORD).status_code == 302
    user = world.user("resident")
    assert b.client.get(reverse("people:list")).status_code == 403
    role_grant(user=user, role=Role.COMMUNITY_WORKER, unit=world.community_a, actor=world.user("district"))
    assert b.client.get(reverse("people:list")).status_code == 200
    assignment = RoleAssignment.objects.get(user=user, role=Role.COMMUNITY_WORKER, revoked_at__isnull=True)
    role_revoke(assignment=assignment, actor=world.user("district"))
    assert b.client.get(reverse("people:list")).status_code == 403


def test_a_deactivated_user_is_out_on_the_next_request(world):
    b = Browser()
    b.login("t-community", PASSWORD)
    user = world.user("community")
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert b.who() is None


# --- CSRF on every page form -------------------------------------------------------------------------------------

CSRF_REFUSED = "csrf-refused-by-middleware"


def csrf_failure(request, reason=""):
    return HttpResponseForbidden(CSRF_REFUSED)


# views that take no session (machine clients with their own keys) and so need no CSRF token
CSRF_EXEMPT_PREFIXES = ("/api/", "/open311/", "/healthz", "/readyz", "/static/", "/media/")


def _page_urls() -> list[str]:
    """One concrete URL per page route (path parameters filled with 1 / "x"), API and machine routes left out."""
    urls = []

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                route = prefix + str(p.pattern)
                if route.startswith("^") or "(?P" in route:
                    continue  # regex routes (static, i18n) are not forms
                url = "/" + _fill(route)
                if not url.startswith(CSRF_EXEMPT_PREFIXES):
                    urls.append(url)

    walk(get_resolver().url_patterns)
    return sorted(set(urls))


def _fill(route: str) -> str:
    import re

    return re.sub(r"<(?:(\w+):)?\w+>", lambda m: "1" if m.group(1) in ("int", None) else "x", route)


def test_the_page_routes_are_enumerated():
    urls = _page_urls()
    assert "/login/" in urls and "/appeals/report/" in urls and len(urls) > 60


@override_settings(CSRF_FAILURE_VIEW="gongzhi.reliability.test_login_security.csrf_failure")
def test_every_page_post_without_a_token_is_refused_and_with_one_passes_the_check(world):
    b = Browser()
    assert b.login("t-district", PASSWORD).status_code == 302
    token = b.token()
    missing, blocked = [], []
    for url in _page_urls():
        r = b.client.post(url, {"note": "x"})
        if not (r.status_code == 403 and r.content.decode() == CSRF_REFUSED):
            missing.append((url, r.status_code))
        r = b.client.post(url, {"note": "x", "csrfmiddlewaretoken": token})
        if r.status_code == 403 and r.content.decode() == CSRF_REFUSED:
            blocked.append(url)
        if url == "/logout/":
            b.login("t-district", PASSWORD)
            token = b.token()
    assert not missing, missing
    assert not blocked, blocked


def test_the_login_form_itself_needs_the_token(world):
    b = Browser()
    b.client.get(reverse("web:login"))
    r = b.client.post(reverse("web:login"), {"username": "t-community", "password": PASSWORD})
    assert r.status_code == 403
    assert b.who() is None


# --- cookie flags in production -----------------------------------------------------------------------------------

def test_production_cookies_are_secure_httponly_and_samesite():
    """Read from gongzhi.settings.prod itself (in a subprocess, with the secrets it requires)."""
    env = {**os.environ, "SECRET_KEY": "x" * 60, "FIELD_ENCRYPTION_KEY": "k" * 44, "ALLOWED_HOSTS": "example.org",
           "DJANGO_SETTINGS_MODULE": "gongzhi.settings.prod"}
    code = ("import json, django; from django.conf import settings as s; print(json.dumps({k: getattr(s, k) for k in "
            "['SESSION_COOKIE_SECURE','SESSION_COOKIE_HTTPONLY','SESSION_COOKIE_SAMESITE','CSRF_COOKIE_SECURE',"
            "'CSRF_COOKIE_SAMESITE','SECURE_SSL_REDIRECT','SECURE_HSTS_SECONDS','DEBUG']}))")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    flags = json.loads(out.strip().splitlines()[-1])
    assert flags["SESSION_COOKIE_SECURE"] and flags["SESSION_COOKIE_HTTPONLY"] and flags["CSRF_COOKIE_SECURE"]
    assert flags["SESSION_COOKIE_SAMESITE"] in ("Lax", "Strict") and flags["CSRF_COOKIE_SAMESITE"] in ("Lax", "Strict")
    assert flags["SECURE_SSL_REDIRECT"] and flags["SECURE_HSTS_SECONDS"] >= 31536000 and not flags["DEBUG"]


@override_settings(SESSION_COOKIE_SECURE=True, CSRF_COOKIE_SECURE=True)
def test_the_cookies_sent_at_login_carry_those_flags(world):
    b = Browser()
    r = b.login("t-community", PASSWORD)
    session = r.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
    csrf = b.client.cookies["csrftoken"]
    assert csrf["secure"] and csrf["samesite"] == "Lax"


pytestmark = pytest.mark.django_db


class ProxiedBrowser(Browser):
    """A client reached through one reverse proxy on 10.0.0.254, which appends the client's address."""

    def __init__(self, client_address: str, spoofed: str = ""):
        forwarded = f"{spoofed}, {client_address}" if spoofed else client_address
        self.client = Client(enforce_csrf_checks=True, REMOTE_ADDR="10.0.0.254", HTTP_X_FORWARDED_FOR=forwarded)


@override_settings(TRUSTED_PROXY_COUNT=1, AXES_IP_FAILURE_CEILING=3)
def test_behind_a_trusted_proxy_the_ceiling_counts_each_client_not_the_proxy(world):
    """With TRUSTED_PROXY_COUNT=1 the ceiling falls on the sprayer's own address; a resident behind the same proxy
    still logs in, and the sprayer cannot escape by sending a made-up X-Forwarded-For entry of its own."""
    sprayer = ProxiedBrowser("203.0.113.7")
    for name in ("t-community", "t-street", "t-grid"):
        sprayer.login(name, "wrong")
    assert sprayer.login("t-volunteer", PASSWORD).status_code == 429
    assert ProxiedBrowser("203.0.113.7", spoofed="198.51.100.1").login("t-volunteer", PASSWORD).status_code == 429
    assert ProxiedBrowser("203.0.113.8").login("t-volunteer", PASSWORD).status_code == 302


@override_settings(TRUSTED_PROXY_COUNT=0, AXES_IP_FAILURE_CEILING=3)
def test_without_a_trusted_proxy_a_forwarded_header_is_ignored(world):
    """A client reaching the app directly cannot pick its address by sending X-Forwarded-For."""
    for n, name in enumerate(("t-community", "t-street", "t-grid")):
        c = Client(enforce_csrf_checks=True, REMOTE_ADDR="10.7.7.7", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
        b = Browser.__new__(Browser)
        b.client = c
        b.login(name, "wrong")
    b = Browser("10.7.7.7")
    assert b.login("t-volunteer", PASSWORD).status_code == 429


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_the_access_log_records_the_client_address_behind_the_proxy(rf):
    from gongzhi.privacy.services import client_ip

    request = rf.get("/", REMOTE_ADDR="10.0.0.254", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9")
    assert client_ip(request) == "203.0.113.9"
    assert client_ip(rf.get("/", REMOTE_ADDR="10.0.0.254", HTTP_X_FORWARDED_FOR="not-an-address")) == "10.0.0.254"
