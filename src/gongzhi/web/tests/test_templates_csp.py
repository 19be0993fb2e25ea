"""Templates stay within the production Content-Security-Policy: scripts come from static files or carry the nonce,
and no element has an inline event handler (a CSP without 'unsafe-inline' blocks those whatever the nonce)."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted(p for p in ROOT.glob("*/templates/**/*.html"))
HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\ssrc=)([^>]*)>", re.IGNORECASE)


def test_there_are_templates_to_check():
    assert len(TEMPLATES) > 50


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_inline_event_handlers_and_inline_scripts_carry_the_nonce(path):
    text = path.read_text(encoding="utf-8")
    assert not HANDLER.search(text), f"inline event handler in {path.name}: use data-autosubmit/data-confirm (web/app.js)"
    for attrs in INLINE_SCRIPT.findall(text):
        assert "csp_nonce" in attrs, f"inline <script> without nonce in {path.name}"


def test_the_checker_catches_what_it_forbids():
    assert HANDLER.search('<select name="x" onchange="this.form.submit()">')
    assert INLINE_SCRIPT.findall("<script>alert(1)</script>") == [""]
    assert not INLINE_SCRIPT.findall('<script src="/static/x.js" defer></script>')
