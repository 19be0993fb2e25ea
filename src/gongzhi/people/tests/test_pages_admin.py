"""The back office (Django admin) for people: scoped like the pages, masked like the lists (R-P3)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission

from gongzhi.people.models import Household, TeamMembership


def _staff(world, name: str, *codenames: str):
    user = world.user(name)
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="people", codename__in=codenames))
    return user


@pytest.fixture
def staff_client(client, world):
    def login(name: str, *codenames: str):
        client.force_login(_staff(world, name, *codenames), backend="gongzhi.accounts.backends.PhoneOrUsernameBackend")
        return client

    return login


def test_admin_person_pages_show_the_birth_year_not_the_birth_date(staff_client, world):
    """R-P3: the admin shows the masked ID number, so not the birth date that it hides (that would rebuild it)."""
    a = world.people["a"]
    client = staff_client("community", "view_person")
    for url in ("/admin/people/person/", f"/admin/people/person/{a.pk}/change/"):
        r = client.get(url)
        text = r.content.decode()
        assert r.status_code == 200 and a.id_number_masked in text
        assert "1980年5月17日" not in text and "1980-05-17" not in text and "May 17, 1980" not in text
        assert "1980" in text


def test_admin_refuses_a_household_in_another_community(staff_client, world):
    """A staff worker of 永兴社区 cannot put a household into 洪沟社区 by typing its unit id (404 for the pages, a
    form error here; nothing saved)."""
    client = staff_client("community", "add_household", "view_household")
    r = client.post("/admin/people/household/add/", {"label": "洪沟1号", "unit": world.community_b.pk})
    assert r.status_code == 200  # the form again, with an error on unit
    assert not Household.objects.filter(label="洪沟1号").exists()
    r = client.post("/admin/people/household/add/", {"label": "永兴1号", "unit": world.community_a.pk})
    assert r.status_code == 302  # the control case: own community
    assert Household.objects.filter(label="永兴1号", unit=world.community_a).exists()


def test_admin_never_writes_team_memberships(staff_client, world):
    """Memberships are history kept by people.services: even staff holding add/change rights only view them."""
    client = staff_client("community", "add_teammembership", "change_teammembership", "view_teammembership")
    b = world.people["b"]
    r = client.post("/admin/people/teammembership/add/",
                    {"team": world.team_a.pk, "person": b.pk, "role": "member", "joined_on": "2025-01-01"})
    assert r.status_code == 403
    assert not TeamMembership.objects.filter(person=b).exists()


def test_admin_person_owner_account_is_read_only(staff_client, world):
    """Linking a person to a login makes that login see the record in full unlogged, so the admin cannot set it."""
    a = world.people["a"]
    client = staff_client("community", "view_person", "change_person")
    r = client.get(f"/admin/people/person/{a.pk}/change/")
    assert r.status_code == 200
    assert 'name="user"' not in r.content.decode()
