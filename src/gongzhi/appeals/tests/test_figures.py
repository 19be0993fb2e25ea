"""Response figures (R-H8): response rate, 办结率, 满意率, median time to accept, overdue — per subtree and period."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from gongzhi.appeals import selectors, services

from .conftest import MONDAY_10, submit


def local(*args):
    return timezone.make_aware(dt.datetime(*args))


def _close_with(world, appeal, rating):
    grid = world.user("grid")
    appeal = services.appeal_dispatch(appeal=appeal, actor=grid, unit=world.grid_a)
    appeal = services.appeal_start(appeal=appeal, actor=grid)
    appeal = services.appeal_resolve(appeal=appeal, actor=grid)
    appeal = services.appeal_inform(appeal=appeal, actor=grid)
    appeal = services.appeal_rate(appeal=appeal, actor=grid, rating=rating)
    if rating > 2:
        appeal = services.appeal_visit(appeal=appeal, actor=grid, satisfied=True)
        appeal = services.appeal_close(appeal=appeal, actor=grid)
    return appeal


def test_figures_count_rates_and_medians_for_a_subtree_and_period(world, at):
    """R-H8: four appeals in 永兴 on Monday; one accepted late, one waiting past its limit, one rejected (R-H2)."""
    grid = world.user("grid")
    quick, slow, waiting, rejected = (submit(world) for _ in range(4))
    elsewhere = submit(world, unit=world.community_b)
    at(MONDAY_10 + dt.timedelta(hours=1))
    quick = services.appeal_accept(appeal=quick, actor=grid)
    services.appeal_reject(appeal=rejected, actor=grid, reason="litigation")
    at(local(2030, 5, 7, 12, 0))  # Tuesday noon: 10 working hours later, past the 8-hour accept limit
    slow = services.appeal_accept(appeal=slow, actor=grid)
    _close_with(world, quick, 5)
    _close_with(world, slow, 3)

    figures = selectors.appeal_figures(unit=world.street_a, start=dt.date(2030, 5, 6), end=dt.date(2030, 5, 6))

    assert figures["count"] == 3 and figures["rejected"] == 1 and figures["accepted"] == 2
    assert figures["response_rate"] == round(1 / 3, 4)  # quick in time; slow late; waiting past its limit
    assert figures["closed"] == 2 and figures["resolution_rate"] == round(2 / 3, 4)
    assert figures["rated"] == 2 and figures["satisfied"] == 1 and figures["satisfaction_rate"] == 0.5
    assert figures["median_accept_seconds"] == (3600 + (26 * 3600)) / 2
    assert figures["median_first_action_seconds"] == 0  # _close_with starts right after dispatching
    assert figures["overdue"] == 1  # waiting
    assert selectors.appeal_figures(unit=world.street_b, start=dt.date(2030, 5, 6),
                                    end=dt.date(2030, 5, 6))["count"] == 1
    assert elsewhere.unit == world.community_b


def test_figures_outside_the_period_and_with_nothing_to_divide_are_none(world, at):
    submit(world)
    figures = selectors.appeal_figures(unit=world.district, start=dt.date(2030, 5, 7), end=dt.date(2030, 5, 31))
    assert figures["count"] == 0
    assert figures["response_rate"] is None and figures["satisfaction_rate"] is None
    assert figures["median_accept_seconds"] is None


def test_datetime_bounds_are_end_exclusive(world, at):
    submit(world)
    assert selectors.appeal_figures(unit=world.district, start=MONDAY_10, end=MONDAY_10)["count"] == 0
    assert selectors.appeal_figures(unit=world.district, start=MONDAY_10,
                                    end=MONDAY_10 + dt.timedelta(seconds=1))["count"] == 1


def test_median_first_action_after_dispatch(world, at):
    """The "马上" figure: 派单 → the first action on it (here 接单 by start 20 minutes later, and a 退回 after 1 hour)."""
    grid, community = world.user("grid"), world.user("community")
    started, returned = (services.appeal_accept(appeal=submit(world), actor=community) for _ in range(2))
    for appeal in (started, returned):
        services.appeal_dispatch(appeal=appeal, actor=community, unit=world.grid_a)
    at(MONDAY_10 + dt.timedelta(minutes=20))
    services.appeal_start(appeal=started, actor=grid)
    at(MONDAY_10 + dt.timedelta(hours=1))
    services.appeal_return(appeal=returned, actor=grid, reason="不属于本网格")
    figures = selectors.appeal_figures(unit=world.district, start=dt.date(2030, 5, 6), end=dt.date(2030, 5, 6))
    assert figures["median_first_action_seconds"] == (1200 + 3600) / 2
