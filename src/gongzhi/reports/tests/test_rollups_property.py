"""Property: after any sequence of facts, the incremental rollups equal the ones ``--rebuild`` recomputes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.db.models import Q
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongzhi.activities.models import Activity, ActivityStatus, BeneficiaryCount
from gongzhi.hours.models import ServiceRecord
from gongzhi.org.models import Organisation, OrgKind
from gongzhi.org.services import organisation_create, organisation_save
from gongzhi.people.models import VolunteerStatus
from gongzhi.reports import rollups
from gongzhi.reports.models import ParticipationRef, RegisteredCount, Rollup, VolunteerPresence

from .conftest import SH

pytestmark = pytest.mark.django_db

OPS = st.one_of(
    st.tuples(st.just("record"), st.integers(0, 3), st.integers(0, 2), st.integers(0, 800), st.integers(-40, 40)),
    st.tuples(st.just("correct"), st.integers(0, 50), st.integers(0, 800), st.integers(-40, 40)),
    st.tuples(st.just("revoke"), st.integers(0, 50)),
    st.tuples(st.just("status"), st.integers(0, 3), st.sampled_from([ActivityStatus.FINISHED, ActivityStatus.ONGOING,
                                                                       ActivityStatus.CANCELLED])),
    st.tuples(st.just("beneficiaries"), st.integers(0, 3), st.integers(0, 500)),
    st.tuples(st.just("beneficiaries_correct"), st.integers(0, 50), st.integers(0, 500)),
    st.tuples(st.just("volunteer_status"), st.integers(0, 3), st.sampled_from(list(VolunteerStatus))),
    st.tuples(st.just("organisation"), st.integers(0, 2), st.integers(0, 4), st.sampled_from(list(OrgKind)),
              st.booleans()),
)


def snapshot() -> tuple:
    return (
        set(Rollup.objects.filter(~Q(activities=0) | ~Q(participations=0) | ~Q(volunteers=0) | ~Q(records=0)
                                  | ~Q(hours_e4=0) | ~Q(beneficiaries=0))
            .values_list("unit_path", "grain", "period", "category", "activities", "participations", "volunteers",
                         "records", "hours_e4", "beneficiaries")),
        set(VolunteerPresence.objects.filter(~Q(refs=0)).values_list("unit_path", "grain", "period", "volunteer_id",
                                                                     "refs")),
        set(ParticipationRef.objects.filter(~Q(refs=0)).values_list("activity_id", "volunteer_id", "refs")),
        set(RegisteredCount.objects.filter(~Q(volunteers=0) | ~Q(organisations=0) | ~Q(teams=0))
            .values_list("unit_path", "volunteers", "organisations", "teams")),
    )


def test_incremental_rollups_equal_a_rebuild_after_any_sequence(world, facts):
    """Random inserts, corrections (also moving the day across months), revocations, status changes, beneficiary
    corrections, volunteers registered and suspended, organisations created, moved, retyped and deactivated:
    incremental == recomputed, and --check agrees."""
    volunteers = [facts.volunteer(n, u) for n, u in (("甲", world.community_a), ("乙", world.grid_a),
                                                     ("丙", world.community_b))]
    volunteers.append(facts.volunteer("丁", world.community_a2, active=False))
    units = [world.district, world.street_a, world.community_a, world.grid_a, world.community_b]
    activity_ids = [facts.activity(u, category=c, starts=s, finished=False).pk for u, c, s in (
        (world.community_a, "convenience", dt.datetime(2025, 3, 31, 22, 30, tzinfo=SH)),  # 14:30 UTC: still March
        (world.grid_a, "child_care", dt.datetime(2025, 4, 1, 0, 30, tzinfo=SH)),  # 31 March in UTC, April locally
        (world.community_b, "convenience", dt.datetime(2025, 12, 31, 9, tzinfo=SH)),
        (world.street_a, "environment", dt.datetime(2026, 1, 2, 9, tzinfo=SH)),
    )]

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(st.lists(OPS, min_size=1, max_size=18))
    def run(ops):
        with transaction.atomic():
            activities = list(Activity.objects.filter(pk__in=activity_ids).select_related("unit").order_by("pk"))
            for op in ops:
                kind = op[0]
                current = list(ServiceRecord.objects.current().order_by("pk"))
                bens = list(BeneficiaryCount.objects.filter(superseded_by__isnull=True).order_by("pk"))
                if kind == "record":
                    _k, ai, vi, h, shift = op
                    a = activities[ai]
                    facts.record(a, volunteers[vi], f"{h / 100:.2f}",
                                 day=a.starts_at.astimezone(SH).date() + dt.timedelta(days=shift))
                elif kind == "correct" and current:
                    _k, ri, h, shift = op
                    old = current[ri % len(current)]
                    facts.correct(old, f"{h / 100:.2f}", day=old.day + dt.timedelta(days=shift))
                elif kind == "revoke" and current:
                    facts.revoke(current[op[1] % len(current)])
                elif kind == "status":
                    if activities[op[1]].status != op[2]:
                        facts.status(activities[op[1]], op[2])
                elif kind == "beneficiaries":
                    facts.beneficiaries(activities[op[1]], op[2])
                elif kind == "beneficiaries_correct" and bens:
                    old = bens[op[1] % len(bens)]
                    facts.beneficiaries(old.activity, op[2], replaces=old)
                elif kind == "volunteer_status":
                    facts.volunteer_status(volunteers[op[1]], op[2])
                elif kind == "organisation":
                    _k, oi, ui, org_kind, active = op
                    orgs = list(Organisation.objects.select_related("unit").order_by("pk"))
                    if oi >= len(orgs):
                        organisation_create(name=f"组织{len(orgs)}", kind=org_kind, unit=units[ui])
                    else:
                        org = orgs[oi]
                        org.unit, org.kind, org.active = units[ui], org_kind, active
                        organisation_save(organisation=org)
            incremental = snapshot()
            assert rollups.check() == []
            rollups.rebuild()
            assert snapshot() == incremental
            transaction.set_rollback(True)

    run()
