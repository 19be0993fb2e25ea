"""The 钢城区 demo district: what ``gongzhi demo`` loads, that its logins work and are scoped, and that it loads once."""

from __future__ import annotations

import io
import time
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from gongzhi.accounts.models import RoleAssignment, User
from gongzhi.accounts.services import token_create
from gongzhi.core import clock
from gongzhi.core.demo import DEMO_PASSWORD, LOGINS, DemoRefused, demo_load
from gongzhi.org.models import Organisation, OrgKind, Unit
from gongzhi.people.identity import parse_id_number
from gongzhi.people.models import (
    ConsentPurpose,
    ConsentRecord,
    Person,
    ReviewDecision,
    TeamMembership,
    TeamRole,
    VolunteerProfile,
    VolunteerStatus,
)
from gongzhi.people.rules import volunteer_rules

STREETS = {"370117001": "艾山街道", "370117002": "里辛街道", "370117003": "汶源街道", "370117100": "颜庄街道",
           "370117103": "辛庄街道"}


def _quiet(_line: str) -> None:
    pass


def _counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in (Unit, Organisation, User, Person, VolunteerProfile,
                                                     TeamMembership, ConsentRecord)}


def _age(birth, today) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


@pytest.fixture(scope="class")
def full_demo(django_db_setup, django_db_blocker):
    """The full-size demo, loaded once for the class inside a transaction that is rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        cpu = time.process_time()
        result = demo_load(log=_quiet)
        result.cpu_seconds = time.process_time() - cpu
        yield result
        transaction.set_rollback(True)


@pytest.mark.usefixtures("full_demo", "db")
class TestFullDemo:
    def test_loads_quickly(self, full_demo):
        """The whole demo (a year of activities, hours, points ...) loads in seconds, not minutes (bulk writes).

        About 15 s of this process's CPU on this 2-core machine. CPU time, not wall time: on a machine shared with
        other work the wall clock measured the load (100 s at a load average of 18), not the loader."""
        assert full_demo.loaded
        assert full_demo.cpu_seconds < 45

    def test_district_has_its_five_streets_with_real_codes(self):
        """钢城区 370117 has 艾山 001, 里辛 002, 汶源 003, 颜庄 100 and 辛庄 103 (R-I3), real codes, not synthetic."""
        district = Unit.objects.get(code="370117")
        assert (district.name, district.kind, district.synthetic) == ("钢城区", "district", False)
        streets = {u.code: u.name for u in Unit.objects.filter(parent=district, kind="street", synthetic=False)}
        assert streets == STREETS

    def test_seed_communities_and_villages_sit_in_their_streets(self):
        """The seeds' 永兴/金鼎/洪沟/梅苑 are communities and 柳桥峪村 a village of 颜庄街道; codes synthetic (R-I3)."""
        units = {u.name: u for u in Unit.objects.select_related("parent").filter(kind__in=["community", "village"])}
        assert units["永兴社区"].parent.name == "艾山街道"
        assert units["金鼎社区"].parent.name == "艾山街道"
        assert units["洪沟社区"].parent.name == "里辛街道"
        assert units["梅苑社区"].kind == "community"
        assert (units["柳桥峪村"].kind, units["柳桥峪村"].parent.name) == ("village", "颜庄街道")
        for unit in units.values():
            seq = int(unit.code[9:])
            assert unit.synthetic
            assert (1 <= seq <= 199) if unit.kind == "community" else (200 <= seq <= 399), unit.code  # R-I3
        per_street = Counter(u.parent.code for u in units.values())
        assert set(per_street) == set(STREETS) and all(3 <= n <= 6 for n in per_street.values())

    def test_every_community_and_village_has_two_to_four_numbered_grids(self):
        """Grids are coded community code + 3-digit sequence and lie near 钢城区."""
        for unit in Unit.objects.filter(kind__in=["community", "village"]):
            grids = list(Unit.objects.filter(parent=unit, kind="grid").order_by("code"))
            assert 2 <= len(grids) <= 4, unit.name
            assert [g.code for g in grids] == [f"{unit.code}{i:03d}" for i in range(1, len(grids) + 1)]
            assert all(g.synthetic and abs(g.latitude - 36) < 0.3 and abs(g.longitude - 118) < 0.4 for g in grids)

    def test_organisations_named_in_the_seeds(self):
        """Federation, street alliances, community alliances, village points and the seeds' teams are there."""
        by_kind = Counter(Organisation.objects.values_list("kind", flat=True))
        assert by_kind[OrgKind.FEDERATION] == 1
        assert by_kind[OrgKind.STREET_ALLIANCE] == 5
        assert by_kind[OrgKind.COMMUNITY_ALLIANCE] == Unit.objects.filter(kind="community").count()
        assert by_kind[OrgKind.VILLAGE_POINT] == Unit.objects.filter(kind="village").count()
        assert by_kind[OrgKind.SOCIAL_ORG] >= 3
        assert Organisation.objects.get(name="马上志愿服务队").unit.name == "洪沟社区"
        assert Organisation.objects.get(name="手拉手孤困儿童关爱志愿团").unit.code == "370117"
        assert Organisation.objects.get(kind=OrgKind.TEAM, name__contains="红马甲").unit.name == "永兴社区"
        assert Organisation.objects.filter(kind=OrgKind.TEAM, unit__name="金鼎社区").count() == 12

    def test_every_team_has_one_leader_and_active_volunteer_members(self):
        """Each team has exactly one leader; its members are active volunteers."""
        teams = Organisation.objects.filter(kind=OrgKind.TEAM)
        for team in teams:
            members = list(team.memberships.filter(left_on__isnull=True).select_related("person__volunteer"))
            assert [m.role for m in members].count(TeamRole.LEADER) == 1, team.name
            assert {m.person.volunteer.status for m in members} == {VolunteerStatus.ACTIVE}, team.name

    def test_about_two_thousand_residents_and_five_hundred_volunteers_in_every_status(self):
        """2,000 residents, 500 volunteers, mostly active, some applied/screening/rejected/suspended."""
        assert Person.objects.count() == 2000
        assert VolunteerProfile.objects.count() == 500
        statuses = Counter(VolunteerProfile.objects.values_list("status", flat=True))
        assert set(statuses) == set(VolunteerStatus.values)
        assert statuses[VolunteerStatus.ACTIVE] > 400
        assert Person.objects.filter(unit__path__startswith="370117002001").exists()
        assert Person.objects.filter(unit__path__startswith="370117100201").exists()

    def test_id_numbers_are_valid_synthetic_and_consistent(self):
        """Every ID number decrypts to a valid number (R-I1) whose birth date and sex are the stored ones; older
        residents keep the historical 371203 address code (R-I2)."""
        codes = Counter()
        for person in Person.objects.only("id_number_enc", "birth_date", "sex"):
            info = parse_id_number(person.id_number_clear())
            assert (info.birth_date, info.sex) == (person.birth_date, person.sex)
            codes[info.address_code] += 1
        assert codes["370117"] > 0 and codes["371203"] > 0
        assert Person.objects.values("id_number_digest").distinct().count() == 2000

    def test_ages_spread_and_minors_have_guardian_consent(self):
        """Residents range from babies to the very old; every child under 14 has a guardian's consent (R-P2) and
        every volunteer under 18 too (R-V9)."""
        today = clock.today()
        people = list(Person.objects.only("birth_date"))
        ages = [_age(p.birth_date, today) for p in people]
        assert min(ages) < 6 and max(ages) > 85
        guarded = set(ConsentRecord.objects.filter(purpose=ConsentPurpose.GUARDIAN, granted=True)
                      .exclude(guardian_name="").values_list("person_id", flat=True))
        children = {p.pk for p, age in zip(people, ages, strict=True) if age < volunteer_rules().pipl_child_age}
        assert children and children <= guarded
        for v in VolunteerProfile.objects.select_related("person"):
            if _age(v.person.birth_date, today) < volunteer_rules().guardian_consent_below:
                assert v.person_id in guarded

    def test_every_volunteer_has_its_history(self):
        """Every volunteer starts with an 'applied' change; screening, activation and rejection come from review
        rounds by distinct reviewers (多轮筛选, R-V2)."""
        rounds = volunteer_rules().screening_rounds
        for v in VolunteerProfile.objects.prefetch_related("status_changes", "reviews"):
            changes = sorted(v.status_changes.all(), key=lambda c: (c.at, c.pk))
            reviews = list(v.reviews.all())
            assert (changes[0].from_status, changes[0].to_status) == ("", VolunteerStatus.APPLIED)
            assert changes[-1].to_status == v.status
            assert all(a.to_status == b.from_status for a, b in zip(changes, changes[1:], strict=False))
            assert len({r.reviewer_id for r in reviews}) == len(reviews)
            assert [r.round for r in reviews] == list(range(1, len(reviews) + 1))
            if v.status in (VolunteerStatus.ACTIVE, VolunteerStatus.SUSPENDED):
                assert [r.decision for r in reviews] == [ReviewDecision.PASS] * rounds
            elif v.status == VolunteerStatus.REJECTED:
                assert reviews[-1].decision == ReviewDecision.REJECT
            elif v.status == VolunteerStatus.APPLIED:
                assert reviews == []
            assert v.applied_at <= v.status_changed_at <= clock.now()

    def test_demo_logins_log_in_with_their_roles(self):
        """Each demo login signs in on the login page with demo12345 and holds its role at its unit."""
        for login in LOGINS:
            client = Client()
            r = client.post("/login/", {"username": login.username, "password": DEMO_PASSWORD})
            assert r.status_code == 302, login.username
            ra = RoleAssignment.objects.get(user__username=login.username, revoked_at__isnull=True)
            assert (ra.role, ra.unit.code) == (login.role, login.unit_code)

    def test_volunteer_resident_and_merchant_logins_have_their_person(self):
        """demo-volunteer is an active volunteer of 永兴社区 in the 红马甲 team; resident and merchant have a record."""
        volunteer = Person.objects.get(user__username="demo-volunteer")
        assert volunteer.unit.path.startswith("370117001001")
        assert volunteer.volunteer.status == VolunteerStatus.ACTIVE
        assert volunteer.team_memberships.filter(team__name__contains="红马甲").exists()
        assert Person.objects.filter(user__username__in=["demo-resident", "demo-merchant"]).count() == 2

    def test_demo_community_sees_own_people_and_gets_404_for_demo_community_b_people(self):
        """The headline scoping example: demo-community lists 永兴社区's people; a 洪沟社区 person answers 404."""
        _, key = token_create(user=User.objects.get(username="demo-community"), name="test")
        client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
        r = client.get("/api/v1/people", {"page_size": 5})
        assert r.status_code == 200, r.content
        assert r.json()["count"] == Person.objects.filter(unit__path__startswith="370117001001").count()
        own = Person.objects.filter(unit__path__startswith="370117001001").first()
        other = Person.objects.filter(unit__path__startswith="370117002001").first()
        assert client.get(f"/api/v1/people/{own.pk}").status_code == 200
        r = client.get(f"/api/v1/people/{other.pk}")
        assert r.status_code == 404 and r.json()["code"] == "not_found"

    def test_demo_district_opens_the_scoped_admin_read_only(self):
        """demo-district is staff with view permissions on the scoped admins only: people yes, user accounts no."""
        client = Client()
        assert client.post("/login/", {"username": "demo-district", "password": DEMO_PASSWORD}).status_code == 302
        assert client.get("/admin/people/person/").status_code == 200
        assert client.get("/admin/org/unit/").status_code == 200
        assert client.get("/admin/accounts/user/").status_code == 403
        person = Person.objects.first()
        assert client.post(f"/admin/people/person/{person.pk}/change/", {"name": "改名"}).status_code == 403
        assert not User.objects.filter(is_superuser=True).exists()

    def test_loading_twice_is_a_no_op(self):
        """A second load finds the demo and changes nothing."""
        before = _counts()
        again = demo_load(log=_quiet)
        assert not again.loaded
        assert _counts() == before


def test_demo_command_loads_prints_logins_and_does_not_serve_with_no_serve(db):
    """``gongzhi demo --no-serve`` migrates, loads and prints every login with the password and the URL."""
    out = io.StringIO()
    call_command("demo", "--no-serve", "--residents", "120", "--volunteers", "30", stdout=out)
    text = out.getvalue()
    assert Person.objects.count() == 120
    assert VolunteerProfile.objects.count() == 30
    for login in LOGINS:
        assert login.username in text
    assert DEMO_PASSWORD in text and "http://127.0.0.1:8000/" in text
    out = io.StringIO()
    call_command("demo", "--no-serve", "--residents", "120", "--volunteers", "30", stdout=out)
    assert "已存在" in out.getvalue()
    assert Person.objects.count() == 120


def test_demo_is_deterministic_from_its_seed(db):
    """Two loads build the same residents, volunteers and teams (random.Random seeded with 20251124)."""

    def snapshot():
        with transaction.atomic():
            demo_load(residents=150, volunteers=40, log=_quiet)
            rows = (
                sorted(Person.objects.values_list("name", "birth_date", "sex", "unit__code", "household__label")),
                sorted(VolunteerProfile.objects.values_list("number", "person__name", "status")),
                sorted(TeamMembership.objects.values_list("team__name", "person__name", "role")),
            )
            transaction.set_rollback(True)
        return rows

    first = snapshot()
    assert not Person.objects.exists()
    assert snapshot() == first


def test_demo_refuses_a_database_holding_other_units(world):
    """The demo logins have a published password, so the demo never loads next to data that is not the demo."""
    assert Unit.objects.filter(code="370117").exists()  # the world's district, without the demo marker
    with pytest.raises(DemoRefused):
        demo_load(residents=50, volunteers=10, log=_quiet)
    assert not User.objects.filter(username__startswith="demo-").exists()
