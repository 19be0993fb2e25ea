"""``gongzhi dispatch --rebuild-candidates`` builds one row per volunteer from people's tables; missing rows are
computed on the fly; a change people made without events is caught before it is suggested."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from gongzhi.dispatch import ranking, selectors
from gongzhi.dispatch.models import Candidate
from gongzhi.people.models import VolunteerProfile

from .conftest import make_volunteer

pytestmark = pytest.mark.django_db


def test_rebuild_writes_one_row_per_volunteer_with_masks_and_point(world, located, plumbing):
    v = make_volunteer(world, "周师傅", world.grid_a, skills=["plumbing_electric"], availability=["weekend_day"])
    out = io.StringIO()
    call_command("dispatch", "--rebuild-candidates", stdout=out)
    assert "rebuilt 1 candidate rows" in out.getvalue()
    row = Candidate.objects.get(volunteer=v)
    assert row.skills_mask == ranking.skill_bit(plumbing.pk) and row.availability_mask == 4
    assert (row.latitude, row.longitude) == (36.2, 117.8)  # the grid has no centre: its community's
    assert row.cell == ranking.cell_of(36.2, 117.8) and row.active
    with pytest.raises(CommandError):
        call_command("dispatch")


def test_new_volunteers_are_ranked_on_the_fly_and_stale_rows_are_refreshed(world, located, make_order, plumbing):
    first = make_volunteer(world, "老队员", world.community_a, skills=["plumbing_electric"])
    call_command("dispatch", "--rebuild-candidates", stdout=io.StringIO())
    fresh = make_volunteer(world, "新队员", world.community_a, skills=["plumbing_electric"])
    order = make_order(skill=plumbing)
    assert {s.volunteer_id for s in selectors.suggestions(order=order)} == {first.pk, fresh.pk}
    VolunteerProfile.objects.filter(pk=first.pk).update(status="suspended")  # people has no events
    assert [s.volunteer_id for s in selectors.suggestions(order=order)] == [fresh.pk]
    assert not Candidate.objects.get(volunteer=first).active
