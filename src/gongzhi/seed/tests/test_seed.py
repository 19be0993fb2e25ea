"""Scale data at the tiny scale: reproducible, valid, and accepted by the application's own checks and pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from gongzhi.seed import scales
from gongzhi.seed.digest import tables_digest
from gongzhi.seed.runner import SeedError, run

NOW = timezone.make_aware(dt.datetime(2026, 6, 1, 10, 0))
TABLES = ["org_unit", "people_person", "people_volunteerprofile", "hours_servicerecord", "appeals_appeal",
          "appeals_appealevent", "points_pointstransaction", "points_posting", "points_account", "matching_resource"]


def _seed(seed=7, fraction=0.5, **kw):
    return run(scales.get("tiny", fraction), seed=seed, now=NOW, log=lambda m: None, **kw)


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """One tiny seed for the module's read-only checks, rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        report = _seed()
        yield report
        transaction.set_rollback(True)


def _digest_of(seed: int) -> str:
    with transaction.atomic():
        _seed(seed=seed, fraction=0.2, derived=False)
        out = tables_digest(TABLES)
        transaction.set_rollback(True)
    return out


@pytest.mark.django_db
def test_the_same_seed_writes_the_same_rows_and_another_seed_others():
    first = _digest_of(3)
    assert _digest_of(3) == first
    assert _digest_of(4) != first


def test_every_id_number_is_valid_and_agrees_with_birth_date_sex_and_digest(seeded, db):  # R-I1, R-I2
    from gongzhi.core import crypto
    from gongzhi.people.identity import is_valid_mobile, parse_id_number
    from gongzhi.people.models import Person
    from gongzhi.people.services import id_digest

    people = list(Person.objects.all())
    assert len(people) == scales.get("tiny", 0.5).people
    phones = set()
    for p in people:
        number = crypto.decrypt(p.id_number_enc)
        info = parse_id_number(number, today=NOW.date())
        assert (info.birth_date, info.sex) == (p.birth_date, p.sex)
        assert info.age_on(NOW.date()) >= 14
        assert p.id_number_digest == id_digest("resident_id", number)
        phone = crypto.decrypt(p.phone_enc)
        assert is_valid_mobile(phone) and p.phone_tail == phone[-4:]
        phones.add(phone)
    assert len(phones) == len(people)
    assert len({p.id_number_digest for p in people}) == len(people)


def test_units_have_valid_codes_paths_and_depths(seeded, db):  # R-I3, R-U1
    from gongzhi.org.divisions import code_problem, path_for
    from gongzhi.org.models import Unit

    units = {u.pk: u for u in Unit.objects.all()}
    assert len(units) == len(seeded.world.units)
    for u in units.values():
        parent = units.get(u.parent_id)
        assert code_problem(u.kind, u.code, parent.code if parent else None, parent.kind if parent else None) is None
        assert u.path == path_for(u.kind, u.code)
        assert u.depth == (parent.depth + 1 if parent else 0)


def test_the_points_ledger_verifies(seeded, db):
    from gongzhi.points.models import PointsTransaction
    from gongzhi.supermarket.models import Redemption

    call_command("ledger", "verify")  # raises CommandError on any breach
    kinds = set(PointsTransaction.objects.values_list("kind", flat=True))
    assert {"award", "redemption"} <= kinds
    assert Redemption.objects.count() == PointsTransaction.objects.filter(kind="redemption").count()


def test_appeal_histories_follow_the_transition_table(seeded, db):  # R-H1, R-H2, R-H5
    from gongzhi.appeals import rules
    from gongzhi.appeals.models import Appeal, AppealEvent

    events: dict[int, list] = {}
    for e in AppealEvent.objects.order_by("appeal_id", "at", "id"):
        events.setdefault(e.appeal_id, []).append(e)
    appeals = list(Appeal.objects.all())
    assert {a.state for a in appeals} >= {"closed", "rejected"}
    for a in appeals:
        history = events[a.pk]
        assert history[0].action == "submit" and history[0].to_state == "submitted"
        state = "submitted"
        for e in history[1:]:
            sources, _target = rules.TRANSITIONS[e.action]
            assert e.from_state == state and state in sources, (a.number, e.action, state)
            assert e.to_state == rules.target_state(e.action, state)
            state = e.to_state
        assert state == a.state and history[-1].at <= seeded.now
        if a.state == "closed":
            assert a.rating >= 3 and a.visit_satisfied and a.owner_id
        if a.state == "rejected":
            assert a.reject_reason
        assert a.reopen_count == sum(e.action == "reopen" for e in history)


def test_service_hours_are_the_time_served_and_corrections_supersede(seeded, db):  # R-V4, R-V6
    from gongzhi.hours.models import ServiceRecord

    for r in ServiceRecord.objects.select_related("activity", "supersedes"):
        length = Decimal((r.activity.ends_at - r.activity.starts_at).seconds) / 3600
        if r.kind == "original":
            assert Decimal("0.25") <= r.hours <= length and r.supersedes_id is None
        else:
            assert r.supersedes.kind == "original" and r.hours <= r.supersedes.hours


def test_district_dashboard_and_appeal_pages_answer_on_seeded_data(seeded, db, client):
    from gongzhi.accounts.models import User
    from gongzhi.activities.models import Activity
    from gongzhi.appeals.models import Appeal
    from gongzhi.conftest import ApiClient
    from gongzhi.hours.models import ServiceRecord

    admin = User.objects.get(pk=seeded.world.admin_id)
    client.force_login(admin, backend="gongzhi.accounts.backends.PhoneOrUsernameBackend")
    page = client.get(reverse("reports:dashboard"), {"period": "all"})
    assert page.status_code == 200
    figures = page.context["data"]["figures"]
    assert figures["activities"] == Activity.objects.filter(status="finished").count()
    current = ServiceRecord.objects.exclude(kind="revocation").exclude(superseded_by__isnull=False)
    assert Decimal(str(figures["hours"])) == sum(r.hours for r in current)
    assert client.get(reverse("appeals:list")).status_code == 200
    some = Appeal.objects.order_by("-submitted_at").first()
    assert client.get(reverse("appeals:detail", args=[some.pk])).status_code == 200
    api = ApiClient(admin)
    listed = api.get("appeals")
    assert listed.status_code == 200, listed.content[:300]
    home = seeded.world.homes[0]
    month = (NOW - dt.timedelta(days=40)).strftime("%Y-%m")
    assert api.get(f"points/board/{home.code}/{month}").status_code == 200


def test_a_second_run_into_the_same_tree_is_refused(seeded, db):
    with pytest.raises(SeedError):
        _seed()
