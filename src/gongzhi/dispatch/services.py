"""Writes for the order board: create (社工派单, or from a dispatched appeal), take (接单, one winner), assign,
start, done, cancel; volunteers' service locations; the candidate table the ranking reads.

Row locks: an appeal's row before its order's (the appeals app's own take path locks the appeal and then, through
the event handler, the order), so the two paths never wait on each other in opposite orders.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _t

from gongzhi.accounts import scoping
from gongzhi.core import clock
from gongzhi.core.errors import CommonError
from gongzhi.notifications.services import notification_create
from gongzhi.org.models import Organisation, OrgKind, Unit
from gongzhi.people.models import Skill, TeamMembership, VolunteerProfile, VolunteerStatus

from . import permissions as perms
from . import ranking, rules
from .errors import DispatchError
from .models import ACTIVE_STATES, Candidate, Order, OrderEvent, OrderSource, OrderState, ServiceLocation

# --- helpers ---------------------------------------------------------------------------------------------------


def _event(order: Order, action: str, from_state: str, actor, note: str = "", **detail) -> OrderEvent:
    return OrderEvent.objects.create(order=order, action=action, from_state=from_state, to_state=order.state,
                                     actor=actor if getattr(actor, "is_authenticated", False) else None,
                                     at=clock.now(), note=(note or "")[:300], detail=detail)


def _lock(order: Order) -> Order:
    return Order.objects.select_for_update(of=("self",)).select_related("unit", "skill", "team").get(pk=order.pk)


def _lock_appeal_first(order: Order) -> None:
    if order.appeal_id:
        from gongzhi.appeals.models import Appeal

        list(Appeal.objects.select_for_update().filter(pk=order.appeal_id).values_list("pk", flat=True))


def _notify(user, title: str, body: str, order: Order) -> None:
    if user is not None:
        notification_create(user=user, kind="dispatch", title=title, body=body, url=f"/dispatch/orders/{order.pk}/")


def active_volunteer(actor) -> VolunteerProfile:
    """The actor's own volunteer profile, which must be active (在册) to take orders."""
    person = getattr(actor, "person", None) if getattr(actor, "is_authenticated", False) else None
    profile = VolunteerProfile.objects.select_related("unit", "person").filter(person=person).first() \
        if person is not None else None
    if profile is None or profile.status != VolunteerStatus.ACTIVE:
        raise DispatchError.NOT_VOLUNTEER.error()
    return profile


def board_root(profile: VolunteerProfile) -> str:
    """Volunteers serve within their home street (大事不出街道); a district-level volunteer the whole district."""
    from gongzhi.org.divisions import UnitKind, code_rules

    street = code_rules()[UnitKind.STREET].path_length
    path = profile.unit.path
    return path[:street] if len(path) > street else path


def team_ids(profile: VolunteerProfile) -> set[int]:
    return set(TeamMembership.objects.filter(person_id=profile.person_id, left_on__isnull=True)
               .values_list("team_id", flat=True))


def on_board_of(order: Order, profile: VolunteerProfile, teams: set[int] | None = None) -> bool:
    """May this volunteer see the order on their board (whether or not qualified)?"""
    teams = team_ids(profile) if teams is None else teams
    if order.team_id is not None:
        return order.team_id in teams
    return order.unit.path.startswith(board_root(profile))


def qualified(order: Order, profile: VolunteerProfile, teams: set[int] | None = None,
              skills: set[int] | None = None) -> bool:
    if profile.status != VolunteerStatus.ACTIVE:
        return False
    if order.team_id is not None and order.team_id not in (team_ids(profile) if teams is None else teams):
        return False
    if order.skill_id is not None:
        have = set(profile.skills.values_list("pk", flat=True)) if skills is None else skills
        if order.skill_id not in have:
            return False
    return True


def _require_worker(actor, order: Order) -> None:
    """Cancelling and assigning: a dispatcher of the order's unit, or the project's own social worker."""
    if order.project_id and order.project.social_worker_id == getattr(actor, "pk", None):
        return
    scoping.require(actor, perms.DISPATCH, order.unit)


def _coordinate(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value)).quantize(Decimal("0.000001"))
    except ArithmeticError as e:
        raise DispatchError.LOCATION_INVALID.error() from e


def _check_point(latitude, longitude) -> tuple[Decimal | None, Decimal | None]:
    lat, lng = _coordinate(latitude), _coordinate(longitude)
    if (lat is None) != (lng is None) or (lat is not None and not (-90 <= lat <= 90 and -180 <= lng <= 180)):
        raise DispatchError.LOCATION_INVALID.error(detail={"latitude": str(latitude), "longitude": str(longitude)})
    return lat, lng


# --- orders ----------------------------------------------------------------------------------------------------


@transaction.atomic
def order_create(*, actor, title: str, unit: Unit | None, description: str = "", address: str = "",
                 latitude=None, longitude=None, skill: Skill | None = None, team: Organisation | None = None,
                 project=None, due_at: dt.datetime | None = None) -> Order:
    """社工派单: a dispatcher of the unit — or the project's own social worker — posts an open order."""
    if not (title or "").strip():
        raise DispatchError.TITLE_EMPTY.error(detail={"field": "title"})
    if project is not None:
        if project.status == "finished":
            raise DispatchError.PROJECT_UNKNOWN.error(detail={"project": project.pk})
        unit = unit or project.unit
        if not unit.is_within(project.unit.path):
            raise DispatchError.PROJECT_UNIT.error(detail={"project": project.pk, "unit": unit.pk})
        if project.social_worker_id != getattr(actor, "pk", None):
            scoping.require(actor, perms.DISPATCH, unit)
    else:
        if unit is None:
            raise DispatchError.UNIT_MISSING.error(detail={"field": "unit_id"})
        scoping.require(actor, perms.DISPATCH, unit)
    if team is not None and (team.kind != OrgKind.TEAM or not team.active):
        raise DispatchError.TEAM_UNKNOWN.error(detail={"team": team.pk})
    lat, lng = _check_point(latitude, longitude)
    order = Order.objects.create(
        title=title.strip()[:120], description=(description or "").strip(), unit=unit, address=address[:200],
        latitude=lat, longitude=lng, skill=skill, team=team, project=project, due_at=due_at,
        source=OrderSource.PROJECT if project is not None else OrderSource.MANUAL, created_by=actor,
        created_at=clock.now())
    _event(order, "create", "", actor)
    return order


def _order_from_appeal(appeal, actor) -> Order:
    """An open order for an appeal dispatched to a team or to the board; only what the task needs (R-H7: no
    reporter name or phone)."""
    code = rules.CATEGORY_SKILLS.get(appeal.category.code)
    skill = Skill.objects.filter(code=code).first() if code else None
    title = f"{appeal.category.name}：{appeal.description[:40]}"
    order = Order.objects.create(
        title=title[:120], description=appeal.description, unit=appeal.assignee_unit or appeal.unit,
        address=appeal.address, latitude=appeal.latitude, longitude=appeal.longitude, skill=skill,
        team=appeal.assignee_team, source=OrderSource.APPEAL, appeal=appeal, due_at=appeal.reply_due_at,
        created_by=actor, created_at=clock.now())
    _event(order, "create", "", actor, appeal=appeal.number)
    return order


def _mark_taken(order: Order, *, user, actor, action: str, note: str = "") -> Order:
    from_state = order.state
    order.state, order.taker, order.taken_at = OrderState.TAKEN, user, clock.now()
    order.assigned_by = actor if action == "assign" else None
    order.save(update_fields=["state", "taker", "taken_at", "assigned_by"])
    _event(order, action, from_state, actor, note, user=user.pk)
    return order


def _announce_taken(order: Order, *, assigned: bool) -> None:
    taker_name = getattr(order.taker, "display_name", "") or order.taker.get_username()
    if assigned:
        _notify(order.taker, _t("您被指派了一项任务：%(title)s") % {"title": order.title},
                _t("请尽快联系处置，完成后在“接单”页标记完成。"), order)
    else:
        _notify(order.taker, _t("接单成功：%(title)s") % {"title": order.title},
                _t("请尽快联系处置，完成后在“接单”页标记完成。"), order)
    if order.created_by_id and order.created_by_id != order.taker_id:
        _notify(order.created_by, _t("任务已被接单：%(title)s") % {"title": order.title},
                _t("接单人：%(name)s") % {"name": taker_name}, order)


def _refuse_unless_open(order: Order) -> None:
    if order.state in (OrderState.TAKEN, OrderState.DONE):
        raise DispatchError.ALREADY_TAKEN.error(detail={"order": order.pk, "state": order.state})
    if order.state != OrderState.OPEN:
        raise DispatchError.NOT_OPEN.error(detail={"order": order.pk, "state": order.state})


@transaction.atomic
def order_take(*, order: Order, actor, note: str = "") -> Order:
    """志愿者接单: the first qualified volunteer wins; the row lock serialises takers, the others get 409.

    Taking an appeal's order takes the appeal too (``appeals.services.appeal_take``), in this transaction."""
    profile = active_volunteer(actor)
    _lock_appeal_first(order)
    order = _lock(order)
    teams = team_ids(profile)
    if not on_board_of(order, profile, teams):
        raise CommonError.NOT_FOUND.error()
    _refuse_unless_open(order)
    if not qualified(order, profile, teams):
        raise DispatchError.NOT_QUALIFIED.error(detail={"order": order.pk, "skill": order.skill_id,
                                                        "team": order.team_id})
    _mark_taken(order, user=actor, actor=actor, action="take", note=note)
    if order.appeal_id:
        from gongzhi.appeals import services as appeal_services

        appeal_services.appeal_take(appeal=order.appeal, actor=actor, note=note)
    _announce_taken(order, assigned=False)
    candidate_load_refresh(user_ids=[actor.pk])
    return order


@transaction.atomic
def order_assign(*, order: Order, actor, volunteer: VolunteerProfile, note: str = "") -> Order:
    """指派: a dispatcher gives an open order to a qualified volunteer directly (e.g. the top suggestion)."""
    _lock_appeal_first(order)
    order = _lock(order)
    _require_worker(actor, order)
    _refuse_unless_open(order)
    if not qualified(order, volunteer):
        raise DispatchError.NOT_QUALIFIED.error(detail={"order": order.pk, "volunteer": volunteer.pk})
    user = volunteer.person.user
    if user is None:
        raise DispatchError.VOLUNTEER_NO_LOGIN.error(detail={"volunteer": volunteer.pk})
    _mark_taken(order, user=user, actor=actor, action="assign", note=note)
    if order.appeal_id:
        from gongzhi.appeals import services as appeal_services

        appeal_services.appeal_take(appeal=order.appeal, actor=user,
                                    note=_t("由%(name)s指派") % {"name": actor.display_name or actor.get_username()})
    _announce_taken(order, assigned=True)
    candidate_load_refresh(user_ids=[user.pk])
    return order


def _require_taker_or_worker(actor, order: Order) -> None:
    if order.taker_id == getattr(actor, "pk", None):
        return
    if not scoping.can(actor, perms.DISPATCH, order.unit):
        if scoping.can(actor, perms.VIEW, order.unit):
            raise CommonError.FORBIDDEN.error(detail={"permission": perms.DISPATCH})
        raise CommonError.NOT_FOUND.error()


@transaction.atomic
def order_start(*, order: Order, actor, note: str = "") -> Order:
    """First action (上门/联系): the "马上" clock stops here. For an appeal's order the appeal starts (办理)."""
    _lock_appeal_first(order)
    order = _lock(order)
    _require_taker_or_worker(actor, order)
    if order.state != OrderState.TAKEN or order.first_action_at is not None:
        raise DispatchError.NOT_OPEN.error(detail={"order": order.pk, "state": order.state})
    if order.appeal_id:
        from gongzhi.appeals import services as appeal_services

        appeal_services.appeal_start(appeal=order.appeal, actor=actor, note=note)  # the handler marks the order
        order.refresh_from_db()
        return order
    return _mark_started(order, actor, note)


def _mark_started(order: Order, actor, note: str = "") -> Order:
    order.first_action_at = clock.now()
    order.save(update_fields=["first_action_at"])
    _event(order, "start", order.state, actor, note)
    return order


@transaction.atomic
def order_done(*, order: Order, actor, note: str = "") -> Order:
    """完成. For an appeal's order the appeal is resolved (处置) — started first if nobody had."""
    _lock_appeal_first(order)
    order = _lock(order)
    _require_taker_or_worker(actor, order)
    if order.state != OrderState.TAKEN:
        raise DispatchError.NOT_OPEN.error(detail={"order": order.pk, "state": order.state})
    if order.appeal_id:
        from gongzhi.appeals import services as appeal_services

        if order.first_action_at is None:
            appeal_services.appeal_start(appeal=order.appeal, actor=actor)
        appeal_services.appeal_resolve(appeal=order.appeal, actor=actor, note=note)
        order.refresh_from_db()
        return order
    if order.first_action_at is None:
        _mark_started(order, actor)
    return _mark_done(order, actor, note)


def _mark_done(order: Order, actor, note: str = "") -> Order:
    from_state = order.state
    order.state, order.done_at = OrderState.DONE, clock.now()
    order.save(update_fields=["state", "done_at"])
    _event(order, "done", from_state, actor, note)
    if order.created_by_id and order.created_by_id != getattr(actor, "pk", None):
        _notify(order.created_by, _t("任务已完成：%(title)s") % {"title": order.title}, note, order)
    return order


@transaction.atomic
def order_cancel(*, order: Order, actor, note: str = "") -> Order:
    """取消 an open or taken order. An appeal's order follows its appeal (re-dispatch or reject it there)."""
    order = _lock(order)
    _require_worker(actor, order)
    if order.appeal_id:
        raise DispatchError.APPEAL_ORDER.error(detail={"appeal": order.appeal_id})
    if order.state not in ACTIVE_STATES:
        raise DispatchError.NOT_OPEN.error(detail={"order": order.pk, "state": order.state})
    taker = order.taker
    _mark_cancelled(order, actor, note)
    if taker is not None:
        _notify(taker, _t("任务已取消：%(title)s") % {"title": order.title}, note, order)
        candidate_load_refresh(user_ids=[taker.pk])
    return order


def _mark_cancelled(order: Order, actor, note: str = "") -> Order:
    from_state = order.state
    order.state, order.cancelled_at = OrderState.CANCELLED, clock.now()
    order.save(update_fields=["state", "cancelled_at"])
    _event(order, "cancel", from_state, actor, note)
    return order


# --- following appeals (subscribed to appeals.state_changed in apps.py) -------------------------------------------


def on_appeal_state_changed(*, appeal, from_state: str, to_state: str, **_payload) -> None:
    """Keep the appeal's order in step: dispatched to a team or the board → an open order; taken elsewhere →
    taken; started → first action; resolved → done; rejected / merged / closed → cancelled."""
    live = Order.objects.select_for_update().filter(appeal=appeal, state__in=ACTIVE_STATES).first()
    event = appeal.events.order_by("-pk").first()
    actor = event.actor if event is not None else None
    if to_state == "dispatched":
        if appeal.assignee_user_id is None:
            if live is not None and live.state == OrderState.OPEN and live.team_id == appeal.assignee_team_id \
                    and live.unit_id == (appeal.assignee_unit_id or appeal.unit_id):
                return
            if live is not None:
                _mark_cancelled(live, actor, _t("诉求已改派"))
            _order_from_appeal(appeal, actor)
        elif live is not None and live.state == OrderState.OPEN:
            _mark_taken(live, user=appeal.assignee_user, actor=actor, action="take")
            _announce_taken(live, assigned=actor is not None and actor.pk != appeal.assignee_user_id)
            candidate_load_refresh(user_ids=[appeal.assignee_user_id])
    elif live is None:
        return
    elif to_state == "in_progress" and live.state == OrderState.TAKEN and live.first_action_at is None:
        _mark_started(live, actor)
    elif to_state == "resolved" and live.state == OrderState.TAKEN:
        if live.first_action_at is None:
            _mark_started(live, actor)
        _mark_done(live, actor)
    elif to_state in ("rejected", "merged", "closed", "accepted") and live.state == OrderState.OPEN:
        _mark_cancelled(live, actor, _t("诉求已%(state)s") % {"state": appeal.get_state_display()})


# --- volunteers' service location -----------------------------------------------------------------------------


@transaction.atomic
def service_location_set(*, actor, latitude, longitude, label: str = "") -> ServiceLocation:
    """A volunteer declares where they serve from (their own choice; used only to rank distance)."""
    profile = active_volunteer(actor)
    lat, lng = _check_point(latitude, longitude)
    if lat is None:
        raise DispatchError.LOCATION_INVALID.error(detail={"field": "latitude"})
    location, _created = ServiceLocation.objects.update_or_create(
        volunteer=profile, defaults={"latitude": lat, "longitude": lng, "label": label[:100],
                                     "updated_at": clock.now()})
    candidate_refresh(profiles=[profile])
    return location


# --- the candidate table ---------------------------------------------------------------------------------------


class _UnitPoints:
    """Unit centres, inherited from the nearest ancestor with coordinates (grids often have none)."""

    def __init__(self):
        self._by_path = {p: (float(lat), float(lng)) for p, lat, lng in Unit.objects.filter(
            latitude__isnull=False, longitude__isnull=False).values_list("path", "latitude", "longitude")}
        self._paths = dict(Unit.objects.values_list("pk", "path"))
        self._memo: dict[int, tuple[float, float] | None] = {}
        from gongzhi.org.divisions import code_rules

        self._lengths = sorted({r.path_length for r in code_rules().values()})

    def of(self, unit_id: int) -> tuple[float, float] | None:
        if unit_id not in self._memo:
            path = self._paths.get(unit_id) or ""
            point = None
            while path and point is None:
                point = self._by_path.get(path)
                shorter = [n for n in self._lengths if n < len(path)]
                path = path[:shorter[-1]] if shorter else ""
            self._memo[unit_id] = point
        return self._memo[unit_id]


def _loads(user_ids) -> dict[int, int]:
    since = clock.now() - dt.timedelta(days=rules.LOAD_DAYS)
    rows = (Order.objects.filter(taker_id__in=user_ids, taken_at__gte=since,
                                 state__in=(OrderState.TAKEN, OrderState.DONE))
            .values("taker_id").annotate(n=Count("pk")))
    return {r["taker_id"]: r["n"] for r in rows}


def candidate_rows(profiles: list[VolunteerProfile], points: _UnitPoints | None = None) -> list[Candidate]:
    """Compute (not save) candidate rows for these volunteers from people's tables and this app's orders."""
    points = points or _UnitPoints()
    ids = [p.pk for p in profiles]
    skills: dict[int, list[int]] = {}
    for vid, sid in VolunteerProfile.skills.through.objects.filter(volunteerprofile_id__in=ids).values_list(
            "volunteerprofile_id", "skill_id"):
        skills.setdefault(vid, []).append(sid)
    located = {vid: (float(lat), float(lng)) for vid, lat, lng in ServiceLocation.objects.filter(
        volunteer_id__in=ids).values_list("volunteer_id", "latitude", "longitude")}
    users = {p.pk: p.person.user_id for p in profiles}
    loads = _loads([u for u in users.values() if u])
    now = clock.now()
    out = []
    for p in profiles:
        lat, lng = located.get(p.pk) or points.of(p.unit_id) or (None, None)
        mine = skills.get(p.pk, [])
        extra = sorted(s for s in mine if not ranking.skill_bit(s))
        out.append(Candidate(
            volunteer_id=p.pk, person_id=p.person_id, user_id=users[p.pk], unit_id=p.unit_id, latitude=lat,
            longitude=lng, cell=ranking.cell_of(lat, lng), skills_mask=sum(ranking.skill_bit(s) for s in mine),
            skills_extra=("," + ",".join(map(str, extra)) + ",") if extra else "",
            availability_mask=ranking.availability_mask(p.availability), recent_load=loads.get(users[p.pk], 0),
            active=p.status == VolunteerStatus.ACTIVE, refreshed_at=now))
    return out


_FIELDS = ["person_id", "user_id", "unit_id", "latitude", "longitude", "cell", "skills_mask", "skills_extra",
           "availability_mask", "recent_load", "active", "refreshed_at"]


def _save(rows: list[Candidate]) -> None:
    Candidate.objects.bulk_create(rows, update_conflicts=True, unique_fields=["volunteer"], update_fields=_FIELDS,
                                  batch_size=2000)


def candidate_refresh(*, profiles: list[VolunteerProfile]) -> list[Candidate]:
    """Recompute and store the rows of these volunteers (after a take, a location change, or on the fly)."""
    profiles = list(VolunteerProfile.objects.filter(pk__in=[p.pk for p in profiles]).select_related("person"))
    rows = candidate_rows(profiles)
    _save(rows)
    return rows


def candidate_load_refresh(*, user_ids: list[int]) -> None:
    """Recent load of these users' candidate rows, recounted from the orders."""
    loads = _loads(user_ids)
    for uid in user_ids:
        Candidate.objects.filter(user_id=uid).update(recent_load=loads.get(uid, 0))


def candidates_rebuild(*, batch: int = 5000, log=lambda _m: None) -> int:
    """``gongzhi dispatch --rebuild-candidates``: every volunteer's row from scratch, in batches of ``batch``."""
    points = _UnitPoints()
    last, total = 0, 0
    while True:
        with transaction.atomic():
            profiles = list(VolunteerProfile.objects.filter(pk__gt=last).select_related("person")
                            .only("pk", "person_id", "person__user_id", "unit_id", "availability", "status")
                            .order_by("pk")[:batch])
            if not profiles:
                break
            _save(candidate_rows(profiles, points))
        last, total = profiles[-1].pk, total + len(profiles)
        log(f"{total} candidates")
    return total  # rows of removed volunteers go with them (one-to-one, on delete cascade)


def candidate_loads_expire(now=None) -> int:
    """Daily: orders older than the load window stop counting (rows with a load are few)."""
    users = list(Candidate.objects.filter(recent_load__gt=0, user_id__isnull=False).values_list("user_id", flat=True))
    loads = _loads(users)
    changed = 0
    for uid in users:
        changed += Candidate.objects.filter(user_id=uid).exclude(recent_load=loads.get(uid, 0)).update(
            recent_load=loads.get(uid, 0))
    return changed
