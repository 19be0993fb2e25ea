"""Property-based: random confirmations, corrections, revocations, redemptions and re-delivered events for a few
volunteers. The ledger always verifies, no balance goes negative, and for each person
``balance − outstanding clawbacks == points the current records are worth − points redeemed`` (nothing lost)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongzhi.core.errors import DomainError
from gongzhi.hours import events as hours_events
from gongzhi.hours.models import RecordKind, ServiceRecord
from gongzhi.points import selectors, services
from gongzhi.points.models import Account, Clawback, TxKind
from gongzhi.points.services import Leg

from .factories import activity_in, adopt, local, record, successor, volunteer_for

HOURS = st.sampled_from(["0.5000", "1.0000", "1.7500", "2.0000", "3.2500", "4.0000"])
OPS = st.lists(st.one_of(
    st.tuples(st.just("confirm"), st.integers(0, 1), HOURS),
    st.tuples(st.just("correct"), st.integers(0, 20), HOURS),
    st.tuples(st.just("revoke"), st.integers(0, 20), st.just("")),
    st.tuples(st.just("redeem"), st.integers(0, 1), st.sampled_from(["1", "2", "3", "5"])),
    st.tuples(st.just("redeliver"), st.integers(0, 20), st.just("")),
), min_size=1, max_size=20)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS)
def test_hours_sequences_never_lose_or_invent_points(world, ops):
    with transaction.atomic():
        adopt(world)
        vols = [volunteer_for(world, name=f"志愿{i}") for i in range(2)]
        start = local(2026, 3, 2, 8)
        act = activity_in(world.community_a, starts_at=start, ends_at=start + dt.timedelta(hours=6))
        redeemed = {v.person_id: 0 for v in vols}
        day = iter(range(100))
        for n, (op, who, arg) in enumerate(ops):
            heads = list(ServiceRecord.objects.current().order_by("pk"))
            if op == "confirm":
                record(world, volunteer=vols[who], hours=arg, activity=act,
                       day=dt.date(2026, 3, 2) + dt.timedelta(days=next(day)))
            elif op in ("correct", "revoke") and heads:
                head = heads[who % len(heads)]
                if op == "correct":
                    successor(world, head, hours=arg)
                else:
                    successor(world, head, kind=RecordKind.REVOCATION)
            elif op == "redeliver":
                rows = list(ServiceRecord.objects.order_by("pk"))
                if rows:
                    row = rows[who % len(rows)]
                    hours_events.record_added(record=row, replaced=row.supersedes)
            elif op == "redeem":
                person = vols[who].person
                try:
                    with transaction.atomic():
                        services.transaction_post(
                            kind=TxKind.REDEMPTION, unit=person.unit, idempotency_key=f"r{n}",
                            legs=[Leg(services.account_for_person(person), -int(arg)),
                                  Leg(services.pool_for_unit(person.unit), int(arg))], reason="兑换", actor=None)
                    redeemed[person.pk] += int(arg)
                except DomainError as exc:
                    assert exc.code == "points.insufficient_balance"
        assert selectors.ledger_findings() == []
        for v in vols:
            worth = sum(int(Decimal(r.hours)) for r in ServiceRecord.objects.current().filter(volunteer=v))
            balance = Account.objects.filter(person=v.person).values_list("balance", flat=True).first() or 0
            owed = sum(services.clawback_outstanding(c) for c in Clawback.objects.filter(person=v.person))
            assert balance >= 0 and owed >= 0
            assert balance - owed == worth - redeemed[v.person_id]
        transaction.set_rollback(True)
