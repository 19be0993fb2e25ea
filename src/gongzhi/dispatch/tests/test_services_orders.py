"""Orders: create, take (one winner), assign, start, done, cancel; the appeal's order follows the appeal."""

from __future__ import annotations

import datetime as dt

import pytest

from gongzhi.appeals import services as appeal_services
from gongzhi.appeals.models import AppealState
from gongzhi.core.errors import DomainError
from gongzhi.dispatch import selectors, services
from gongzhi.dispatch.models import Order, OrderEvent, OrderState
from gongzhi.notifications.models import Notification
from gongzhi.people.models import TeamMembership

from .conftest import SATURDAY_10, make_volunteer

pytestmark = pytest.mark.django_db


def _appeal(world, category="S01", unit=None):
    data = appeal_services.AppealInput(channel="walk_in", category_code=category, description="家里水龙头坏了，一直漏水",
                                       unit=unit or world.community_a, reporter_name="张阿姨",
                                       reporter_phone="13812345678")
    appeal = appeal_services.appeal_submit(data=data, actor=world.user("community"))
    return appeal_services.appeal_accept(appeal=appeal, actor=world.user("community"))


def test_a_qualified_volunteer_takes_an_open_order_and_both_sides_are_told(world, volunteer, make_order, plumbing):
    """接单: state taken, taker and time recorded, an event appended, taker and creator notified."""
    order = make_order(skill=plumbing)
    taken = services.order_take(order=order, actor=world.user("volunteer"))
    assert (taken.state, taken.taker, taken.taken_at) == (OrderState.TAKEN, world.user("volunteer"), SATURDAY_10)
    assert list(OrderEvent.objects.filter(order=order).values_list("action", flat=True)) == ["create", "take"]
    assert Notification.objects.filter(user=world.user("volunteer"), kind="dispatch").count() == 1
    assert Notification.objects.filter(user=world.user("community"), title__contains="已被接单").count() == 1


def test_the_second_taker_is_refused_with_409(world, volunteer, make_order):
    order = make_order()
    other = make_volunteer(world, "刘二", world.community_a)
    services.order_take(order=order, actor=other.person.user)
    with pytest.raises(DomainError) as e:
        services.order_take(order=Order.objects.get(pk=order.pk), actor=world.user("volunteer"))
    assert (e.value.code, e.value.status) == ("dispatch.already_taken", 409)


def test_skill_and_team_restrictions_are_enforced(world, volunteer, make_order, plumbing):
    """Without the skill, or outside the team, a volunteer cannot take the order (409 not qualified / 404 unseen)."""
    plain = make_volunteer(world, "无技能", world.community_a)
    with pytest.raises(DomainError) as e:
        services.order_take(order=make_order(skill=plumbing), actor=plain.person.user)
    assert e.value.code == "dispatch.not_qualified"
    team_order = make_order(team=world.team_a)
    with pytest.raises(DomainError) as e:
        services.order_take(order=team_order, actor=plain.person.user)
    assert e.value.status == 404
    TeamMembership.objects.create(team=world.team_a, person=plain.person, joined_on=dt.date(2030, 1, 1))
    assert services.order_take(order=team_order, actor=plain.person.user).state == OrderState.TAKEN


def test_a_suspended_or_unregistered_user_cannot_take(world, make_order):
    suspended = make_volunteer(world, "暂停", world.community_a, status="suspended")
    for user in (suspended.person.user, world.user("community")):
        with pytest.raises(DomainError) as e:
            services.order_take(order=make_order(), actor=user)
        assert e.value.code == "dispatch.not_volunteer"


def test_volunteers_of_another_street_do_not_see_the_order(world, make_order):
    far = make_volunteer(world, "里辛人", world.community_b)
    order = make_order()
    _profile, items = selectors.board(actor=far.person.user)
    assert order not in [i.order for i in items]
    with pytest.raises(DomainError) as e:
        services.order_take(order=order, actor=far.person.user)
    assert e.value.status == 404


def test_board_lists_qualified_open_orders_nearest_first(world, volunteer, make_order, plumbing):
    near = make_order(title="近处", latitude="36.201", longitude="117.800")
    far = make_order(title="远处", unit=world.community_a2, actor=world.user("street"))
    make_order(title="需要急救", skill=None, team=world.team_a)  # a team the volunteer is not in: not listed
    skilled = make_order(title="水电", skill=plumbing, latitude="36.205", longitude="117.800")
    _profile, items = selectors.board(actor=world.user("volunteer"))
    assert [i.order for i in items] == [near, skilled, far]
    assert items[0].distance_km == pytest.approx(0.11, abs=0.01)


def test_start_and_done_record_first_action_and_completion(world, volunteer, make_order, at):
    order = services.order_take(order=make_order(), actor=world.user("volunteer"))
    at(SATURDAY_10 + dt.timedelta(minutes=12))
    services.order_start(order=order, actor=world.user("volunteer"))
    at(SATURDAY_10 + dt.timedelta(minutes=50))
    done = services.order_done(order=order, actor=world.user("volunteer"), note="已更换阀芯")
    assert done.first_action_at == SATURDAY_10 + dt.timedelta(minutes=12)
    assert (done.state, done.done_at) == (OrderState.DONE, SATURDAY_10 + dt.timedelta(minutes=50))
    with pytest.raises(DomainError) as e:
        services.order_cancel(order=done, actor=world.user("community"))
    assert e.value.status == 409


def test_a_stranger_cannot_mark_someone_elses_order_done(world, volunteer, make_order):
    order = services.order_take(order=make_order(), actor=world.user("volunteer"))
    other = make_volunteer(world, "旁人", world.community_a)
    with pytest.raises(DomainError) as e:
        services.order_done(order=order, actor=other.person.user)
    assert e.value.status == 404
    with pytest.raises(DomainError) as e:
        services.order_done(order=order, actor=world.user("observer"))
    assert e.value.status == 403


def test_assigning_notifies_the_volunteer_and_refuses_the_unqualified(world, volunteer, make_order, plumbing):
    order = make_order(skill=plumbing)
    plain = make_volunteer(world, "无技能", world.community_a)
    with pytest.raises(DomainError) as e:
        services.order_assign(order=order, actor=world.user("community"), volunteer=plain)
    assert e.value.code == "dispatch.not_qualified"
    assigned = services.order_assign(order=order, actor=world.user("community"), volunteer=volunteer)
    assert (assigned.taker, assigned.assigned_by) == (world.user("volunteer"), world.user("community"))
    assert Notification.objects.get(user=world.user("volunteer")).title.startswith("您被指派了一项任务")


def test_only_dispatchers_create_orders_in_their_subtree(world, make_order):
    with pytest.raises(DomainError) as e:
        make_order(actor=world.user("observer"))
    assert e.value.status == 403
    with pytest.raises(DomainError) as e:
        make_order(actor=world.user("community_b"))
    assert e.value.status == 403
    with pytest.raises(DomainError) as e:
        make_order(title="  ")
    assert e.value.code == "dispatch.title_empty"
    assert not Order.objects.exists()


def test_an_appeal_dispatched_to_a_team_opens_an_order_and_taking_it_takes_the_appeal(world, volunteer, at):
    """派单 to a team → an open order with the category's skill; the member who takes it is the appeal's handler,
    and the appeal's start / resolve mark the order's first action and completion."""
    TeamMembership.objects.create(team=world.team_a, person=volunteer.person, joined_on=dt.date(2030, 1, 1))
    appeal = appeal_services.appeal_dispatch(appeal=_appeal(world), actor=world.user("community"), team=world.team_a)
    order = Order.objects.get(appeal=appeal)
    assert (order.state, order.team, order.skill.code) == (OrderState.OPEN, world.team_a, "plumbing_electric")
    assert "张阿姨" not in order.description + order.title  # R-H7
    services.order_take(order=order, actor=world.user("volunteer"))
    appeal.refresh_from_db()
    assert appeal.assignee_user == world.user("volunteer")
    at(SATURDAY_10 + dt.timedelta(minutes=20))
    appeal_services.appeal_start(appeal=appeal, actor=world.user("volunteer"))
    at(SATURDAY_10 + dt.timedelta(hours=2))
    services.order_done(order=Order.objects.get(pk=order.pk), actor=world.user("volunteer"), note="修好了")
    order.refresh_from_db()
    appeal.refresh_from_db()
    assert order.first_action_at == SATURDAY_10 + dt.timedelta(minutes=20)
    assert (order.state, appeal.state) == (OrderState.DONE, AppealState.RESOLVED)


def test_taking_the_appeal_through_the_appeals_api_marks_the_order_taken(world, volunteer):
    appeal = appeal_services.appeal_dispatch(appeal=_appeal(world), actor=world.user("community"),
                                             unit=world.community_a)
    appeal_services.appeal_take(appeal=appeal, actor=world.user("volunteer"))
    order = Order.objects.get(appeal=appeal)
    assert (order.state, order.taker) == (OrderState.TAKEN, world.user("volunteer"))


def test_re_dispatching_an_appeal_replaces_its_open_order(world, volunteer):
    appeal = appeal_services.appeal_dispatch(appeal=_appeal(world), actor=world.user("community"),
                                             unit=world.community_a)
    appeal_services.appeal_dispatch(appeal=appeal, actor=world.user("community"), team=world.team_a)
    orders = list(Order.objects.filter(appeal=appeal).order_by("pk"))
    assert [o.state for o in orders] == [OrderState.CANCELLED, OrderState.OPEN]
    assert orders[1].team == world.team_a
    with pytest.raises(DomainError) as e:
        services.order_cancel(order=orders[1], actor=world.user("community"))
    assert e.value.code == "dispatch.appeal_order"


def test_an_appeal_dispatched_to_a_person_opens_no_order(world, volunteer):
    appeal_services.appeal_dispatch(appeal=_appeal(world), actor=world.user("community"), user=world.user("grid"))
    assert not Order.objects.exists()


def test_a_project_social_worker_dispatches_its_tasks(world, located, at):
    """社工派单: the project's social worker posts orders within the project's unit, even without a role there."""
    from gongzhi.matching.models import Project

    project = Project.objects.create(unit=world.community_a2, name="金鼎社区助老服务项目", funder="艾山街道办事处",
                                     budget="50000", social_worker=world.user("socialworker"),
                                     starts_on=dt.date(2030, 1, 1), ends_on=dt.date(2030, 12, 31), status="running",
                                     created_at=SATURDAY_10)
    order = services.order_create(actor=world.user("socialworker"), title="陪同就医", unit=None, project=project)
    assert (order.unit, order.source) == (world.community_a2, "project")
    with pytest.raises(DomainError) as e:
        services.order_create(actor=world.user("socialworker"), title="越界", unit=world.community_a, project=project)
    assert e.value.code == "dispatch.project_unit"
