"""English is a real second language: pages and API messages follow the request's language; Chinese stays the default."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

HAN = re.compile(r"[\u4e00-\u9fff]")
CATALOGUE = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES"


def _section(html: str, tag: str) -> str:
    """The first ``<tag ...>...</tag>`` of a page (the nav, the main content)."""
    match = re.search(rf"<{tag}\b.*?</{tag}>", html, re.S)
    assert match, f"no <{tag}> in the page"
    return match.group(0)


def _without_language_switcher(html: str) -> str:
    """The page less its footer: the switcher names each language in that language (简体中文), by design."""
    return re.sub(r"<footer\b.*?</footer>", "", html, flags=re.S)


def test_login_page_in_english_after_choosing_it(client):
    """After choosing English in the switcher the login page is English throughout."""
    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    html = client.get(reverse("web:login")).content.decode()
    assert '<html lang="en">' in html
    assert "Log in" in html and "Username or mobile number" in html and "Password" in html
    assert not HAN.search(_without_language_switcher(html))


def test_pages_stay_chinese_for_a_browser_set_to_english(client):
    """A phone set to English still gets Chinese pages until the user picks English (API clients keep Accept-Language)."""
    html = client.get(reverse("web:login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="zh-hans">' in html and "登录" in html


def test_login_page_in_chinese_by_default(client):
    """Without a language preference the login page is Chinese (LANGUAGE_CODE zh-hans)."""
    html = client.get(reverse("web:login")).content.decode()
    assert '<html lang="zh-hans">' in html
    assert "登录" in html and "Log in" not in html


def test_login_page_follows_the_language_cookie(client):
    """The language cookie set by the footer switcher wins over the browser's Accept-Language."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("web:login"), HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert "Log in" in html and "登录" not in html


def test_home_page_in_english_after_choosing_it_in_the_switcher(browser_login):
    """A worker who picks English in the footer gets an English home page and menu: no Chinese left in the nav."""
    client = browser_login("community")
    r = client.post(reverse("set_language"), {"language": "en", "next": reverse("web:home")}, follow=True)
    html = r.content.decode()
    assert r.status_code == 200 and '<html lang="en">' in html
    nav = _section(html, "nav")
    assert not HAN.search(nav), nav
    for label in ("Home", "Structure", "Residents", "Volunteers", "Review", "Log out"):
        assert label in nav
    # Only data stays Chinese (unit names, the user's name); the page's own words are English.
    main = _section(html, "main")
    assert "Registered volunteers" in main and "My units" in main and "Community worker" in main


def test_home_page_in_chinese_by_default(browser_login):
    """Without a choice the same home page and menu are Chinese."""
    html = browser_login("community").get(reverse("web:home")).content.decode()
    nav = _section(html, "nav")
    assert "首页" in nav and "居民" in nav and "退出登录" in nav
    assert "Home" not in nav and "Log out" not in html


def test_api_error_message_in_english_with_accept_language(api):
    """The API's error message follows Accept-Language (LocaleMiddleware); code and shape are unchanged."""
    client = api("community")
    client.headers["HTTP_ACCEPT_LANGUAGE"] = "en"
    r = client.get("people/999999")
    assert r.status_code == 404
    body = r.json()
    assert body["code"] == "not_found"
    assert body["message"] == "The record does not exist or you are not allowed to see it"


def test_api_error_message_in_chinese_by_default(api):
    """Without Accept-Language the same 404 carries the Chinese message."""
    r = api("community").get("people/999999")
    assert r.status_code == 404
    assert r.json()["message"] == "记录不存在或无权查看"


def test_api_service_refusal_in_english(api, world):
    """A refusal raised inside a service is translated too: a malformed ID number answers in English, nothing saved."""
    client = api("community")
    client.headers["HTTP_ACCEPT_LANGUAGE"] = "en"
    r = client.post("people", {"name": "Test", "unit_id": world.community_a.pk, "id_number": "123"})
    assert r.status_code == 400, r.content
    body = r.json()
    assert body["code"] == "people.id_number_invalid"
    assert not HAN.search(body["message"]), body


def _po_entries(text: str) -> list[tuple[str | None, str, bool, list[str]]]:
    """(msgctxt, msgid, fuzzy, msgstrs) of every entry of a .po file, header excluded."""
    entries = []
    for block in text.split("\n\n"):
        fields: dict[str, str] = {}
        key = None
        fuzzy = False
        for line in block.splitlines():
            if line.startswith("#,") and "fuzzy" in line:
                fuzzy = True
            if line.startswith("#") or not line.strip():
                continue
            head, _, rest = line.partition(" ")
            if line.startswith('"'):
                fields[key] += _unquote(line)
            else:
                key = head
                fields[key] = _unquote(rest)
        if fields.get("msgid"):
            strs = [v for k, v in fields.items() if k.startswith("msgstr")]
            entries.append((fields.get("msgctxt"), fields["msgid"], fuzzy, strs))
    return entries


def _unquote(quoted: str) -> str:
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
    return re.sub(r"\\(.)", lambda m: escapes[m.group(1)], quoted.strip()[1:-1])


def test_english_catalogue_is_complete_and_compiled():
    """Every message of the .po is translated, none fuzzy, and the committed .mo holds exactly those translations."""
    entries = _po_entries((CATALOGUE / "django.po").read_text(encoding="utf-8"))
    assert len(entries) > 300
    assert [e[1] for e in entries if e[2]] == [], "fuzzy entries"
    assert [e[1] for e in entries if not all(e[3])] == [], "untranslated entries"
    with (CATALOGUE / "django.mo").open("rb") as f:
        compiled = gettext.GNUTranslations(f)
    for ctx, msgid, _fuzzy, strs in entries:
        got = compiled.pgettext(ctx, msgid) if ctx else compiled.gettext(msgid)
        if len(strs) == 1:
            assert got == strs[0], f"django.mo is stale for {msgid!r}: run compilemessages"
