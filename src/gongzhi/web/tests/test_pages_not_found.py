def test_unknown_page_renders_chinese_404(client, db):
    """A URL that matches no route gets the site's own 404 page, in Chinese."""
    r = client.get("/no-such-page/")
    assert r.status_code == 404
    assert "页面不存在" in r.content.decode()


def test_unknown_api_path_answers_json_404(client, db):
    """Unknown API paths answer the API's JSON error shape, not an HTML page."""
    r = client.get("/api/v1/no-such-endpoint")
    assert r.status_code == 404
    assert r.json()["code"] == "not_found"
