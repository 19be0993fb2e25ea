"""Registered now (注册志愿者 / 志愿服务组织 / 志愿服务队伍): counts kept per unit and ancestor by the services' events,
equal at every step to a count of the base tables, and what the dashboard shows."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.db import transaction

from gongzhi.org.models import Organisation, OrgKind
from gongzhi.org.services import organisation_create
from gongzhi.people import services as people
from gongzhi.people.models import VolunteerProfile, VolunteerStatus
from gongzhi.reports import registry, rollups
from gongzhi.reports.models import RegisteredCount

pytestmark = pytest.mark.django_db


def at(*units) -> list[tuple[int, int, int]]:
    found = registry.counts([u.path for u in units])
    return [(found[u.path]["volunteers"], found[u.path]["organisations"], found[u.path]["teams"]) for u in units]


def applied(facts, name, unit) -> VolunteerProfile:
    return facts.volunteer(name, unit, active=False)


def activate(world, profile) -> VolunteerProfile:
    """Two screening rounds by two workers (R-V2: the default rules' screening_rounds)."""
    people.volunteer_review(profile=profile, actor=world.user("community"), decision="pass")
    return people.volunteer_review(profile=profile, actor=world.user("socialworker"), decision="pass").profile


def test_a_volunteer_counts_from_the_last_passed_screening_round_at_the_unit_and_every_ancestor(world, facts):
    profile = applied(facts, "陈一", world.grid_a)
    assert at(world.grid_a, world.community_a, world.street_a, world.district)[0] == (0, 0, 0)
    people.volunteer_review(profile=profile, actor=world.user("community"), decision="pass")
    assert at(world.grid_a)[0] == (0, 0, 0)  # screening is not registered yet
    people.volunteer_review(profile=profile, actor=world.user("socialworker"), decision="pass")
    assert [v for v, _o, _t in at(world.grid_a, world.community_a, world.street_a, world.district)] == [1, 1, 1, 1]
    assert at(world.street_b, world.community_a2) == [(0, 0, 0), (0, 0, 0)]
    assert registry.check() == []


def test_suspension_uncounts_and_reinstatement_counts_again_a_rejection_never_counts(world, facts):
    profile = activate(world, applied(facts, "陈二", world.community_a))
    rejected = applied(facts, "陈三", world.community_a)
    people.volunteer_review(profile=rejected, actor=world.user("community"), decision="reject")
    assert at(world.community_a)[0][0] == 1
    people.volunteer_suspend(profile=profile, actor=world.user("community"), reason="长期未参加活动")
    assert at(world.community_a, world.district) == [(0, 0, 1), (0, 0, 1)]  # the world's team stays
    people.volunteer_reinstate(profile=profile, actor=world.user("street"), reason="恢复")
    assert at(world.community_a)[0][0] == 1
    assert registry.check() == []


def test_the_count_commits_or_rolls_back_with_the_activation(world, facts):
    profile = applied(facts, "陈四", world.community_a)
    people.volunteer_review(profile=profile, actor=world.user("community"), decision="pass")
    with pytest.raises(RuntimeError), transaction.atomic():
        people.volunteer_review(profile=profile, actor=world.user("socialworker"), decision="pass")
        assert at(world.community_a)[0][0] == 1
        raise RuntimeError("a later step of the same request fails")
    assert at(world.community_a)[0][0] == 0
    profile.refresh_from_db()
    assert profile.status == VolunteerStatus.SCREENING
    assert registry.check() == []


def test_organisations_and_teams_count_apart(world):
    organisation_create(name="艾山街道志愿服务联合会", kind=OrgKind.STREET_ALLIANCE, unit=world.street_a)
    organisation_create(name="洪沟社区红心服务队", kind=OrgKind.TEAM, unit=world.community_b)
    # the world's own team is at 永兴社区 (community_a)
    assert at(world.district, world.street_a, world.street_b, world.community_a) == [
        (0, 1, 2), (0, 1, 1), (0, 0, 1), (0, 0, 1)]
    assert registry.check() == []


def _admin(client, world):
    user = world.user("district")
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label__in=["org", "people"]))
    client.force_login(user, backend="gongzhi.accounts.backends.PhoneOrUsernameBackend")
    return client


def test_back_office_edits_of_an_organisation_move_the_counts_and_it_is_never_deleted(client, world):
    admin = _admin(client, world)
    team = world.team_a
    form = {"name": team.name, "kind": OrgKind.TEAM, "unit": world.community_b.pk, "description": "",
            "contact_name": "", "contact_phone": "", "active": "on"}
    r = admin.post(f"/admin/org/organisation/{team.pk}/change/", form)
    assert r.status_code == 302, r.content.decode()[:2000]
    assert at(world.community_a, world.community_b, world.street_a, world.district) == [
        (0, 0, 0), (0, 0, 1), (0, 0, 0), (0, 0, 1)]
    admin.post(f"/admin/org/organisation/{team.pk}/change/", {**form, "kind": OrgKind.SOCIAL_ORG})
    assert at(world.community_b)[0] == (0, 1, 0)
    admin.post(f"/admin/org/organisation/{team.pk}/change/", {k: v for k, v in form.items() if k != "active"})
    assert at(world.community_b, world.district) == [(0, 0, 0), (0, 0, 0)]
    r = admin.post("/admin/org/organisation/add/", {**form, "name": "新建服务队", "unit": world.grid_a.pk})
    assert r.status_code == 302
    assert at(world.grid_a, world.district) == [(0, 0, 1), (0, 0, 1)]
    assert admin.post(f"/admin/org/organisation/{team.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Organisation.objects.filter(pk=team.pk).exists()
    assert registry.check() == []


def test_the_back_office_neither_adds_deletes_nor_moves_volunteers(client, world, facts):
    profile = facts.volunteer("陈五", world.community_a)
    admin = _admin(client, world)
    assert admin.get("/admin/people/volunteerprofile/add/").status_code == 403
    assert admin.post(f"/admin/people/volunteerprofile/{profile.pk}/delete/", {"post": "yes"}).status_code == 403
    page = admin.get(f"/admin/people/volunteerprofile/{profile.pk}/change/").content.decode()
    assert 'name="unit"' not in page and 'name="status"' not in page


def test_check_finds_a_count_written_around_the_services_and_rebuild_repairs_it(world, facts):
    profile = facts.volunteer("陈六", world.community_a)
    VolunteerProfile.objects.filter(pk=profile.pk).update(status=VolunteerStatus.SUSPENDED)  # no event
    problems = registry.check()
    assert problems and all(p.startswith("registered ") for p in problems)
    assert any(world.community_a.path in p for p in problems)
    assert rollups.check() == problems  # `gongzhi rollups --check` reports them with the rollups'
    counts = rollups.rebuild()
    assert counts["registered"] == RegisteredCount.objects.count()
    assert registry.check() == [] and at(world.community_a)[0] == (0, 0, 1)


def test_the_migration_counts_what_an_existing_deployment_already_holds(world, facts):
    facts.volunteer("陈七", world.grid_a)
    facts.volunteer("陈八", world.community_b)
    organisation_create(name="里辛街道社会组织", kind=OrgKind.SOCIAL_ORG, unit=world.street_b)
    want = registry.recompute()
    RegisteredCount.objects.all().delete()
    migration = importlib.import_module("gongzhi.reports.migrations.0002_registered_count")
    migration.count_existing(apps, None)
    have = {p: [v, o, t] for p, v, o, t in
            RegisteredCount.objects.values_list("unit_path", "volunteers", "organisations", "teams")}
    assert have == want and have[world.district.path] == [2, 1, 1]


def test_the_dashboard_reads_them(world, api, facts):
    activate(world, applied(facts, "陈九", world.grid_a))
    facts.volunteer("陈十", world.community_b)
    body = api("district").get("reports/dashboard", unit_id=world.district.pk, period="2025").json()
    assert body["registered"] == {"volunteers": 2, "organisations": 0, "teams": 1}
    rows = {c["unit"]["name"]: c["registered"] for c in body["children"]}
    assert rows == {"艾山街道": {"volunteers": 1, "organisations": 0, "teams": 1},
                    "里辛街道": {"volunteers": 1, "organisations": 0, "teams": 0}}
