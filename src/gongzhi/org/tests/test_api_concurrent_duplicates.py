"""Two identical creates that both pass the service's existence check: the second gets 409, never a 500."""

from unittest import mock

from django.db.models import QuerySet
from django.urls import reverse

from gongzhi.org.models import Organisation


def _as_if_concurrent():
    """Make every "already exists?" check answer no, as it does for two requests racing each other."""
    return mock.patch.object(QuerySet, "exists", return_value=False)


def test_api_duplicate_org_created_concurrently_answers_409(api, world):
    """The unique constraint stops the second create; the API answers 409 `duplicate` and saves nothing more."""
    client = api("community")
    body = {"name": "永兴助老志愿服务队", "kind": "team", "unit_id": world.community_a.pk}
    assert client.post("orgs", body).status_code == 201
    with _as_if_concurrent():
        r = client.post("orgs", body)
    assert r.status_code == 409
    assert r.json()["code"] == "duplicate"
    assert Organisation.objects.filter(name="永兴助老志愿服务队").count() == 1


def test_page_duplicate_org_created_concurrently_renders_409(browser_login, world):
    """On pages the same race renders the 409 page instead of a server error."""
    client = browser_login("community")
    url = reverse("org:org_create", args=[world.community_a.pk])
    body = {"name": "永兴助老志愿服务队", "kind": "team"}
    assert client.post(url, body).status_code == 302
    with _as_if_concurrent():
        r = client.post(url, body)
    assert r.status_code == 409
    assert "该记录已存在" in r.content.decode()
    assert Organisation.objects.filter(name="永兴助老志愿服务队").count() == 1
