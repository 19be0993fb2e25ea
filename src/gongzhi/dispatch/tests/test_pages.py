"""Pages: the volunteer's board and take, the workers' list, a new order, the detail with suggestions, figures."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gongzhi.dispatch.models import Order, OrderState

from .conftest import make_volunteer

pytestmark = pytest.mark.django_db


def test_the_board_lists_and_takes_an_order(browser_login, world, volunteer, make_order):
    order = make_order(title="家里水龙头坏了")
    client = browser_login("volunteer")
    page = client.get(reverse("dispatch:board"))
    assert page.status_code == 200 and "家里水龙头坏了" in page.content.decode()
    r = client.post(reverse("dispatch:take", args=[order.pk]), follow=True)
    assert "接单成功" in r.content.decode()
    assert Order.objects.get(pk=order.pk).state == OrderState.TAKEN


def test_taking_a_taken_order_on_the_page_shows_the_chinese_refusal(browser_login, world, volunteer, make_order):
    order = make_order()
    other = make_volunteer(world, "刘二", world.community_a)
    from gongzhi.dispatch import services

    services.order_take(order=order, actor=other.person.user)
    r = browser_login("volunteer").post(reverse("dispatch:take", args=[order.pk]))
    assert r.status_code == 409 and "该任务已被他人接单" in r.content.decode()


def test_a_worker_is_sent_to_the_list_and_a_non_volunteer_is_told_why(browser_login, world, make_order):
    make_order(title="楼道灯不亮")
    r = browser_login("community").get(reverse("dispatch:board"))
    assert r.status_code == 302 and r["Location"] == reverse("dispatch:orders")
    page = browser_login("community").get(reverse("dispatch:orders"))
    assert "楼道灯不亮" in page.content.decode()
    assert "只有在册志愿者可以接单" in browser_login("resident").get(reverse("dispatch:board")).content.decode()


def test_a_worker_posts_an_order_and_sees_suggested_assignees(browser_login, world, volunteer, plumbing):
    client = browser_login("community")
    assert client.get(reverse("dispatch:new")).status_code == 200
    r = client.post(reverse("dispatch:new"), {"title": "家里水龙头坏了", "unit": world.community_a.pk,
                                              "skill": "plumbing_electric", "due_at": "2030-05-11T10:00"})
    order = Order.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("dispatch:detail", args=[order.pk])
    detail = client.get(r["Location"]).content.decode()
    assert "推荐接单人" in detail and "陈小志" in detail and "技能匹配：水电维修" in detail
    r = client.post(reverse("dispatch:act", args=[order.pk, "assign"]), {"volunteer": volunteer.pk}, follow=True)
    assert "已指派给陈小志" in r.content.decode()


def test_a_bad_new_order_re_renders_with_the_message(browser_login, world):
    r = browser_login("community").post(reverse("dispatch:new"), {"title": "", "unit": world.community_a.pk})
    assert r.status_code == 400 and "请填写任务名称" in r.content.decode()
    assert browser_login("observer").get(reverse("dispatch:new")).status_code == 403


def test_the_figures_page_shows_the_30_minute_figure(browser_login, world, make_order):
    make_order()
    page = browser_login("street").get(reverse("dispatch:figures") + f"?unit={world.street_a.pk}"
                                        "&start=2030-05-01&end=2030-05-31")
    body = page.content.decode()
    assert page.status_code == 200 and "30分钟内接单率" in body and "永兴社区" in body
    other = browser_login("community_b").get(reverse("dispatch:figures") + f"?unit={world.street_a.pk}")
    assert other.status_code == 404
