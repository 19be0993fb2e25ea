"""Reads for people and volunteers, always scoped to the actor's units; unmasked reads are logged."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet

from gongzhi.accounts import scoping
from gongzhi.core import crypto
from gongzhi.core.errors import CommonError
from gongzhi.org.selectors import under_q
from gongzhi.privacy.models import AccessChannel
from gongzhi.privacy.services import access_log_record

from . import permissions as perms
from .identity import normalise_phone
from .models import (
    ConsentRecord,
    IdType,
    Person,
    Tag,
    TeamMembership,
    TeamRole,
    VolunteerProfile,
    VolunteerReview,
    VolunteerStatus,
)
from .services import id_digest

PERSON_PATH = "unit__path"
VOLUNTEER_PATH = "unit__path"
_ASCII_RE = re.compile(r"^[a-z]+$")


def _search_key(q: str) -> str:
    lowered = q.lower().replace(" ", "")
    phone = normalise_phone(lowered)  # "+86 138-1234-5678" is a phone number too
    return phone if phone.isdigit() else lowered


def _is_full_id_or_phone(key: str) -> bool:
    return (len(key) == 18 and key[:17].isdigit()) or (len(key) == 11 and key.isdigit())


def search_q(q: str) -> Q:
    """Name, full pinyin, pinyin initials ("zsf" → 张三丰), or the last digits of the phone."""
    q = (q or "").strip()
    if not q:
        return Q()
    lowered = _search_key(q)
    if len(lowered) == 18 and lowered[:17].isdigit():
        return Q(id_number_digest=id_digest(IdType.RESIDENT_ID, lowered.upper()))
    if lowered.isdigit():
        if len(lowered) == 11:
            return Q(phone_digest=crypto.digest(lowered))
        if len(lowered) <= 4:
            return Q(phone_tail__endswith=lowered)
        return Q(phone_tail=lowered[-4:])
    if _ASCII_RE.match(lowered):
        return Q(name_initials__startswith=lowered) | Q(name_pinyin__startswith=lowered) | Q(name_pinyin__contains=lowered)
    return Q(name__contains=q)


def search_scope_q(actor, q: str, path_field: str = PERSON_PATH) -> Q:
    """R-P3: a hit on a full ID number or phone confirms a value the lists mask (the ID number's hidden digits are a
    birth date, a few hundred guesses from the birth year), so such a search matches only where the actor may reveal."""
    if _is_full_id_or_phone(_search_key((q or "").strip())):
        return scoping.scope_q(actor, perms.REVEAL, path_field)
    return Q()


def person_list(*, actor, q: str = "", unit_path: str | None = None, tag: str | None = None,
                volunteer: bool | None = None) -> QuerySet:
    scoping.require(actor, perms.VIEW)
    qs = scoping.scope(Person.objects.all(), actor, perms.VIEW, PERSON_PATH)
    if q:
        qs = qs.filter(search_q(q), search_scope_q(actor, q))
    if unit_path:
        qs = qs.filter(under_q(unit_path, PERSON_PATH))
    if tag:
        qs = qs.filter(tags__code=tag)
        if Tag.objects.filter(code=tag, sensitive=True).exists():
            # R-P3: filtering by a sensitive tag (残疾人 ...) discloses it, so only where the actor may reveal.
            qs = qs.filter(scoping.scope_q(actor, perms.REVEAL, PERSON_PATH))
    if volunteer is not None:
        qs = qs.filter(volunteer__isnull=not volunteer)
    return qs.select_related("unit", "unit__parent", "volunteer").prefetch_related("tags").order_by("unit__path", "name_pinyin", "pk")


def person_get(*, actor, pk: int) -> Person:
    """One person the actor may view, or the actor's own record; other units' people are not found."""
    qs = Person.objects.select_related("unit", "unit__parent", "household", "volunteer").prefetch_related("tags")
    own = qs.filter(pk=pk, user_id=actor.pk).first() if getattr(actor, "is_authenticated", False) else None
    if own is not None:
        return own
    return scoping.get_scoped(qs, actor, perms.VIEW, PERSON_PATH, pk=pk)


def team_candidate_get(*, actor, pk: int) -> Person:
    """A person to add to or remove from a team: one the actor may view, or a volunteer the actor may view.

    Team leaders hold ``volunteers.view`` but not ``people.view``; they manage their team's volunteers.
    """
    if not (scoping.has_anywhere(actor, perms.VIEW) or scoping.has_anywhere(actor, perms.VOLUNTEER_VIEW)):
        raise CommonError.FORBIDDEN.error(detail={"permission": perms.VIEW})
    visible = scoping.scope_q(actor, perms.VIEW, PERSON_PATH) | scoping.scope_q(
        actor, perms.VOLUNTEER_VIEW, "volunteer__unit__path"
    )
    person = Person.objects.select_related("unit").filter(visible, pk=pk).first()
    if person is None:
        raise CommonError.NOT_FOUND.error()
    return person


def person_for_edit(*, actor, pk: int) -> Person:
    person = person_get(actor=actor, pk=pk)
    scoping.require(actor, perms.EDIT, person.unit)
    return person


def own_person(actor) -> Person | None:
    if not getattr(actor, "is_authenticated", False):
        return None
    return Person.objects.select_related("unit", "household").prefetch_related("tags").filter(user_id=actor.pk).first()


@dataclass
class PersonView:
    """A person as the actor may see them: masked unless revealed (and the reveal is logged)."""

    person: Person
    revealed: bool
    can_reveal: bool
    can_edit: bool
    id_number: str
    phone: str
    address: str
    tags: list[Tag] = field(default_factory=list)
    hidden_tag_count: int = 0


def may_reveal(*, actor, person: Person) -> bool:
    """Whether the actor may see this person's ID number, phone and address: the right at their unit, or oneself."""
    return scoping.can(actor, perms.REVEAL, person.unit) or (person.user_id is not None and person.user_id == actor.pk)


def person_view(*, actor, person: Person, reveal: bool = False, channel: str = AccessChannel.PAGE, request=None,
                purpose: str = "") -> PersonView:
    """Present a person; with ``reveal`` (and the right) show ID, phone, address and sensitive tags, and log it (R-P3)."""
    can_reveal = may_reveal(actor=actor, person=person)
    if reveal and not can_reveal:
        raise CommonError.FORBIDDEN.error(detail={"permission": perms.REVEAL})
    tags = list(person.tags.all())
    if reveal:
        fields = [f for f, v in (("id_number", person.id_number_enc), ("phone", person.phone_enc),
                                  ("address", person.address_enc)) if v]
        if any(t.sensitive for t in tags):
            fields.append("sensitive_tags")
        if person.user_id != actor.pk:
            access_log_record(actor=actor, subject_type="people.person", subject_id=person.pk, subject_label=person.name,
                              unit_path=person.unit.path, fields=fields, channel=channel, request=request,
                              purpose=purpose)
        return PersonView(person=person, revealed=True, can_reveal=True, can_edit=scoping.can(actor, perms.EDIT, person.unit),
                          id_number=person.id_number_clear(), phone=person.phone_clear(), address=person.address_clear(),
                          tags=tags)
    visible = [t for t in tags if not t.sensitive]
    return PersonView(person=person, revealed=False, can_reveal=can_reveal, can_edit=scoping.can(actor, perms.EDIT, person.unit),
                      id_number=person.id_number_masked, phone=person.phone_masked, address=person.address_masked,
                      tags=visible, hidden_tag_count=len(tags) - len(visible))


def consent_list(*, person: Person) -> QuerySet:
    return ConsentRecord.objects.filter(person=person).select_related("recorded_by")


def volunteer_list(*, actor, q: str = "", status: str | None = None, skill: str | None = None,
                   unit_path: str | None = None) -> QuerySet:
    scoping.require(actor, perms.VOLUNTEER_VIEW)
    qs = scoping.scope(VolunteerProfile.objects.all(), actor, perms.VOLUNTEER_VIEW, VOLUNTEER_PATH)
    if q:
        people = Person.objects.filter(search_q(q), search_scope_q(actor, q))
        qs = qs.filter(Q(number=q.strip().upper()) | Q(person__in=people))
    if status:
        qs = qs.filter(status=status)
    if skill:
        qs = qs.filter(skills__code=skill)
    if unit_path:
        qs = qs.filter(under_q(unit_path, VOLUNTEER_PATH))
    return qs.select_related("person", "unit").prefetch_related("skills").order_by("unit__path", "number")


def volunteer_get(*, actor, pk: int) -> VolunteerProfile:
    qs = VolunteerProfile.objects.select_related("person", "person__unit", "unit").prefetch_related(
        "skills", "certificates", Prefetch("reviews"), "status_changes"
    )
    own = qs.filter(pk=pk, person__user_id=actor.pk).first() if actor.is_authenticated else None
    if own is not None:
        return own
    return scoping.get_scoped(qs, actor, perms.VOLUNTEER_VIEW, VOLUNTEER_PATH, pk=pk)


def review_queue(*, actor) -> QuerySet:
    """Applications awaiting a screening round that the actor may review."""
    scoping.require(actor, perms.VOLUNTEER_REVIEW)
    qs = scoping.scope(VolunteerProfile.objects.all(), actor, perms.VOLUNTEER_REVIEW, VOLUNTEER_PATH)
    return (
        qs.filter(status__in=[VolunteerStatus.APPLIED, VolunteerStatus.SCREENING])
        .select_related("person", "unit")
        .prefetch_related("skills", Prefetch("reviews", VolunteerReview.objects.select_related("reviewer")))
        .order_by("applied_at", "pk")
    )


def can_manage_team(actor, team) -> bool:
    """Workers manage any team in their units; a team leader manages only the teams they lead."""
    if scoping.can(actor, perms.TEAM_MANAGE_ANY, team.unit):
        return True
    return scoping.can(actor, perms.TEAM_MANAGE, team.unit) and TeamMembership.objects.filter(
        team=team, role=TeamRole.LEADER, left_on__isnull=True, person__user_id=actor.pk
    ).exists()
