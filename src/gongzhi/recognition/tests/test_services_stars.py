"""Star levels (R-V8): thresholds as a table per jurisdiction, earned in order, candidate list before approval."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from gongzhi.core.errors import DomainError
from gongzhi.recognition import selectors, services
from gongzhi.recognition.models import AwardKind, StarAward, StarThreshold

from .factories import active_volunteer, activity, correct, record

D = Decimal


def test_default_thresholds_are_seeded(db):
    """R-V8: the district default is 100/300/600/1000/1500 hours."""
    assert [(t.level, t.min_hours) for t in selectors.star_thresholds_for(None)] == [
        (1, 100), (2, 300), (3, 600), (4, 1000), (5, 1500)]


@pytest.mark.parametrize(("hours", "level"), [(0, 0), (99.99, 0), (100, 1), (299, 1), (300, 2), (600, 3),
                                             (999, 3), (1000, 4), (1500, 5), (9000, 5)])
def test_star_level_for_default_thresholds(world, hours, level):
    """R-V8: the level is the highest threshold reached."""
    assert selectors.star_level_for(D(str(hours)), world.community_a) == level


def test_unit_thresholds_apply_to_its_subtree_only(world):
    """R-V8: a street configures the Beijing variant 100/200/500/800/1000; other streets keep the default."""
    for level, hours in {1: 100, 2: 200, 3: 500, 4: 800, 5: 1000}.items():
        StarThreshold.objects.create(unit=world.street_a, level=level, min_hours=hours)
    assert selectors.star_level_for(D(500), world.grid_a) == 3
    assert selectors.star_level_for(D(500), world.community_b) == 2
    assert selectors.star_level_for(D(1000), world.community_a2) == 5


def test_levels_are_never_skipped_when_a_table_has_a_gap(world):
    """R-V8: levels are earned in order — without a 2★ row nobody reaches 3★, whatever their hours."""
    StarThreshold.objects.create(unit=world.community_a, level=1, min_hours=50)
    StarThreshold.objects.create(unit=world.community_a, level=3, min_hours=200)
    assert selectors.star_level_for(D(500), world.community_a) == 1


def test_threshold_clean_refuses_a_higher_level_needing_fewer_hours(world):
    StarThreshold.objects.create(unit=world.community_a, level=1, min_hours=100)
    row = StarThreshold(unit=world.community_a, level=2, min_hours=80)
    with pytest.raises(Exception, match="高星级"):
        row.clean()


def _hours(w, v, total, *, unit=None, day=dt.date(2025, 5, 1)):
    act = activity(unit or w.community_a, "文明交通引导", day=day)
    return record(v, act, total)


def test_candidates_list_only_volunteers_reaching_a_new_level(world, frozen):
    """R-V8: the candidate list holds active volunteers of the unit whose hours reach a level above their own."""
    a = active_volunteer(world, "甲", world.community_a, seq=61)
    b = active_volunteer(world, "乙", world.grid_a, seq=63)
    c = active_volunteer(world, "丙", world.community_a, seq=65)
    other = active_volunteer(world, "丁", world.community_b, seq=67)
    _hours(world, a, 650)
    _hours(world, b, 120)
    _hours(world, c, 40)
    _hours(world, other, 700, unit=world.community_b)
    rows = selectors.star_candidates(unit=world.community_a, period_end=dt.date(2025, 12, 31))
    assert [(r.volunteer, r.current_level, r.level) for r in rows] == [(a, 0, 3), (b, 0, 1)]


def test_candidates_count_hours_up_to_the_period_end_and_current_records_only(world, frozen):
    """A correction replaces the old hours; records after the period end wait for the next list."""
    a = active_volunteer(world, "甲", world.community_a, seq=61)
    old = _hours(world, a, 150, day=dt.date(2025, 3, 1))
    correct(old, 80)
    _hours(world, a, 50, day=dt.date(2026, 1, 2))
    assert selectors.star_candidates(unit=world.community_a, period_end=dt.date(2025, 12, 31)) == []
    assert selectors.star_candidates(unit=world.community_a, period_end=dt.date(2026, 1, 5))[0].level == 1


def test_approval_by_another_admin_awards_each_level_in_order(world, frozen):
    """R-V8: a worker publishes; a different admin approves; 650 hours give rows 1★, 2★, 3★ in order."""
    a = active_volunteer(world, "甲", world.community_a, seq=61)
    _hours(world, a, 650)
    published = services.star_candidates_publish(unit=world.community_a, period_end=dt.date(2025, 12, 31),
                                                  actor=world.user("community"))
    awards = services.star_awards_approve(candidate_list=published, actor=world.user("street"))
    assert [(x.level, x.hours_at_award, x.approved_by) for x in awards] == [
        (1, D(650), world.user("street")), (2, D(650), world.user("street")), (3, D(650), world.user("street"))]
    assert selectors.star_status(a).level == 3


def test_the_publisher_cannot_approve_their_own_list(world, frozen):
    a = active_volunteer(world, "甲", world.community_a, seq=61)
    _hours(world, a, 150)
    published = services.star_candidates_publish(unit=world.community_a, period_end=dt.date(2025, 12, 31),
                                                 actor=world.user("street"))
    with pytest.raises(DomainError) as err:
        services.star_awards_approve(candidate_list=published, actor=world.user("street"))
    assert err.value.code == "recognition.same_actor"
    assert not StarAward.objects.exists()


def test_a_list_is_approved_once(world, frozen):
    a = active_volunteer(world, "甲", world.community_a, seq=61)
    _hours(world, a, 150)
    published = services.star_candidates_publish(unit=world.community_a, period_end=dt.date(2025, 12, 31),
                                                 actor=world.user("community"))
    services.star_awards_approve(candidate_list=published, actor=world.user("street"))
    with pytest.raises(DomainError) as err:
        services.star_awards_approve(candidate_list=published, actor=world.user("district"))
    assert err.value.code == "recognition.already_approved"
    assert StarAward.objects.count() == 1


def test_nothing_to_publish_is_refused(world, frozen):
    with pytest.raises(DomainError) as err:
        services.star_candidates_publish(unit=world.community_a, period_end=dt.date(2025, 12, 31),
                                         actor=world.user("community"))
    assert err.value.code == "recognition.no_candidates"


def test_revocation_is_a_new_row(world, frozen):
    """Append-only: revoking keeps the award rows and adds one; the latest row is the level."""
    a = active_volunteer(world, "甲", world.community_a, seq=61)
    _hours(world, a, 350)
    published = services.star_candidates_publish(unit=world.community_a, period_end=dt.date(2025, 12, 31),
                                                 actor=world.user("community"))
    services.star_awards_approve(candidate_list=published, actor=world.user("street"))
    services.star_award_revoke(volunteer=a, actor=world.user("street"), to_level=1, reason="时长核查不实")
    assert list(StarAward.objects.filter(volunteer=a).values_list("kind", "level")) == [
        (AwardKind.AWARD, 1), (AwardKind.AWARD, 2), (AwardKind.REVOCATION, 1)]
    assert selectors.awarded_level(a) == 1


def test_star_status_shows_hours_to_next_level(world, frozen):
    a = active_volunteer(world, "甲", world.community_a, seq=61)
    _hours(world, a, D("120.5"))
    s = selectors.star_status(a)
    assert (s.level, s.eligible_level, s.hours, s.next_level, s.hours_to_next) == (0, 1, D("120.5"), 2, D("179.5"))


def test_volunteer_is_notified_of_the_level_awarded(world, vol):
    from gongzhi.notifications.models import Notification

    _hours(world, vol, 320)
    published = services.star_candidates_publish(unit=world.community_a, period_end=dt.date(2025, 12, 31),
                                                 actor=world.user("community"))
    services.star_awards_approve(candidate_list=published, actor=world.user("street"))
    assert list(Notification.objects.filter(user=world.user("volunteer")).values_list("title", flat=True)) == [
        "您已被认定为2星级志愿者"]
