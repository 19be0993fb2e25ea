"""The page shell: navigation by permission, domain errors rendered as friendly pages with the right status."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.urls import reverse

from gongzhi.core.errors import CommonError
from gongzhi.web.middleware import DomainErrorMiddleware, page_status

pytestmark = pytest.mark.django_db


def _nav(client):
    return [i["label"] for i in client.get(reverse("web:home")).context["nav"]]


def test_nav_for_community_worker(browser_login):
    """A community worker's menu reaches the org tree, residents, volunteers and review — not the access log."""
    labels = [str(x) for x in _nav(browser_login("community"))]
    assert {"首页", "组织架构", "居民", "志愿者", "审核"} <= set(labels)
    assert "访问日志" not in labels


def test_nav_for_street_admin_includes_access_log(browser_login):
    """Admins see the access log in their menu."""
    assert "访问日志" in [str(x) for x in _nav(browser_login("street"))]


def test_nav_for_resident_offers_volunteer_application(browser_login):
    """A resident with a linked record gets 我的志愿服务 in the menu and on the home page, and no people list."""
    client = browser_login("resident")
    labels = [str(x) for x in _nav(client)]
    assert "我的志愿服务" in labels and "居民" not in labels
    assert reverse("people:volunteer_apply") in client.get(reverse("web:home")).content.decode()


def test_active_tab_is_the_longest_matching_entry(browser_login):
    """On the volunteer list the 志愿者 tab is active, not 居民."""
    nav = browser_login("community").get(reverse("people:volunteers")).context["nav"]
    assert [str(i["label"]) for i in nav if i["active"]] == ["志愿者"]


@pytest.mark.parametrize(("error", "status"), [
    (CommonError.NOT_FOUND, 404), (CommonError.FORBIDDEN, 403), (CommonError.VALIDATION, 400),
    (CommonError.CONFLICT, 409), (CommonError.BAD_REQUEST, 400),
])
def test_domain_errors_render_pages_with_their_status(error, status, world):
    """The middleware turns a DomainError into a rendered page; validation-style 422 becomes 400."""
    request = RequestFactory().get("/people/1/")
    request.user = world.user("community")
    response = DomainErrorMiddleware(lambda r: None).process_exception(request, error.error())
    assert response.status_code == status == page_status(error.error())
    assert str(error.message) in response.content.decode()


def test_api_paths_are_left_to_the_api(world):
    """The JSON API keeps its own error handlers."""
    request = RequestFactory().get("/api/v1/people")
    assert DomainErrorMiddleware(lambda r: None).process_exception(request, CommonError.NOT_FOUND.error()) is None


def test_htmx_error_is_a_fragment(browser_login, world):
    """An htmx request that hits a 404 gets just the message, not a whole page."""
    r = browser_login("community").get(reverse("org:children", args=[world.street_b.pk]), HTTP_HX_REQUEST="true")
    assert r.status_code == 404
    assert "<html" not in r.content.decode() and "记录不存在或无权查看" in r.content.decode()


@pytest.mark.parametrize("url_name", ["people:list", "people:volunteers", "privacy:access_log"])
def test_nul_in_query_parameters_is_harmless(browser_login, url_name):
    """A NUL character in a search or filter parameter answers 200, not a database error (PostgreSQL)."""
    r = browser_login("district").get(reverse(url_name), {"q": "张\x00三", "subject_type": "people\x00.person"})
    assert r.status_code == 200


def test_nul_in_member_search_is_harmless(browser_login, world):
    """The team member search strips NUL characters too."""
    r = browser_login("community").get(reverse("org:member_candidates", args=[world.team_a.pk]), {"q": "z\x00s"})
    assert r.status_code == 200
