"""The dispatch API: create, board, take (and every refusal), assign from suggestions, figures."""

from __future__ import annotations

import datetime as dt

import pytest

from gongzhi.dispatch import services
from gongzhi.dispatch.models import Order, OrderState

from .conftest import SATURDAY_10, make_volunteer

pytestmark = pytest.mark.django_db


def test_a_worker_posts_an_order_and_the_volunteer_takes_it_from_the_board(api, world, volunteer, at):
    r = api("community").post("dispatch/orders", {"title": "家里水龙头坏了", "unit_id": world.community_a.pk,
                                                  "skill": "plumbing_electric", "latitude": "36.2005",
                                                  "longitude": "117.8"})
    assert r.status_code == 201, r.content
    order_id = r.json()["id"]
    board = api("volunteer").get("dispatch/board").json()
    assert [o["id"] for o in board] == [order_id] and board[0]["distance_km"] == pytest.approx(0.06, abs=0.01)
    r = api("volunteer").post(f"dispatch/orders/{order_id}/take", {})
    assert r.status_code == 200 and r.json()["state"] == "taken"
    assert [o["id"] for o in api("volunteer").get("dispatch/me/orders").json()] == [order_id]


def test_taking_a_taken_order_is_409(api, world, volunteer, make_order):
    order = make_order()
    other = make_volunteer(world, "刘二", world.community_a)
    services.order_take(order=order, actor=other.person.user)
    r = api("volunteer").post(f"dispatch/orders/{order.pk}/take", {})
    assert (r.status_code, r.json()["code"]) == (409, "dispatch.already_taken")


def test_taking_without_the_skill_is_409_not_qualified(api, world, make_order, plumbing):
    make_volunteer(world, "无技能", world.community_a, user=world.user("volunteer"))
    r = api("volunteer").post(f"dispatch/orders/{make_order(skill=plumbing).pk}/take", {})
    assert (r.status_code, r.json()["code"]) == (409, "dispatch.not_qualified")
    assert r.json()["message"] == "您不符合该任务的接单条件（技能或队伍要求）"


def test_taking_an_order_of_another_street_is_404(api, world, volunteer, make_order):
    order = make_order(unit=world.community_b, actor=world.user("community_b"))
    assert api("volunteer").post(f"dispatch/orders/{order.pk}/take", {}).status_code == 404
    assert api("volunteer").get(f"dispatch/orders/{order.pk}").status_code == 404
    assert Order.objects.get(pk=order.pk).state == OrderState.OPEN


def test_a_worker_cannot_see_or_cancel_another_communitys_order(api, world, make_order):
    order = make_order(unit=world.community_b, actor=world.user("community_b"))
    assert api("community").get(f"dispatch/orders/{order.pk}").status_code == 404
    assert api("community").post(f"dispatch/orders/{order.pk}/cancel", {}).status_code == 404
    assert api("observer").post(f"dispatch/orders/{make_order().pk}/cancel", {}).status_code == 403


def test_a_non_volunteer_cannot_take(api, world, make_order):
    r = api("resident").post(f"dispatch/orders/{make_order().pk}/take", {})
    assert (r.status_code, r.json()["code"]) == (409, "dispatch.not_volunteer")


@pytest.mark.parametrize("body, code", [
    ({"title": "", "unit_id": None}, "dispatch.title_empty"),
    ({"title": "修灯"}, "dispatch.unit_missing"),
    ({"title": "修灯", "skill": "juggling"}, "dispatch.skill_unknown"),
    ({"title": "修灯", "latitude": "95", "longitude": "117.8"}, "dispatch.location_invalid"),
    ({"title": "修灯", "latitude": "36.2"}, "dispatch.location_invalid"),
])
def test_bad_orders_are_refused_and_nothing_saved(api, world, body, code):
    body = {"unit_id": world.community_a.pk, **body} if "unit_id" not in body and code != "dispatch.unit_missing" \
        else body
    r = api("community").post("dispatch/orders", body)
    assert (r.status_code, r.json()["code"]) == (400, code), r.content
    assert not Order.objects.exists()


def test_suggestions_rank_skill_distance_availability_and_load_with_reasons(api, world, volunteer, make_order,
                                                                           plumbing, at):
    """The free, near, unloaded volunteer with the skill comes first; the reason says why in Chinese."""
    busy = make_volunteer(world, "忙人", world.community_a, skills=["plumbing_electric"], availability=["weekend_day"])
    make_volunteer(world, "无技能", world.community_a)  # not qualified: never suggested
    evening = make_volunteer(world, "晚上有空", world.community_a, skills=["plumbing_electric"],
                             availability=["weekday_evening"])
    for i in range(3):
        services.order_take(order=make_order(title=f"旧任务{i}"), actor=busy.person.user)
    order = make_order(skill=plumbing, due_at=SATURDAY_10 + dt.timedelta(hours=2))
    r = api("community").get(f"dispatch/orders/{order.pk}/suggestions")
    assert r.status_code == 200
    names = [s["name"] for s in r.json()]
    assert names == ["陈小志", "忙人", "晚上有空"]
    assert r.json()[0]["reason"] == "技能匹配：水电维修；距离 0.0 公里；周末白天有空；近30天接单 0 次"
    assert r.json()[1]["reason"].endswith("近30天接单 3 次")
    r = api("community").post(f"dispatch/orders/{order.pk}/assign", {"volunteer_id": evening.pk})
    assert r.status_code == 200 and r.json()["taker"] == "晚上有空"


def test_response_figures_time_to_accept_first_action_and_within_30_min(api, world, volunteer, make_order, at):
    fast, slow, _never = make_order(title="快"), make_order(title="慢"), make_order(title="无人接")
    at(SATURDAY_10 + dt.timedelta(minutes=10))
    services.order_take(order=fast, actor=world.user("volunteer"))
    at(SATURDAY_10 + dt.timedelta(minutes=20))
    services.order_start(order=fast, actor=world.user("volunteer"))
    at(SATURDAY_10 + dt.timedelta(minutes=90))
    services.order_take(order=slow, actor=world.user("volunteer"))
    r = api("street").get(f"dispatch/figures?unit_id={world.street_a.pk}&start=2030-05-01&end=2030-05-31")
    assert r.status_code == 200
    total = r.json()[-1]
    assert (total["orders"], total["taken"], total["accept_minutes"], total["action_minutes"]) == (3, 2, 50.0, 20.0)
    assert total["within_30_min"] == pytest.approx(1 / 3, abs=1e-4)
    by_unit = {row["label"]: row for row in r.json()}
    assert by_unit["永兴社区"]["orders"] == 3 and by_unit["金鼎社区"]["orders"] == 0
    assert api("street").get(f"dispatch/figures?unit_id={world.street_a.pk}&start=2030-06-01&end=2030-05-01"
                             ).status_code == 400
