"""Shared fixtures: a small world (org tree + one user per role), API clients authenticated by token or session."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from django.db import connections
from django.test import Client

from gongzhi.accounts.services import token_create
from gongzhi.core.testing.world import build_world


@pytest.fixture
def world(db):
    return build_world()


class ApiClient:
    """A thin JSON client for /api/v1 with a bearer token."""

    def __init__(self, user=None):
        self.client = Client()
        self.headers = {}
        if user is not None:
            _, key = token_create(user=user, name="test")
            self.headers["HTTP_AUTHORIZATION"] = f"Bearer {key}"

    def _url(self, path):
        return path if path.startswith("/") else f"/api/v1/{path}"

    def get(self, path, **params):
        return self.client.get(self._url(path), params, **self.headers)

    def post(self, path, data=None):
        return self.client.post(self._url(path), json.dumps(data or {}), content_type="application/json", **self.headers)

    def put(self, path, data=None):
        return self.client.put(self._url(path), json.dumps(data or {}), content_type="application/json", **self.headers)

    def patch(self, path, data=None):
        return self.client.patch(self._url(path), json.dumps(data or {}), content_type="application/json", **self.headers)

    def delete(self, path):
        return self.client.delete(self._url(path), **self.headers)


@pytest.fixture
def api(world):
    """``api("community")`` → an ApiClient authenticated as that world user; ``api(None)`` is anonymous."""

    def make(name: str | None):
        return ApiClient(world.user(name) if name else None)

    return make


@pytest.fixture
def browser_login(client, world):
    """Log the Django test client in as a world user (session + CSRF), for page tests."""

    def login(name: str):
        # force_login: django-axes' backend refuses client.login() (it needs a request); login itself is tested
        # through the login page.
        client.force_login(world.user(name), backend="gongzhi.accounts.backends.PhoneOrUsernameBackend")
        return client

    return login


# --- headless Chromium (Debian package; Playwright drives it). Screenshots go to test-artifacts/. ----------

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


@pytest.fixture
def chromium_page():
    """A phone-sized (390×844) Chromium page; skipped without /usr/bin/chromium unless GONGZHI_REQUIRE_BROWSER=1."""
    if not shutil.which(CHROMIUM):
        if os.environ.get("GONGZHI_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is required (GONGZHI_REQUIRE_BROWSER=1) but missing")
        pytest.skip(f"{CHROMIUM} not installed")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop in this thread
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                                      has_touch=True, locale="zh-CN")
        page = context.new_page()
        page.set_default_timeout(15_000)
        yield page
        # While Playwright's loop is set, Django's connections live in context-local storage apart from this
        # thread's: a query made by the test meanwhile opened a second connection that nothing else closes (on
        # PostgreSQL it kept the test database from being dropped).
        connections.close_all()
        context.close()
        browser.close()


def pytest_collection_modifyitems(items):
    """Soak tests run only under ``make soak`` (GONGZHI_SOAK=1). Every transactional test restores the rows migrations seed (tags, skills, categories, content types).

    A transactional test flushes the database when it ends; without a serialized rollback the seeded rows are gone
    for later tests in the same worker, and content types re-created by the flush collide with the next restore.
    """
    soak = os.environ.get("GONGZHI_SOAK") == "1"
    for item in items:
        if item.get_closest_marker("soak") and not soak:
            item.add_marker(pytest.mark.skip(reason="soak test: run by `make soak`"))
        marker = item.get_closest_marker("django_db")
        kwargs = dict(marker.kwargs) if marker is not None else {}
        # a live server (or an explicit transactional_db) makes the test transactional even without a marker
        if {"live_server", "transactional_db"} & set(getattr(item, "fixturenames", ())):
            kwargs["transaction"] = True
        if kwargs.get("transaction") and not kwargs.get("serialized_rollback"):
            kwargs["serialized_rollback"] = True
            item.add_marker(pytest.mark.django_db(*(marker.args if marker else ()), **kwargs), append=False)
