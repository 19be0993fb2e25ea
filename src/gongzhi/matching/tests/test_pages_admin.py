"""The back office for the three lists: scoped like the pages (a community worker sees their units' rows only) and
read-only (changes go through the services)."""

from __future__ import annotations

from django.contrib.auth.models import Permission

from gongzhi.matching import services

MODELS = ["need", "resource", "project", "match", "needevent", "matchevent", "projectevent"]


def _staff(client, world, name: str):
    user = world.user(name)
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="matching",
                                                         codename__startswith="view_"))
    client.force_login(user, backend="gongzhi.accounts.backends.PhoneOrUsernameBackend")
    return client


def test_admin_lists_are_scoped_and_read_only(client, world, lists):
    d = world.user("district")
    mine = services.match_propose(need=lists.need(title="永兴的需求"), resource=lists.resource(name="永兴的超市"),
                                  actor=d)
    services.match_propose(need=lists.need(unit=world.community_b, title="洪沟的需求"),
                           resource=lists.resource(unit=world.community_b, name="洪沟的超市"), actor=d)
    staff = _staff(client, world, "community")
    for model in MODELS:
        r = staff.get(f"/admin/matching/{model}/")
        assert r.status_code == 200, model
        html = r.content.decode()
        assert "洪沟" not in html, model
        assert staff.get(f"/admin/matching/{model}/add/").status_code == 403, model
    assert "永兴的需求" in staff.get("/admin/matching/need/").content.decode()
    assert staff.get(f"/admin/matching/match/{mine.pk}/change/").status_code == 200
    assert staff.post(f"/admin/matching/match/{mine.pk}/delete/").status_code == 403
