"""The check-in desk's hot path (issue 6 benchmark: ``python -m bench points``) in a pinned number of queries.

Check-in, check-out and the desk's confirmation — which writes the service record and, through
``hours.record_added``, the points of both slots (hours and category) and the report rollups — each answer in a
fixed budget, so a change that adds queries to the path shows here, not only in the benchmark."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongzhi.activities.models import Category
from gongzhi.hours.services import checkin_token
from gongzhi.hours.tests.factories import activity_in, local, sign_up, volunteer_for
from gongzhi.points import services
from gongzhi.points.models import Account, PointsTransaction

from .factories import adopt

# Per request, in a test's transaction (so each service's transaction shows as a SAVEPOINT/RELEASE pair), with the
# tokens' once-a-minute last-used stamp refreshed beforehand. Before issue 6 the same requests took 11, 13 and 75.
BUDGET = {"checkin": 7, "checkout": 7, "confirm": 22}


def test_check_in_out_and_confirm_stay_within_their_query_budget(api, world, monkeypatch):
    """R-V4, R-V5, R-J4: the whole flow works and each request stays within its budget."""
    at = {"now": local(2026, 5, 9, 9, 30)}
    monkeypatch.setattr("gongzhi.core.clock.now", lambda: at["now"])
    category = Category.objects.order_by("pk").first()
    adopt(world, effective_from=dt.date(2025, 1, 1), hour_points=1, category=category)
    vol = volunteer_for(world, user=world.user("volunteer"))
    services.account_for_person(vol.person)
    services.pool_for_unit(world.community_a)
    act = activity_in(world.community_a, starts_at=local(2026, 5, 9, 9), ends_at=local(2026, 5, 9, 12))
    sign_up(act, vol)
    v, desk = api("volunteer"), api("community")
    v.get("me/signups"), desk.get("me/signups")  # the tokens' last-used stamps are refreshed at most once a minute
    counts, bodies = {}, {}
    for name, call in (("checkin", lambda: v.post("checkins", {"token": checkin_token(act)})),
                       ("checkout", lambda: v.post("checkouts", {"token": checkin_token(act)})),
                       ("confirm", lambda: desk.post(f"activities/{act.pk}/confirm", {}))):
        if name == "checkout":
            at["now"] = local(2026, 5, 9, 11, 29)  # two hours later: the tokens' stamps are refreshed (not counted)
            v.get("me/signups"), desk.get("me/signups")
            at["now"] = local(2026, 5, 9, 11, 30)
        with CaptureQueriesContext(connection) as queries:
            r = call()
        assert r.status_code in (200, 201), r.content
        counts[name], bodies[name] = len(queries.captured_queries), r.json()
    assert bodies["checkout"]["hours"] == "2.0000"
    [record] = bodies["confirm"]
    assert record["hours"] == "2.0000"
    account = Account.objects.get(person=vol.person)
    assert account.balance == 2 + 3  # two hours at 1 point, and the category item's 3 points
    assert PointsTransaction.objects.filter(source_id=record["id"]).count() == 2
    assert counts == {k: min(counts[k], v) for k, v in BUDGET.items()}, counts
