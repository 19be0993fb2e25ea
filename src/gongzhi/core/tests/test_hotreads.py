"""The hand-written hot reads (core.hotreads) give exactly what their ORM querysets give — every column of the
model and of each related object, converted as the ORM converts them — in one statement, and take the same lock.
Run on SQLite and on PostgreSQL (make test runs both)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction
from django.db.utils import OperationalError
from django.test.utils import CaptureQueriesContext

from gongzhi.accounts import services as accounts
from gongzhi.accounts.models import ApiToken
from gongzhi.activities.models import Activity
from gongzhi.core import clock, hotreads
from gongzhi.hours import services as hours
from gongzhi.hours.tests.factories import activity_in, local, volunteer_for
from gongzhi.people.models import VolunteerProfile


def columns(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


def same(hot, orm, related: tuple[str, ...]) -> None:
    assert type(hot) is type(orm) and columns(hot) == columns(orm)
    assert hot._state.adding is False and hot._state.db == "default"
    for name in related:
        field = type(orm)._meta.get_field(name)
        assert field.is_cached(hot), name
        mine, theirs = field.get_cached_value(hot), getattr(orm, name)
        assert (columns(mine) if mine else None) == (columns(theirs) if theirs else None), name


def test_the_token_read_is_the_orm_read_in_one_statement(world):
    user = world.user("volunteer")
    _token, key = accounts.token_create(user=user, name="手机")
    digest = accounts._token_digest(key)
    orm = ApiToken.objects.select_related("user").get(key_digest=digest)
    with CaptureQueriesContext(connection) as queries:
        hot = accounts._ACTIVE_TOKEN.first([digest, True])
        assert hot.user.username == user.username  # cached with the token: no second query
    assert len(queries) == 1
    same(hot, orm, ("user",))
    assert accounts._ACTIVE_TOKEN.first(["0" * 64, True]) is None


def test_a_revoked_token_or_an_inactive_user_is_not_found(world):
    """As the queryset it replaces: revoked_at IS NULL and user.is_active."""
    user = world.user("volunteer")
    token, key = accounts.token_create(user=user, name="手机")
    assert accounts.token_authenticate(key) == user
    type(user).objects.filter(pk=user.pk).update(is_active=False)
    assert accounts.token_authenticate(key) is None
    type(user).objects.filter(pk=user.pk).update(is_active=True)
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=clock.now())
    assert accounts.token_authenticate(key) is None


def test_the_own_volunteer_read_is_the_orm_read(world):
    user = world.user("volunteer")
    vol = volunteer_for(world, user=user)
    orm = VolunteerProfile.objects.select_related("person", "unit").get(pk=vol.pk)
    with CaptureQueriesContext(connection) as queries:
        hot = hours.own_volunteer(user)
        assert (hot.person.name, hot.unit.code) == (orm.person.name, orm.unit.code)
    assert len(queries) == 1
    same(hot, orm, ("person", "unit"))


def test_an_actor_without_an_account_is_nobody_s_volunteer(world):
    """``person__user_id=None`` in the ORM means IS NULL (any volunteer without a login); the hand SQL's
    ``= NULL`` matches nothing, which is what the check-in needs."""
    volunteer_for(world)  # a volunteer with no login
    with pytest.raises(Exception) as refused:
        hours.own_volunteer(None)
    assert getattr(refused.value, "code", None) == "hours.not_volunteer"


def test_the_locked_activity_read_is_the_orm_read_with_decimals_and_datetimes_converted(world):
    act = activity_in(world.community_a, starts_at=local(2026, 5, 9, 9), ends_at=local(2026, 5, 9, 12))
    orm = Activity.objects.select_related("unit", "category").get(pk=act.pk)
    with transaction.atomic():
        hot = hours._lock_activity(Activity(pk=act.pk))
    same(hot, orm, ("unit", "category"))
    assert hot.starts_at == local(2026, 5, 9, 9) and hot.starts_at.tzinfo is not None
    assert str(hot.latitude) == "36.200000"
    with pytest.raises(Exception) as missing:
        hours._lock_activity(Activity(pk=act.pk + 10_000))
    assert getattr(missing.value, "code", None) == "not_found"


def test_a_nullable_relation_is_a_left_join_and_caches_none(world):
    act = activity_in(world.community_a, starts_at=local(2026, 5, 9, 9), ends_at=local(2026, 5, 9, 12))
    assert act.organiser_id is None
    read = hotreads.HotRead(Activity, related=("organiser",), where="t.id = %s")
    hot = read.first([act.pk])
    assert hot is not None and Activity._meta.get_field("organiser").is_cached(hot)
    with CaptureQueriesContext(connection) as queries:
        assert hot.organiser is None
    assert len(queries) == 0


def test_update_by_pk_writes_the_columns_and_the_object_and_nothing_else(world):
    user = world.user("volunteer")
    token, _key = accounts.token_create(user=user, name="手机")
    stamp = local(2026, 5, 9, 10)
    hotreads.update_by_pk(token, last_used_at=stamp)
    assert token.last_used_at == stamp
    fresh = ApiToken.objects.get(pk=token.pk)
    assert fresh.last_used_at == stamp and fresh.name == "手机" and fresh.revoked_at is None


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_the_activity_read_holds_the_activity_row_lock_and_only_that_row(world):
    """FOR UPDATE OF t: a second transaction cannot lock the activity, but can lock its community's Unit row (the
    check-ins of one community must not queue on the Unit)."""
    act = activity_in(world.community_a, starts_at=local(2026, 5, 9, 9), ends_at=local(2026, 5, 9, 12))
    outcome = {}

    def other():
        try:
            with transaction.atomic():
                with connections["default"].cursor() as c:
                    c.execute("SELECT id FROM org_unit WHERE id = %s FOR UPDATE NOWAIT", [act.unit_id])
                    outcome["unit"] = "locked"
                    try:
                        with transaction.atomic(), connections["default"].cursor() as c2:
                            c2.execute("SELECT id FROM activities_activity WHERE id = %s FOR UPDATE NOWAIT",
                                       [act.pk])
                        outcome["activity"] = "locked"
                    except OperationalError:
                        outcome["activity"] = "busy"
        finally:
            connections["default"].close()

    with transaction.atomic():
        hours._lock_activity(Activity(pk=act.pk))
        t = threading.Thread(target=other)
        t.start()
        t.join(30)
    assert outcome == {"unit": "locked", "activity": "busy"}


def test_the_signup_and_open_attendance_reads_are_the_orm_reads_latest_day_first(world):
    from gongzhi.activities.models import Signup, SignupStatus
    from gongzhi.hours.models import Attendance
    from gongzhi.hours.tests.factories import sign_up

    vol = volunteer_for(world, user=world.user("volunteer"))
    act = activity_in(world.community_a, starts_at=local(2026, 5, 9, 9), ends_at=local(2026, 5, 11, 12))
    assert hours.confirmed_signup(activity=act, volunteer=vol) is None
    signup = sign_up(act, vol, status=SignupStatus.PENDING)
    assert hours.confirmed_signup(activity=act, volunteer=vol) is None  # only a confirmed one counts
    Signup.objects.filter(pk=signup.pk).update(status=SignupStatus.CONFIRMED)
    same(hours.confirmed_signup(activity=act, volunteer=vol), Signup.objects.get(pk=signup.pk), ())
    assert hours.open_attendance(activity=act, volunteer=vol) is None
    made = [Attendance.objects.create(activity=act, signup=signup, volunteer=vol, day=local(2026, 5, d, 9).date(),
                                      checked_in_at=local(2026, 5, d, 9), in_method="qr", recorded_by=world.user(
                                          "volunteer")) for d in (10, 9, 11)]
    Attendance.objects.filter(pk=made[2].pk).update(checked_out_at=local(2026, 5, 11, 11))  # the 11th is closed
    orm = (Attendance.objects.filter(activity=act, volunteer=vol, checked_out_at__isnull=True)
           .order_by("-day", "-pk").first())
    assert orm.pk == made[0].pk  # the 10th: the latest open day
    same(hours.open_attendance(activity=act, volunteer=vol), orm, ())
    with transaction.atomic():
        same(hours.open_attendance(activity=act, volunteer=vol, lock=True), orm, ())


# --- the reads of a confirmation beyond the check-in's: scoped activity, roles, rules in force, rule items ---------


def test_the_confirming_read_of_an_activity_answers_as_get_scoped(world):
    """hours.selectors.activity_for_confirm reads by hand-written SQL and scopes in Python: the same instance as
    the ORM's, 404 for another community's activity or a missing or absurd id, 403 without the permission."""
    from gongzhi.core.errors import DomainError
    from gongzhi.hours import selectors

    mine = activity_in(world.community_a, starts_at=local(2026, 5, 9, 9), ends_at=local(2026, 5, 9, 12))
    theirs = activity_in(world.community_b, starts_at=local(2026, 5, 9, 9), ends_at=local(2026, 5, 9, 12))
    organiser = world.user("community")
    hot = selectors.activity_for_confirm(actor=organiser, pk=mine.pk)
    same(hot, Activity.objects.select_related("unit", "category").get(pk=mine.pk), ("unit", "category"))

    def code(actor, pk):
        with pytest.raises(DomainError) as refused:
            selectors.activity_for_confirm(actor=actor, pk=pk)
        return refused.value.code

    assert code(organiser, theirs.pk) == "not_found"
    assert code(organiser, theirs.pk + 10_000) == "not_found"
    assert code(organiser, 2**70) == "not_found"
    assert code(world.user("volunteer"), mine.pk) == "forbidden"


def test_the_role_read_is_the_orm_read_and_leaves_revoked_roles_out(world):
    from gongzhi.accounts import scoping
    from gongzhi.accounts.models import RoleAssignment
    from gongzhi.accounts.roles import Role

    user = world.user("community")
    RoleAssignment.objects.create(user=user, role=Role.COMMUNITY_WORKER, unit=world.community_b,
                                  revoked_at=clock.now())
    scoping.forget(user)
    orm = list(RoleAssignment.objects.filter(user_id=user.pk, revoked_at__isnull=True)
               .values_list("role", "unit__path", "unit_id"))
    assert sorted(scoping._role_paths(user)) == sorted(orm) and orm
    assert world.community_b.pk not in {unit_id for _r, _p, unit_id in scoping._role_paths(user)}


def test_the_rules_in_force_and_their_items_are_the_orm_reads(world):
    """points.selectors.ruleset_in_force: the nearest unit with rules, its latest version in force on the day (R-J1);
    ruleset_items: the items of a kind in the rule table's order, each knowing its rule set without a query."""
    import datetime as dt

    from gongzhi.points import selectors
    from gongzhi.points.models import RuleItem, RuleKind
    from gongzhi.points.tests.factories import adopt

    first = adopt(world, world.community_a, hour_points=1)
    second = adopt(world, world.community_a, hour_points=2, effective_from=dt.date(2026, 6, 1))
    street = adopt(world, world.street_b, hour_points=3)
    assert selectors.ruleset_in_force(world.grid_a, dt.date(2026, 5, 31)).pk == first.pk
    hot = selectors.ruleset_in_force(world.grid_a, dt.date(2026, 6, 1))
    same(hot, type(second).objects.select_related("unit").get(pk=second.pk), ("unit",))
    assert selectors.ruleset_in_force(world.community_b, dt.date(2026, 6, 1)).pk == street.pk
    assert selectors.ruleset_in_force(world.community_b, dt.date(2024, 12, 31)) is None
    for kind in (RuleKind.EARN, RuleKind.DEDUCT):
        items = selectors.ruleset_items(hot, kind)
        orm = list(hot.items.filter(kind=kind))
        assert [columns(i) for i in items] == [columns(i) for i in orm] and items
        with CaptureQueriesContext(connection) as queries:
            assert all(i.ruleset is hot and i.ruleset.unit.path == hot.unit.path for i in items)
        assert len(queries) == 0
    assert not RuleItem.objects.filter(ruleset=hot, kind="none").exists()


def test_the_attendance_a_desk_confirms_is_the_orm_read_with_its_volunteer_s_person_and_confirmed_flag(world):
    """A relation of a relation ("volunteer__person") is joined and cached as select_related caches it; a flag is
    what annotate(confirmed=Exists(…)) gives: False before the original record, True after."""
    from django.db.models import Exists, OuterRef

    from gongzhi.hours.models import Attendance, RecordKind, ServiceRecord
    from gongzhi.hours.tests.factories import sign_up

    vol = volunteer_for(world, user=world.user("volunteer"))
    act = activity_in(world.community_a, starts_at=local(2026, 5, 9, 9), ends_at=local(2026, 5, 9, 12))
    att = Attendance.objects.create(activity=act, signup=sign_up(act, vol), volunteer=vol, day=local(2026, 5, 9).date(),
                                    checked_in_at=local(2026, 5, 9, 9), checked_out_at=local(2026, 5, 9, 11),
                                    in_method="qr", recorded_by=world.user("volunteer"))

    def orm():
        return (Attendance.objects.filter(activity=act, pk=att.pk).select_related("volunteer__person")
                .annotate(confirmed=Exists(ServiceRecord.objects.filter(attendance=OuterRef("pk"),
                                                                        kind=RecordKind.ORIGINAL))).get())

    for confirmed in (False, True):
        with transaction.atomic():
            hot = hours._attendances_to_confirm(1).first([act.pk, att.pk])
        expected = orm()
        same(hot, expected, ("volunteer",))
        with CaptureQueriesContext(connection) as queries:
            person = hot.volunteer.person
        assert len(queries) == 0 and columns(person) == columns(expected.volunteer.person)
        assert hot.confirmed is confirmed is expected.confirmed
        with transaction.atomic():  # "confirm all" reads the closed attendances without an original
            assert [a.pk for a in hours._CLOSED_UNCONFIRMED.all([act.pk])] == ([] if confirmed else [att.pk])
        if not confirmed:
            hours.attendances_confirm(activity=act, actor=world.user("community"), attendance_ids=[att.pk])
    assert hours._attendances_to_confirm(1).first([act.pk + 10_000, att.pk]) is None  # another activity's: none


def test_the_current_record_check_counts_what_current_counts(world):
    """One counting record per volunteer, activity and day: an original or correction nobody superseded."""
    from gongzhi.hours.models import Attendance, ServiceRecord
    from gongzhi.hours.tests.factories import sign_up

    vol = volunteer_for(world, user=world.user("volunteer"))
    act = activity_in(world.community_a, starts_at=local(2026, 5, 9, 9), ends_at=local(2026, 5, 9, 12))
    day = local(2026, 5, 9).date()

    def both() -> tuple[bool, bool]:
        hot = hours._CURRENT_RECORD.first([act.pk, vol.pk, connection.ops.adapt_datefield_value(day)]) is not None
        return hot, ServiceRecord.objects.current().filter(activity=act, volunteer=vol, day=day).exists()

    assert both() == (False, False)
    att = Attendance.objects.create(activity=act, signup=sign_up(act, vol), volunteer=vol, day=day,
                                    checked_in_at=local(2026, 5, 9, 9), checked_out_at=local(2026, 5, 9, 11),
                                    in_method="qr", recorded_by=world.user("volunteer"))
    organiser = world.user("community")
    original, = hours.attendances_confirm(activity=act, actor=organiser, attendance_ids=[att.pk])
    assert both() == (True, True)
    corrected = hours.service_record_correct(record=original, hours="1.5", reason="核实更正", actor=organiser)
    assert both() == (True, True)  # the correction counts, the original no longer
    hours.service_record_revoke(record=corrected, reason="重复登记", actor=organiser)
    assert both() == (False, False)


def test_insert_many_is_bulk_create_with_the_new_keys_set(world):
    """The rows a points transaction writes: each value prepared as the ORM prepares it (auto_now_add included),
    the new primary keys in the objects' order, the objects then saved instances."""
    from gongzhi.points.models import Account, AccountKind

    before = clock.now()
    made = hotreads.insert_many([Account(kind=AccountKind.POOL, unit=u) for u in (world.street_a, world.street_b)])
    assert all(a.pk and a._state.adding is False and a._state.db == "default" for a in made)
    assert made[0].pk < made[1].pk
    for account in made:
        stored = Account.objects.get(pk=account.pk)
        assert columns(stored) == columns(account) and stored.balance == 0
        assert account.created_at >= before
    assert hotreads.insert_many([]) == []


def test_add_by_pk_moves_each_row_by_its_own_delta_and_no_other_row(world):
    from gongzhi.points.models import Account, AccountKind

    a, b, c = hotreads.insert_many([Account(kind=AccountKind.POOL, unit=u)
                                    for u in (world.street_a, world.street_b, world.district)])
    hotreads.add_by_pk(Account, "balance", {a.pk: 7, b.pk: -3})
    hotreads.add_by_pk(Account, "balance", {a.pk: 2**40})
    hotreads.add_by_pk(Account, "balance", {})
    assert dict(Account.objects.filter(pk__in=[a.pk, b.pk, c.pk]).values_list("pk", "balance")) == {
        a.pk: 7 + 2**40, b.pk: -3, c.pk: 0}
