"""Sign-ups with an idempotency key: a repeated request (a retry that got no answer, a form sent twice) is the first
sign-up, answered again; a key reused for other content is refused; no key works as before."""

from __future__ import annotations

import re
import threading

import pytest
from django.conf import settings
from django.db import IntegrityError, connections, transaction
from django.urls import reverse

from gongzhi.activities.models import Activity, Signup, SignupEvent
from gongzhi.activities.services import signup_create
from gongzhi.core import clock, events
from gongzhi.core.errors import DomainError
from gongzhi.notifications.models import Notification

from .conftest import make_volunteer

ON_POSTGRES = "postgresql" in settings.DATABASES["default"]["ENGINE"]


def _counts(activity) -> tuple[int, int]:
    activity = Activity.objects.get(pk=activity.pk)
    return activity.confirmed_count, activity.waitlist_count


def _sign_up(client, activity, key=None, **fields):
    body = {**fields, **({"idempotency_key": key} if key is not None else {})}
    return client.post(f"activities/{activity.pk}/signups", body)


# --- the API ---------------------------------------------------------------------------------------------------


def test_a_retry_with_the_same_key_returns_the_first_sign_up_and_records_nothing_more(make_activity, new_login):
    """Given a sign-up made with key k, when the same request comes again, then the answer is the first sign-up
    (201, the same id and status), and there is still one row, one event, one notification, one domain event."""
    activity = make_activity(capacity=5)
    client, profile = new_login("甲")
    seen = []
    handler = events.subscribe("activities.signup_changed", lambda **kw: seen.append(kw["signup"].pk))
    try:
        first = _sign_up(client, activity, "phone-7f3a", note="第一次")
        again = _sign_up(client, activity, "phone-7f3a", note="第一次")
    finally:
        events.unsubscribe("activities.signup_changed", handler)
    assert first.status_code == 201, first.content
    assert again.status_code == 201, again.content
    assert again.json() == first.json()
    assert first.json()["status"] == "confirmed"
    signup = Signup.objects.get(volunteer=profile)
    assert signup.pk == first.json()["id"] and signup.idempotency_key == "phone-7f3a"
    assert SignupEvent.objects.filter(signup=signup).count() == 1
    assert seen == [signup.pk]
    assert Notification.objects.filter(user_id=profile.person.user_id, kind="signup_confirmed").count() == 1
    assert _counts(activity) == (1, 0)


def test_a_replay_answers_the_sign_up_as_it_stands_now(make_activity, new_login):
    """The first sign-up was waitlisted and has since been promoted: the replay says confirmed, with the same id.
    After a cancellation the key still names that sign-up (cancelled); signing up again needs a new key."""
    activity = make_activity(capacity=1)
    first_client, _ = new_login("甲")
    client, profile = new_login("乙")
    taken = _sign_up(first_client, activity, "a-1").json()
    waiting = _sign_up(client, activity, "b-1").json()
    assert waiting["status"] == "waitlisted" and waiting["waitlist_position"] == 1
    first_client.post(f"activities/signups/{taken['id']}/cancel", {"reason": "临时有事"})
    replay = _sign_up(client, activity, "b-1")
    assert replay.status_code == 201
    assert replay.json()["id"] == waiting["id"]
    assert replay.json()["status"] == "confirmed" and replay.json()["waitlist_position"] is None
    client.post(f"activities/signups/{waiting['id']}/cancel", {"reason": "临时有事"})
    replay = _sign_up(client, activity, "b-1")
    assert (replay.status_code, replay.json()["id"], replay.json()["status"]) == (201, waiting["id"], "cancelled")
    fresh = _sign_up(client, activity, "b-2")
    assert fresh.status_code == 201 and fresh.json()["id"] != waiting["id"]
    assert Signup.objects.filter(volunteer=profile).count() == 2


def test_a_replay_is_answered_after_sign_up_has_closed(world, make_activity, new_login):
    """The first attempt went through, then the activity started and finished: the retry still gets its sign-up,
    not 'not open' — it is an answer about the past request, not a new one."""
    from gongzhi.activities.services import activity_finish, activity_start

    activity = make_activity()
    client, _ = new_login("甲")
    first = _sign_up(client, activity, "late-1").json()
    activity_start(activity=activity, actor=world.user("community"))
    activity_finish(activity=Activity.objects.get(pk=activity.pk), actor=world.user("community"))
    replay = _sign_up(client, activity, "late-1")
    assert replay.status_code == 201 and replay.json()["id"] == first["id"]
    other = _sign_up(client, make_activity(title="另一场"), "late-2")
    assert other.status_code == 201  # a new key is a new request, judged on its own
    closed = _sign_up(new_login("乙")[0], activity, "late-3")
    assert closed.status_code == 409 and closed.json()["code"] == "activities.not_open"


def test_the_same_key_for_another_activity_is_refused_and_saves_nothing(make_activity, new_login):
    """Key k made a sign-up for activity A; k sent for activity B is a 409 with a Chinese message that names the
    key, and B gets no sign-up, no event and no counted place."""
    a, b = make_activity(title="甲场"), make_activity(title="乙场")
    client, profile = new_login("甲")
    assert _sign_up(client, a, "k-1").status_code == 201
    r = _sign_up(client, b, "k-1")
    assert r.status_code == 409, r.content
    body = r.json()
    assert body["code"] == "activities.idempotency_conflict"
    assert body["detail"] == {"field": "idempotency_key", "idempotency_key": "k-1"}
    assert "请求编号" in body["message"] and "另一项报名" in body["message"]
    assert not Signup.objects.filter(activity=b).exists()
    assert _counts(b) == (0, 0)
    assert list(Signup.objects.filter(volunteer=profile).values_list("activity_id", flat=True)) == [a.pk]


def test_the_same_key_for_another_volunteer_is_refused(world, make_activity):
    """An organiser signing volunteers up reuses key k for a second volunteer: refused (409), the second volunteer
    is not signed up; the first sign-up stands."""
    activity = make_activity()
    organiser = world.user("community")
    one = make_volunteer(world, "张一", world.community_a)
    two = make_volunteer(world, "张二", world.community_a)
    first = signup_create(activity=activity, volunteer=one, actor=organiser, idempotency_key="desk-1")
    with pytest.raises(DomainError) as refused:
        signup_create(activity=activity, volunteer=two, actor=organiser, idempotency_key="desk-1")
    assert refused.value.code == "activities.idempotency_conflict" and refused.value.status == 409
    assert list(Signup.objects.filter(activity=activity).values_list("pk", flat=True)) == [first.pk]
    assert signup_create(activity=activity, volunteer=one, actor=organiser, idempotency_key="desk-1").pk == first.pk


def test_keys_belong_to_their_volunteer(make_activity, new_login):
    """Two volunteers whose apps happen to send the same key each get their own sign-up."""
    activity = make_activity()
    (one, _), (two, _) = new_login("甲"), new_login("乙")
    a, b = _sign_up(one, activity, "1"), _sign_up(two, activity, "1")
    assert a.status_code == b.status_code == 201
    assert a.json()["id"] != b.json()["id"]
    assert _counts(activity) == (2, 0)


def test_without_a_key_signing_up_twice_is_refused_as_before(make_activity, new_login):
    """No key: the second request is the 409 already_signed_up it has always been, and the row stores no key."""
    activity = make_activity()
    client, profile = new_login("甲")
    assert _sign_up(client, activity).status_code == 201
    r = _sign_up(client, activity)
    assert r.status_code == 409 and r.json()["code"] == "activities.already_signed_up"
    assert Signup.objects.get(volunteer=profile).idempotency_key == ""
    # and a keyed request for an activity already signed up without a key is refused the same way
    r = _sign_up(client, activity, "after-1")
    assert r.status_code == 409 and r.json()["code"] == "activities.already_signed_up"


def test_a_key_is_bounded_and_not_blank(world, make_activity, new_login, volunteer_user):
    """The API refuses an empty, blank or over-80-character key (422) and the service a blank or long one (400)."""
    activity = make_activity()
    client, _ = new_login("甲")
    for key in ("", "   ", "k" * 81):
        r = _sign_up(client, activity, key)
        assert r.status_code == 422, (key, r.content)
    assert _sign_up(client, activity, "k" * 80).status_code == 201
    for key in (" ", "k" * 81):
        with pytest.raises(DomainError) as refused:
            signup_create(activity=activity, volunteer=volunteer_user, actor=world.user("volunteer"),
                          idempotency_key=key)
        assert refused.value.status == 400 and refused.value.detail == {"field": "idempotency_key"}
    assert Signup.objects.filter(activity=activity).count() == 1


def test_one_key_per_volunteer_is_a_database_constraint(world, make_activity, volunteer_user):
    """Two rows with one volunteer's key cannot both be written, whatever the code above the database does; rows
    without a key are not constrained."""
    a, b = make_activity(title="甲场"), make_activity(title="乙场")
    now = clock.now()
    row = dict(volunteer=volunteer_user, status="cancelled", created_at=now, updated_at=now)
    Signup.objects.create(activity=a, idempotency_key="", **row)
    Signup.objects.create(activity=b, idempotency_key="", **row)
    Signup.objects.create(activity=a, idempotency_key="dup", **row)
    with pytest.raises(IntegrityError), transaction.atomic():
        Signup.objects.create(activity=b, idempotency_key="dup", **row)


def test_the_documented_schema_names_the_key_and_the_replay_answer(api):
    """The OpenAPI document shows the optional, bounded key and says what a replay answers."""
    doc = api("volunteer").get("/api/v1/openapi.json").json()
    schema = doc["components"]["schemas"]["activities.SignupIn"]
    key = schema["properties"]["idempotency_key"]
    assert "idempotency_key" not in schema.get("required", [])
    assert any(option.get("maxLength") == 80 and option.get("minLength") == 1 for option in key["anyOf"])
    assert "201" in key["description"] and "409" in key["description"]
    operation = doc["paths"]["/api/v1/activities/{activity_id}/signups"]["post"]
    assert "idempotency_key" in operation["description"] and "201" in operation["description"]


# --- the page --------------------------------------------------------------------------------------------------


def _page_key(page: str) -> str:
    found = re.search(r'name="idempotency_key" value="([0-9a-f]{32})"', page)
    assert found, "the sign-up form carries no key"
    return found.group(1)


def test_a_sign_up_form_sent_twice_makes_one_sign_up_and_shows_it(browser_login, make_activity, volunteer_user):
    """The page renders a fresh key into the form; posting that form twice (a double click) signs up once, and the
    second answer shows the sign-up instead of 'already signed up'."""
    activity = make_activity()
    client = browser_login("volunteer")
    url = reverse("activities:detail", args=[activity.pk])
    key = _page_key(client.get(url).content.decode())
    assert key != _page_key(client.get(url).content.decode())  # each rendering has its own
    form = {"note": "", "idempotency_key": key}
    first = client.post(reverse("activities:signup", args=[activity.pk]), form)
    second = client.post(reverse("activities:signup", args=[activity.pk]), form, follow=True)
    assert first.status_code == 302 and second.status_code == 200
    page = second.content.decode()
    assert "这份报名表已经提交过，报名状态：已录用" in page and "您已报名该活动" not in page
    assert "取消报名" in page
    signup = Signup.objects.get(activity=activity)
    assert signup.volunteer == volunteer_user and signup.idempotency_key == key
    assert SignupEvent.objects.filter(signup=signup).count() == 1
    assert _counts(activity) == (1, 0)


def test_a_form_without_a_key_behaves_as_before(browser_login, make_activity, volunteer_user):
    """A form rendered before keys existed (no field) signs up; sent again it is refused (400) as it always was."""
    activity = make_activity()
    client = browser_login("volunteer")
    assert client.post(reverse("activities:signup", args=[activity.pk]), {}).status_code == 302
    assert client.post(reverse("activities:signup", args=[activity.pk]), {}).status_code == 400
    assert Signup.objects.get(activity=activity).idempotency_key == ""


# --- concurrency (PostgreSQL: real parallel transactions) -----------------------------------------------------


def _in_parallel(calls) -> list:
    """Run each call in its own thread and connection, released together; their results or exceptions."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:  # noqa: BLE001 - returned to the test
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.mark.postgres_only
@pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_parallel_first_attempts_with_one_key_make_one_sign_up(world, make_activity):
    """Eight copies of one request (same volunteer, activity and key) at once: one sign-up, one event, one place;
    every copy is answered with it, exactly one as the request that made it."""
    activity = make_activity(capacity=5)
    volunteer = make_volunteer(world, "并发甲", world.community_a, user=world.user("volunteer"))
    actor = world.user("volunteer")
    results = _in_parallel([lambda: signup_create(activity=Activity.objects.get(pk=activity.pk), volunteer=volunteer,
                                                  actor=actor, idempotency_key="storm-1")] * 8)
    assert all(isinstance(r, Signup) for r in results), results
    assert {r.pk for r in results} == {Signup.objects.get(volunteer=volunteer).pk}
    assert sorted(r.replayed for r in results) == [False] + [True] * 7
    assert SignupEvent.objects.filter(signup__volunteer=volunteer).count() == 1
    assert _counts(activity) == (1, 0)


@pytest.mark.postgres_only
@pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_parallel_first_attempts_with_one_key_for_different_activities_make_one_sign_up(world, make_activity):
    """One key sent for four activities at once (each under its own activity lock): the unique constraint lets one
    through; the others wait on it and are refused as a reused key (409), leaving no sign-up and no counted place."""
    activities = [make_activity(title=f"第{n}场", capacity=5) for n in range(4)]
    volunteer = make_volunteer(world, "并发乙", world.community_a, user=world.user("volunteer"))
    actor = world.user("volunteer")
    results = _in_parallel([
        (lambda a=a: signup_create(activity=Activity.objects.get(pk=a.pk), volunteer=volunteer, actor=actor,
                                   idempotency_key="storm-2")) for a in activities])
    made = [r for r in results if isinstance(r, Signup)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(made) == 1 and len(refused) == 3, results
    assert {e.code for e in refused} == {"activities.idempotency_conflict"}
    assert list(Signup.objects.filter(volunteer=volunteer).values_list("pk", flat=True)) == [made[0].pk]
    assert sorted(_counts(a) for a in activities) == [(0, 0)] * 3 + [(1, 0)]
    # after the storm, the winner's retry is a replay and a loser's retry still a refusal
    winner = Activity.objects.get(pk=made[0].activity_id)
    assert signup_create(activity=winner, volunteer=volunteer, actor=actor, idempotency_key="storm-2").replayed
    loser = next(a for a in activities if a.pk != winner.pk)
    with pytest.raises(DomainError):
        signup_create(activity=loser, volunteer=volunteer, actor=actor, idempotency_key="storm-2")
