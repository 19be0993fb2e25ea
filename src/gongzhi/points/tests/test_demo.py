"""The points demo: rule sets with their decisions, hour awards consistent with the ledger, village-rule awards, one
deduction pending approval and one appealed; demo-resident has a balance."""

from __future__ import annotations

import pytest
from django.db import transaction

from gongzhi.core.demo import demo_load
from gongzhi.hours.models import RecordSource, ServiceRecord
from gongzhi.people.models import Person
from gongzhi.points import selectors
from gongzhi.points.models import Deduction, DeductionStatus, PointsTransaction, RuleSet


@pytest.fixture(scope="module")
def small_demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield demo_load(residents=300, volunteers=120, log=lambda _m: None)
        transaction.set_rollback(True)


@pytest.mark.usefixtures("small_demo", "db")
class TestPointsDemo:
    def test_every_community_and_village_has_adopted_rules(self):
        """R-J1: each rule table names the meeting that adopted it."""
        assert RuleSet.objects.filter(unit__kind__in=["community", "village"]).exists()
        assert all("会议" in d for d in RuleSet.objects.values_list("decision", flat=True))

    def test_check_in_records_earned_and_back_entries_did_not(self):
        """R-V5 / R-J4: floor(hours) per current check-in record; no back-entry earns."""
        tx = PointsTransaction.objects.filter(idempotency_key__startswith="hours:record:").first()
        rec = ServiceRecord.objects.get(pk=tx.source_id)
        assert rec.source == RecordSource.CHECKIN
        assert tx.postings.get(account__person__isnull=False).amount == int(rec.hours)
        back = ServiceRecord.objects.filter(source=RecordSource.BACK_ENTRY).values_list("pk", flat=True)
        assert not PointsTransaction.objects.filter(source_type="hours.servicerecord", source_id__in=list(back)).exists()

    def test_the_ledger_verifies(self):
        assert selectors.ledger_findings() == []

    def test_deductions_wait_for_approval_and_appeal(self):
        assert Deduction.objects.filter(status=DeductionStatus.PENDING).count() == 1
        appealed = Deduction.objects.get(status=DeductionStatus.APPEALED)
        assert appealed.person.user.username == "demo-resident"

    def test_demo_resident_has_a_balance(self):
        resident = Person.objects.get(user__username="demo-resident")
        assert selectors.own_balance(resident) > 0
