"""The page matrix: every web page (URL conf outside /api/v1/ and /admin/) × every world role × own/other unit.

The JSON API has its scoping matrix (``accounts/tests/test_scoping_matrix.py``); this is the same for the pages that
people click. Each app declares ``PAGES`` in ``gongzhi/<app>/tests/page_matrix.py`` (machinery in
``gongzhi.core.testing.matrix``). Targets are objects placed in:

    G  = 永兴社区第一网格 (a grid inside 永兴社区)      A  = 永兴社区 (艾山街道)
    A2 = 金鼎社区 (the other community of 艾山街道)    B  = 洪沟社区 (里辛街道, the other street)

Cells: ``200``/``+`` the page, ``+``/``-`` a list shows / does not show target t, ``302`` a redirect elsewhere (after a
POST: done), ``login`` a redirect to the login page, ``400`` the form refused the input, ``403``/``404``/``405``.
A refused POST writes no row; a successful one (``302``, ``200``) writes at least one (``writes=False`` for a POST
that only looks up). A role refused with valid data (``403``) is refused the same for an empty POST: the permission is
checked before the form is read (``empty_post``). A ``400`` left in a POST table is a true answer with valid data: a
unit that is not among the form's choices (outside the caller's units, or a grid where the form takes none), or the
reason commented beside the page. Anonymous callers are declared per page (``anon``): public pages answer them, the
rest redirect to the login page.
"""

from __future__ import annotations

import dataclasses

import pytest
from django.db import transaction

from gongzhi.core.testing.matrix import app_page_cases, ctx_build, page_client, page_patterns, run_page_case
from gongzhi.core.testing.world import build_world

PAGES = app_page_cases()


@pytest.fixture(scope="module")
def shared_ctx(django_db_setup, django_db_blocker):
    """The world and the common targets, built once per worker (each test's own rows roll back with the test)."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield ctx_build(build_world(), page_client)
        transaction.set_rollback(True)


@pytest.fixture
def ctx(shared_ctx, db):
    """The shared targets with an empty per-test cache: an app's ``prepare`` runs inside this test's savepoint."""
    return dataclasses.replace(shared_ctx, cache={}, prepared=set())


@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_matrix(ctx, name):
    """Each role gets exactly the table's answer for objects in its own and in other units (404 outside, 403 no right)."""
    problems = run_page_case(ctx, PAGES[name], page_client(None))
    assert not problems, f"{name}:\n" + "\n".join(problems)


def test_page_matrix_covers_every_url(db):
    """A new page fails this test until it has a row in the page matrix (and the matrix has no stale rows)."""
    urls = set(page_patterns())
    assert urls - set(PAGES) == set(), "URLs without a page-matrix row"
    assert set(PAGES) - urls == set(), "page-matrix rows for URLs that no longer exist"


def test_post_only_pages_refuse_get():
    """A view behind ``require_POST`` answers 405 to GET: its declared GET table says so for every logged-in role."""
    for name, pattern in page_patterns().items():
        if pattern.methods is not None and "GET" not in pattern.methods and name in PAGES:
            table = PAGES[name].get
            assert table is not None, f"{name}: declare its GET (405)"
            assert {c for row in table.values() for c in row.values()} == {"405"}, name
