"""The dashboard page, its xlsx export and the team pages."""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from gongzhi.core.testing.world import PASSWORD
from gongzhi.people.models import TeamMembership, TeamRole

pytestmark = pytest.mark.django_db


def _chart_data(html: str) -> dict:
    m = re.search(r'<script id="chart-data" type="application/json">(.*?)</script>', html, re.S)
    assert m, "chart JSON missing"
    return json.loads(m[1])


def test_dashboard_page_shows_cards_children_and_chart_json(browser_login, world, small_world):
    """The district page: figure cards, a row per street linking to its dashboard, charts' JSON, vendored ECharts."""
    r = browser_login("district").get(reverse("reports:dashboard"), {"unit": world.district.pk, "period": "2025"})
    assert r.status_code == 200
    html = r.content.decode()
    assert "钢城区 · 2025年志愿服务统计" in html
    assert re.search(r'<span class="value">13</span><span class="label">服务时长（小时）', html)
    assert re.search(r'<span class="value">70</span><span class="label">惠及群众（人次）', html)
    assert f'href="/reports/?unit={world.street_a.pk}&amp;period=2025">艾山街道</a>' in html
    assert "echarts-5.6.0.min.js" in html
    charts = _chart_data(html)
    assert charts["by_category"]["names"] == ["儿童关爱", "便民服务", "生态环保"]  # the categories' own order
    assert charts["by_category"]["hours"] == [4.0, 7.5, 1.5]
    assert charts["by_month"]["months"][2] == "2025-03" and charts["by_month"]["hours"][2] == 8.0


def test_dashboard_defaults_to_the_users_unit_and_current_year(browser_login, world, small_world, monkeypatch):
    """Without parameters: the user's top unit, this year; the street's page has no link up to the district."""
    monkeypatch.setattr("gongzhi.core.clock.now", lambda: dt.datetime(2025, 7, 1, 12, tzinfo=dt.UTC))
    html = browser_login("street").get(reverse("reports:dashboard")).content.decode()
    assert "艾山街道 · 2025年志愿服务统计" in html
    assert "钢城区</a>" not in html
    assert "永兴社区</a>" in html and "金鼎社区</a>" in html


def test_another_streets_dashboard_is_404_and_a_bad_period_400(browser_login, world):
    client = browser_login("street")
    assert client.get(reverse("reports:dashboard"), {"unit": world.street_b.pk}).status_code == 404
    assert client.get(reverse("reports:dashboard"), {"unit": world.district.pk}).status_code == 404
    r = client.get(reverse("reports:dashboard"), {"period": "2025-13"})
    assert r.status_code == 400 and "统计周期无效" in r.content.decode()
    assert client.get(reverse("reports:dashboard"), {"start": "2025-01-40", "end": "2025-02-01"}).status_code == 400
    assert browser_login("volunteer").get(reverse("reports:dashboard")).status_code == 403


def test_dashboard_needs_login(client):
    r = client.get(reverse("reports:dashboard"))
    assert r.status_code == 302 and "/login" in r["Location"]


def test_xlsx_export_holds_the_same_tables(browser_login, world, small_world):
    """The export: the unit's total and one row per child, then by category and by month."""
    r = browser_login("district").get(reverse("reports:export"), {"unit": world.district.pk, "period": "2025"})
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    book = CalamineWorkbook.from_filelike(io.BytesIO(r.content))
    assert book.sheet_names == ["分单元", "分类别", "分月份"]
    units = book.get_sheet_by_index(0).to_python()
    assert units[0][:7] == ["单元", "区划代码", "开展活动（场次）", "志愿者参与（人次）", "参与志愿者（人）",
                            "服务时长（小时）", "惠及群众（人次）"]
    assert [units[1][0], *units[1][2:10]] == ["钢城区（合计）", 3, 5, 4, 13, 70, 4, 0, 1]
    assert [units[2][0], units[2][1], *units[2][2:7]] == ["艾山街道", "370117001", 2, 4, 3, 11.5, 50]
    assert [units[3][0], *units[3][2:7]] == ["里辛街道", 1, 1, 1, 1.5, 20]
    cats = book.get_sheet_by_index(1).to_python()
    assert cats[2] == ["便民服务", 1, 3, 7.5, 50]
    months = book.get_sheet_by_index(2).to_python()
    assert len(months) == 13 and months[3] == ["2025-03", 2, 3, 3, 8, 70]


def test_team_page_lists_members_with_masked_phones_and_their_service(browser_login, world, small_world):
    """永兴邻里志愿服务队: members' hours and 人次 in the period, masked phones, totals; its own activity counted."""
    v1, v2 = small_world["v"][:2]
    TeamMembership.objects.create(team=world.team_a, person=v1.person, role=TeamRole.LEADER,
                                  joined_on=dt.date(2024, 1, 1))
    TeamMembership.objects.create(team=world.team_a, person=v2.person, joined_on=dt.date(2024, 1, 1))
    client = browser_login("community")
    html = client.get(reverse("reports:team", args=[world.team_a.pk]), {"period": "2025"}).content.decode()
    assert "永兴邻里志愿服务队 · 2025年" in html
    assert v1.person.phone_masked in html and v1.person.phone_clear() not in html
    rows = re.findall(r"<tr><td>(陈[一二]).*?</td><td>(队长|队员)</td><td class=\"mono\">.*?</td>"
                      r"<td>([\d.]+)</td><td>(\d+)</td><td>(\d+)</td></tr>", html, re.S)
    assert rows == [("陈二", "队员", "3.5", "2", "2"), ("陈一", "队长", "4", "1", "2")] or rows == [
        ("陈一", "队长", "4", "1", "2"), ("陈二", "队员", "3.5", "2", "2")]
    assert re.search(r'<span class="value">7.5</span><span class="label">服务时长', html)
    assert re.search(r'<span class="value">1</span><span class="label">本队组织活动', html)
    assert re.search(r'<span class="value">50</span><span class="label">惠及群众', html)
    teams = client.get(reverse("reports:teams")).content.decode()
    assert "永兴邻里志愿服务队" in teams and "2 名队员" in teams
    assert browser_login("community_b").get(reverse("reports:team", args=[world.team_a.pk])).status_code == 404


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_charts_render_in_a_phone_browser(live_server, world, small_world, chromium_page):
    """The district admin opens the dashboard on a phone: ECharts draws both charts (SVG) from the embedded JSON."""
    page = chromium_page
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "t-district")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/reports/?period=2025")
    page.wait_for_selector("#chart-category svg")
    page.wait_for_selector("#chart-month svg")
    assert "便民服务" in page.inner_html("#chart-category")
    page.screenshot(path="test-artifacts/reports-dashboard.png", full_page=True)
    page.click("#children a:text('艾山街道')")
    page.wait_for_selector("text=艾山街道 · 2025年志愿服务统计")
    page.wait_for_selector("#chart-month svg")
    page.screenshot(path="test-artifacts/reports-dashboard-street.png", full_page=True)
