"""Reads for activities and sign-ups, always scoped to the actor.

Two kinds of readers: workers (``activities.view``) see every activity of their subtrees, drafts included; volunteers
and residents see the published, ongoing and finished activities open to them by the audience rule, plus those they
signed up for. Everything else is not found.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from gongzhi.accounts import scoping
from gongzhi.core.errors import CommonError
from gongzhi.org.divisions import UnitKind
from gongzhi.org.models import Organisation, OrgKind, Unit
from gongzhi.people.models import Person, TeamMembership, TeamRole, VolunteerProfile

from . import permissions as perms
from .models import (
    ACTIVE_SIGNUP,
    Activity,
    ActivityStatus,
    Audience,
    BeneficiaryCount,
    Category,
    InsurancePolicy,
    Project,
    Signup,
    SignupStatus,
)

PATH = "unit__path"
PUBLIC_STATUSES = (ActivityStatus.PUBLISHED, ActivityStatus.ONGOING, ActivityStatus.FINISHED)
OPEN_STATUSES = (ActivityStatus.PUBLISHED, ActivityStatus.ONGOING)
DISTRICT_PATH_LENGTH = 6


# --- who may organise ----------------------------------------------------------------------------------------


def leads_team(actor, team: Organisation | None) -> bool:
    """The actor is the current leader of ``team`` (people.TeamMembership with role leader)."""
    if team is None or team.kind != OrgKind.TEAM or not getattr(actor, "is_authenticated", False):
        return False
    return TeamMembership.objects.filter(team=team, role=TeamRole.LEADER, left_on__isnull=True,
                                         person__user_id=actor.pk).exists()


def can_organise(actor, *, unit: Unit, organiser: Organisation | None) -> bool:
    """Workers organise anything in their units; a team leader only the activities of the teams they lead."""
    if scoping.can(actor, perms.MANAGE_ANY, unit):
        return True
    return scoping.can(actor, perms.MANAGE, unit) and leads_team(actor, organiser)


def require_organise(actor, *, unit: Unit, organiser: Organisation | None) -> None:
    scoping.require(actor, perms.MANAGE, unit)
    if not can_organise(actor, unit=unit, organiser=organiser):
        raise CommonError.FORBIDDEN.error(
            detail={"permission": perms.MANAGE, "reason": "not_team_leader"},
            message=CommonError.FORBIDDEN.message,
        )


# --- the audience rule ---------------------------------------------------------------------------------------


def community_root(unit: Unit) -> str:
    """The path whose subtree a community-audience activity recruits from: a grid's community, else the unit."""
    if unit.kind == UnitKind.GRID:
        for path in reversed(unit.ancestors_paths()):
            if len(path) < len(unit.path):
                return path
    return unit.path


def audience_allows(activity: Activity, *, home: Unit, person: Person) -> bool:
    """Whether a volunteer living in ``home`` may join ``activity`` by its audience (team / community / public)."""
    if activity.audience == Audience.TEAM:
        return activity.organiser_id is not None and TeamMembership.objects.filter(
            team_id=activity.organiser_id, person=person, left_on__isnull=True).exists()
    if activity.audience == Audience.COMMUNITY:
        return home.path.startswith(community_root(activity.unit))
    return home.path[:DISTRICT_PATH_LENGTH] == activity.unit.path[:DISTRICT_PATH_LENGTH]


def _audience_q(*, home: Unit, person: Person) -> Q:
    """The SQL form of :func:`audience_allows` for one reader."""
    own_and_above = [*home.ancestors_paths(), home.path]
    community = Q(unit__path__in=own_and_above)
    for path in own_and_above:
        if len(path) > DISTRICT_PATH_LENGTH + 3:  # grids below the reader's community recruit there too
            community |= Q(unit__kind=UnitKind.GRID, unit__parent__path=path)
    teams = TeamMembership.objects.filter(person=person, left_on__isnull=True).values("team_id")
    return (
        Q(audience=Audience.PUBLIC, unit__path__startswith=home.path[:DISTRICT_PATH_LENGTH])
        | (Q(audience=Audience.COMMUNITY) & community)
        | Q(audience=Audience.TEAM, organiser_id__in=teams)
    )


@dataclass
class Reader:
    """The actor as a volunteer or resident: their person record, volunteer profile and home unit (any may be None)."""

    person: Person | None
    volunteer: VolunteerProfile | None

    @property
    def home(self) -> Unit | None:
        if self.volunteer is not None:
            return self.volunteer.unit
        return self.person.unit if self.person is not None else None


def reader(actor) -> Reader:
    cached = getattr(actor, "_activities_reader", None)
    if cached is not None:
        return cached
    person = None
    volunteer = None
    if getattr(actor, "is_authenticated", False):
        person = Person.objects.select_related("unit").filter(user_id=actor.pk).first()
        if person is not None:
            volunteer = VolunteerProfile.objects.select_related("unit", "person").filter(person=person).first()
    out = Reader(person=person, volunteer=volunteer)
    if getattr(actor, "is_authenticated", False):
        actor._activities_reader = out
    return out


def _require_reader(actor) -> Reader:
    """403 for a login that is neither a worker with ``activities.view`` nor linked to a resident record."""
    me = reader(actor)
    if me.person is None and not scoping.has_anywhere(actor, perms.VIEW):
        raise CommonError.FORBIDDEN.error(detail={"permission": perms.VIEW})
    return me


def visible_q(actor) -> Q:
    me = reader(actor)
    q = scoping.scope_q(actor, perms.VIEW, PATH)
    if me.person is not None:
        q |= Q(status__in=PUBLIC_STATUSES) & _audience_q(home=me.home, person=me.person)
    if me.volunteer is not None:
        q |= Q(pk__in=Signup.objects.filter(volunteer=me.volunteer).values("activity_id"))
    return q


# --- activities ----------------------------------------------------------------------------------------------


def activity_list(*, actor, status: str | None = None, category: str | None = None, unit_path: str | None = None,
                  q: str = "", date_from: dt.date | None = None, date_to: dt.date | None = None,
                  open_only: bool = False) -> QuerySet:
    _require_reader(actor)
    qs = Activity.objects.filter(visible_q(actor))
    if status:
        qs = qs.filter(status=status)
    if open_only:
        qs = qs.filter(status__in=OPEN_STATUSES)
    if category:
        qs = qs.filter(category__code=category)
    if unit_path:
        from gongzhi.org.selectors import under_q

        qs = qs.filter(under_q(unit_path, PATH))
    if q:
        qs = qs.filter(Q(title__contains=q) | Q(project__name__contains=q) | Q(address__contains=q))
    if date_from:
        qs = qs.filter(ends_at__date__gte=date_from)
    if date_to:
        qs = qs.filter(starts_at__date__lte=date_to)
    return qs.select_related("unit", "category", "organiser", "project").order_by("-starts_at", "-pk")


def activity_get_for(actor, pk: int) -> Activity:
    """One activity the actor may see; anything else is not found."""
    _require_reader(actor)
    activity = (Activity.objects.filter(visible_q(actor), pk=pk)
                .select_related("unit", "unit__parent", "category", "organiser", "project").first())
    if activity is None:
        raise CommonError.NOT_FOUND.error()
    return activity


def activity_for_organiser(actor, pk: int) -> Activity:
    """An activity the actor may manage: not visible → 404, visible but not theirs to organise → 403."""
    activity = activity_get_for(actor, pk)
    require_organise(actor, unit=activity.unit, organiser=activity.organiser)
    return activity


def can_manage(actor, activity: Activity) -> bool:
    return can_organise(actor, unit=activity.unit, organiser=activity.organiser)


def activity_events(activity: Activity) -> QuerySet:
    return activity.events.select_related("actor").order_by("at", "pk")


def categories() -> QuerySet:
    return Category.objects.filter(active=True).order_by("sort", "code")


def project_list(*, actor) -> QuerySet:
    scoping.require(actor, perms.VIEW)
    return scoping.scope(Project.objects.all(), actor, perms.VIEW, PATH).select_related(
        "unit", "category", "organiser").order_by("-starts_on", "pk")


def project_get_for(actor, pk: int) -> Project:
    return scoping.get_scoped(Project.objects.select_related("unit"), actor, perms.VIEW, PATH, pk=pk)


def organisers_for(actor) -> QuerySet:
    """Teams and organisations the actor may name as organiser (teams they lead, or any in their units)."""
    any_q = scoping.scope_q(actor, perms.MANAGE_ANY, PATH)
    led = TeamMembership.objects.filter(role=TeamRole.LEADER, left_on__isnull=True,
                                        person__user_id=actor.pk).values("team_id")
    return Organisation.objects.filter(any_q | Q(pk__in=led), active=True).select_related("unit").order_by(
        "unit__path", "name")


def units_for_organising(actor) -> QuerySet:
    return scoping.units_for(actor, perms.MANAGE).order_by("path")


# --- sign-ups ------------------------------------------------------------------------------------------------


def signup_list(*, actor, activity: Activity) -> QuerySet:
    """An activity's sign-ups for its organisers and the workers of its units (phones masked by the presenter)."""
    scoping.require(actor, perms.VIEW, activity.unit)
    return activity.signups.select_related("volunteer", "volunteer__person", "volunteer__unit").order_by("pk")


def signup_get_for(actor, pk: int) -> Signup:
    """A sign-up the actor may act on: their own, or one of an activity they may see as a worker."""
    signup = Signup.objects.select_related("activity", "activity__unit", "activity__organiser", "volunteer",
                                           "volunteer__person").filter(pk=pk).first()
    if signup is None:
        _require_reader(actor)
        raise CommonError.NOT_FOUND.error()
    if signup.volunteer.person.user_id is not None and signup.volunteer.person.user_id == actor.pk:
        return signup
    if not scoping.can(actor, perms.VIEW, signup.activity.unit):
        _require_reader(actor)
        raise CommonError.NOT_FOUND.error()
    return signup


def my_signups(*, actor, live_only: bool = False) -> QuerySet:
    me = reader(actor)
    if me.volunteer is None:
        return Signup.objects.none()
    qs = Signup.objects.filter(volunteer=me.volunteer)
    if live_only:
        qs = qs.filter(status__in=ACTIVE_SIGNUP)
    return qs.select_related("activity", "activity__unit", "activity__category").order_by("-activity__starts_at", "-pk")


def my_signup_for(*, actor, activity: Activity) -> Signup | None:
    me = reader(actor)
    if me.volunteer is None:
        return None
    return (Signup.objects.filter(activity=activity, volunteer=me.volunteer)
            .order_by("-pk").first())


def waitlist_position(signup: Signup) -> int | None:
    if signup.status != SignupStatus.WAITLISTED:
        return None
    return Signup.objects.filter(activity_id=signup.activity_id, status=SignupStatus.WAITLISTED,
                                 pk__lt=signup.pk).count() + 1


# --- beneficiaries and insurance -----------------------------------------------------------------------------


def beneficiaries_current(activity: Activity) -> QuerySet:
    """The figures nobody supersedes, one per group."""
    return BeneficiaryCount.objects.filter(activity=activity, superseded_by__isnull=True).order_by("group", "pk")


def beneficiaries_history(activity: Activity) -> QuerySet:
    return BeneficiaryCount.objects.filter(activity=activity).select_related("recorded_by").order_by("pk")


def policy_list(*, actor) -> QuerySet:
    scoping.require(actor, perms.INSURANCE)
    return scoping.scope(InsurancePolicy.objects.all(), actor, perms.INSURANCE, PATH).select_related(
        "unit").prefetch_related("activities").order_by("-starts_on", "pk")


def policy_get_for(actor, pk: int) -> InsurancePolicy:
    return scoping.get_scoped(InsurancePolicy.objects.select_related("unit"), actor, perms.INSURANCE, PATH, pk=pk)


def covering_policy(activity: Activity) -> InsurancePolicy | None:
    """R-V10: a policy naming the activity, or a blanket policy of its unit or above, covering all its days."""
    from django.utils import timezone

    first = timezone.localtime(activity.starts_at).date()
    last = timezone.localtime(activity.ends_at).date()
    paths = [*activity.unit.ancestors_paths(), activity.unit.path]
    qs = InsurancePolicy.objects.filter(starts_on__lte=first, ends_on__gte=last)
    named = qs.filter(activities=activity).order_by("pk").first()
    if named is not None:
        return named
    return qs.filter(activities__isnull=True, unit__path__in=paths).order_by("pk").first()


def policy_activities(policy: InsurancePolicy) -> QuerySet:
    """The activities a policy covers: those it names, or every activity of its unit's subtree on its days."""
    named = policy.activities.all()
    if named.exists():
        qs = named
    else:
        from gongzhi.org.models import subtree_q

        qs = Activity.objects.filter(subtree_q(policy.unit.path, PATH), starts_at__date__gte=policy.starts_on,
                                     ends_at__date__lte=policy.ends_on)
    return qs.exclude(status__in=[ActivityStatus.DRAFT, ActivityStatus.CANCELLED]).select_related("unit").order_by(
        "starts_at", "pk")


def insurance_roster(*, actor, policy: InsurancePolicy) -> list[dict]:
    """Who is covered for which activity dates: confirmed volunteers, ID numbers masked (R-P3, R-V10)."""
    activities = list(policy_activities(policy))
    signups = (Signup.objects.filter(activity__in=activities, status=SignupStatus.CONFIRMED)
               .select_related("volunteer", "volunteer__person", "activity").order_by("activity__starts_at", "pk"))
    from django.utils import timezone

    return [
        {
            "name": s.volunteer.person.name,
            "number": s.volunteer.number,
            "id_number": s.volunteer.person.id_number_masked,
            "activity": s.activity.title,
            "starts_on": timezone.localtime(s.activity.starts_at).date(),
            "ends_on": timezone.localtime(s.activity.ends_at).date(),
            "policy_number": policy.policy_number,
            "insurer": policy.insurer,
        }
        for s in signups
    ]
