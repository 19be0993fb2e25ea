"""Services of the three lists: keyword-only, atomic (a refusal leaves nothing), history rows, the state tables."""

from __future__ import annotations

import inspect

import pytest

from gongzhi.core.errors import DomainError
from gongzhi.matching import rules, services, suggestions
from gongzhi.matching.models import Match, MatchEvent, MatchStatus, NeedStatus, ProjectStatus


@pytest.mark.parametrize("name", ["need_create", "need_from_appeal", "need_close", "resource_create",
                                  "resource_withdraw", "project_create", "project_status_change", "match_propose",
                                  "match_agree", "match_serve", "match_withdraw"])
def test_services_are_keyword_only(name):
    params = inspect.signature(getattr(services, name)).parameters.values()
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in params)


def test_state_tables_cover_every_status():
    """Every status is reached by some action, and terminal statuses allow none (style habit 7)."""
    targets = {t for _s, t in rules.MATCH_TRANSITIONS.values()}
    assert targets | {MatchStatus.PROPOSED} == set(MatchStatus.values)
    assert rules.allowed(rules.MATCH_TRANSITIONS, MatchStatus.SERVED) == []
    assert rules.allowed(rules.MATCH_TRANSITIONS, MatchStatus.WITHDRAWN) == []
    assert {t for _s, t in rules.NEED_TRANSITIONS.values()} | {NeedStatus.OPEN} == set(NeedStatus.values)
    assert rules.allowed(rules.PROJECT_TRANSITIONS, ProjectStatus.FINISHED) == []


def test_a_refused_agreement_leaves_no_event_and_no_status_change(world, lists):
    need, res = lists.need(), lists.resource()
    d = world.user("district")
    match = services.match_propose(need=need, resource=res, actor=d)
    with pytest.raises(DomainError) as e:
        services.match_serve(match=match, actor=d)
    assert e.value.code == "matching.bad_transition"
    match.refresh_from_db()
    assert match.status == "proposed" and MatchEvent.objects.count() == 1


def test_observer_may_not_propose(world, lists):
    need, res = lists.need(), lists.resource()
    with pytest.raises(DomainError) as e:
        services.match_propose(need=need, resource=res, actor=world.user("observer"))
    assert e.value.code == "forbidden" and not Match.objects.exists()


def test_distance_is_great_circle_metres():
    assert suggestions.distance_m(36.0, 117.0, 36.0, 117.0) == 0
    assert suggestions.distance_m(36.0, 117.0, 37.0, 117.0) == 111195
    assert suggestions.distance_m(None, 117.0, 36.0, 117.0) is None


def test_reach_is_the_street_and_the_units_above(world):
    street, above = suggestions.reach_root(world.grid_a)
    assert street == world.street_a and above == [world.district.path]
    assert suggestions.reach_root(world.district) == (world.district, [])
