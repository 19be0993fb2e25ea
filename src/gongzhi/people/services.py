"""Writes for people and volunteers. Every function is atomic and records who did what."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.accounts import scoping
from gongzhi.core import clock, crypto, events
from gongzhi.core.errors import CommonError
from gongzhi.org.divisions import UnitKind
from gongzhi.org.models import Organisation, OrgKind, Unit
from gongzhi.privacy.masking import mask_address, mask_id_number, mask_phone

from . import events as people_events
from . import permissions as perms
from .errors import PeopleError
from .identity import (
    ID_REASON_MESSAGES,
    IdNumberInvalid,
    age_on,
    is_valid_mobile,
    normalise_phone,
    parse_id_number,
)
from .models import (
    ConsentPurpose,
    ConsentRecord,
    Counter,
    Household,
    IdType,
    Person,
    PersonChange,
    ReviewDecision,
    Skill,
    Tag,
    TeamMembership,
    TeamRole,
    VolunteerCertificate,
    VolunteerProfile,
    VolunteerReview,
    VolunteerStatus,
    VolunteerStatusChange,
)
from .pinyin import pinyin_keys
from .rules import AVAILABILITY_SLOTS, VolunteerRules, volunteer_rules

HOME_UNIT_KINDS = (UnitKind.COMMUNITY, UnitKind.VILLAGE, UnitKind.GRID)
_ID_TYPES = frozenset(IdType.values)  # IdType.values builds a new list (with lazy labels) on every access
_NAME_RE = re.compile(r"^[\w\u3400-\u9fff·•．.\- ]{1,50}$")


@dataclass
class PersonInput:
    """Validated-at-the-edge shape of a person; services re-check every rule."""

    name: str
    unit: Unit
    id_number: str = ""
    phone: str = ""
    address: str = ""
    household_label: str = ""
    tags: list[str] = field(default_factory=list)
    guardian_name: str = ""
    id_type: str = IdType.RESIDENT_ID


@dataclass
class PersonFields:
    """Everything derived from a :class:`PersonInput` that goes into the row (encrypted, digested, masked)."""

    values: dict
    tags: list[Tag]
    household_label: str
    minor_under_14: bool


def clean_name(raw: str) -> str:
    name = re.sub(r"\s+", " ", (raw or "").strip())
    if not name or not _NAME_RE.match(name):
        raise PeopleError.NAME_INVALID.error(detail={"field": "name"})
    return name


def clean_phone(raw: str) -> str:
    phone = normalise_phone(raw)
    if phone and not is_valid_mobile(phone):
        raise PeopleError.PHONE_INVALID.error(detail={"field": "phone"})
    return phone


def tags_by_code(codes: list[str]) -> list[Tag]:
    codes = sorted({c.strip() for c in codes if c and c.strip()})
    if not codes:
        return []
    found = {t.code: t for t in Tag.objects.filter(code__in=codes)}
    found.update({t.name: t for t in Tag.objects.filter(name__in=codes)})
    missing = [c for c in codes if c not in found]
    if missing:
        raise PeopleError.TAG_UNKNOWN.error(detail={"field": "tags", "unknown": missing})
    return list({t.pk: t for t in (found[c] for c in codes)}.values())


def derive_person_fields(data: PersonInput, *, today: dt.date | None = None,
                         rules: VolunteerRules | None = None) -> PersonFields:
    """Validate a person's input and compute stored columns. Raises :class:`DomainError` with the field in detail.

    ``rules`` (default: :func:`volunteer_rules` now) lets a bulk import read the settings once, not once per row."""
    name = clean_name(data.name)
    if data.unit.kind not in HOME_UNIT_KINDS:
        raise PeopleError.UNIT_INVALID.error(detail={"field": "unit"})
    values: dict = {"name": name, "unit": data.unit, "id_type": data.id_type or IdType.RESIDENT_ID}
    if values["id_type"] not in _ID_TYPES:
        raise PeopleError.ID_TYPE_INVALID.error(detail={"field": "id_type"})
    values["name_pinyin"], values["name_initials"] = pinyin_keys(name)
    today = today or clock.today()
    minor = False
    raw_id = (data.id_number or "").strip()
    if raw_id:
        if values["id_type"] == IdType.RESIDENT_ID:
            try:
                info = parse_id_number(raw_id, today=today)
            except IdNumberInvalid as e:
                raise PeopleError.ID_NUMBER_INVALID.error(
                    detail={"field": "id_number", "reason": e.reason}, message=ID_REASON_MESSAGES[e.reason]
                ) from None
            number = info.number
            values.update(birth_date=info.birth_date, sex=info.sex)
            minor = info.age_on(today) < (rules or volunteer_rules()).pipl_child_age
        else:
            number = raw_id.upper()
        values.update(
            id_number_enc=crypto.encrypt(number),
            id_number_digest=crypto.digest(f"{values['id_type']}:{number}"),
            id_number_masked=mask_id_number(number),
        )
    else:
        values.update(id_number_enc="", id_number_digest=None, id_number_masked="")
    phone = clean_phone(data.phone)
    values.update(
        phone_enc=crypto.encrypt(phone),
        phone_digest=crypto.digest(phone),
        phone_masked=mask_phone(phone),
        phone_tail=phone[-4:],
    )
    address = (data.address or "").strip()[:200]
    values.update(address_enc=crypto.encrypt(address), address_masked=mask_address(address))
    return PersonFields(values=values, tags=tags_by_code(data.tags), household_label=data.household_label.strip(),
                        minor_under_14=minor)


def id_digest(id_type: str, number: str) -> str:
    return crypto.digest(f"{id_type}:{number}")


def _household_for(unit: Unit, label: str) -> Household | None:
    if not label:
        return None
    household, _ = Household.objects.get_or_create(unit=unit, label=label[:120])
    return household


def _require_home_unit(actor, unit: Unit) -> None:
    if unit.kind not in HOME_UNIT_KINDS:
        raise PeopleError.UNIT_INVALID.error(detail={"field": "unit"})
    scoping.require(actor, perms.EDIT, unit)


@transaction.atomic
def person_create(*, data: PersonInput, actor, source: str = "web") -> Person:
    """Register a resident in a community, village or grid the actor may edit."""
    _require_home_unit(actor, data.unit)
    derived = derive_person_fields(data)
    values = derived.values
    if values["id_number_digest"] and Person.objects.filter(id_number_digest=values["id_number_digest"]).exists():
        raise PeopleError.ID_NUMBER_DUPLICATE.error(detail={"field": "id_number"})
    if derived.minor_under_14 and not data.guardian_name.strip():
        raise PeopleError.GUARDIAN_CONSENT_REQUIRED.error(detail={"field": "guardian_name"})  # R-P2
    person = Person(**values, household=_household_for(data.unit, derived.household_label))
    person.save()
    person.tags.set(derived.tags)
    if derived.minor_under_14:
        ConsentRecord.objects.create(
            person=person, purpose=ConsentPurpose.GUARDIAN, granted=True,
            guardian_name=data.guardian_name.strip()[:50], recorded_by=actor,
        )
    PersonChange.objects.create(person=person, actor=actor, source=source, fields=sorted(values), created=True)
    return person


_COMPARED = ("name", "id_type", "id_number_digest", "phone_digest", "address_masked", "unit_id")


@transaction.atomic
def person_update(*, person: Person, data: PersonInput, actor, source: str = "web") -> Person:
    """Change a person's data; both the old and the new unit must be in the actor's edit scope."""
    scoping.require(actor, perms.EDIT, person.unit)
    _require_home_unit(actor, data.unit)
    derived = derive_person_fields(data)
    values = derived.values
    digest = values["id_number_digest"]
    if digest and Person.objects.filter(id_number_digest=digest).exclude(pk=person.pk).exists():
        raise PeopleError.ID_NUMBER_DUPLICATE.error(detail={"field": "id_number"})
    guardian = data.guardian_name.strip()
    if derived.minor_under_14 and not _guardian_consent_on_file(person):
        if not guardian:  # R-P2: a new ID number may show a child under 14; then a guardian must agree
            raise PeopleError.GUARDIAN_CONSENT_REQUIRED.error(detail={"field": "guardian_name"})
        ConsentRecord.objects.create(person=person, purpose=ConsentPurpose.GUARDIAN, granted=True,
                                     guardian_name=guardian[:50], recorded_by=actor)
    changed = _apply(person, values, address_clear=(data.address or "").strip()[:200])
    household = _household_for(data.unit, derived.household_label)
    if household != person.household:
        person.household = household
        changed.append("household")
    if changed:
        person.save()
    if set(person.tags.all()) != set(derived.tags):
        person.tags.set(derived.tags)
        changed.append("tags")
    if changed:
        PersonChange.objects.create(person=person, actor=actor, source=source, fields=sorted(set(changed)))
    return person


def _guardian_consent_on_file(person: Person) -> bool:
    """The latest guardian consent row (append-only: the latest is the current state) grants it."""
    latest = ConsentRecord.objects.filter(person=person, purpose=ConsentPurpose.GUARDIAN).order_by(
        "-recorded_at", "-pk").first()
    return bool(latest and latest.granted)


def _apply(person: Person, values: dict, *, address_clear: str) -> list[str]:
    """Copy values onto the person, keeping ciphertexts of unchanged fields; return the changed field names."""
    changed = []
    for key in ("name", "name_pinyin", "name_initials", "id_type", "birth_date", "sex"):
        new = values.get(key, getattr(person, key))
        if key in ("birth_date", "sex") and "id_number_enc" in values and not values["id_number_enc"]:
            new = getattr(person, key)
        if getattr(person, key) != new:
            setattr(person, key, new)
            changed.append(key)
    if person.unit_id != values["unit"].pk:
        person.unit = values["unit"]
        changed.append("unit")
    if person.id_number_digest != values["id_number_digest"]:
        person.id_number_enc = values["id_number_enc"]
        person.id_number_digest = values["id_number_digest"]
        person.id_number_masked = values["id_number_masked"]
        changed.append("id_number")
    if person.phone_digest != values["phone_digest"]:
        person.phone_enc, person.phone_digest = values["phone_enc"], values["phone_digest"]
        person.phone_masked, person.phone_tail = values["phone_masked"], values["phone_tail"]
        changed.append("phone")
    if person.address_clear() != address_clear:
        person.address_enc, person.address_masked = values["address_enc"], values["address_masked"]
        changed.append("address")
    return changed


@transaction.atomic
def consent_record(*, person: Person, purpose: str, granted: bool, actor, guardian_name: str = "", note: str = "") -> ConsentRecord:
    """Append a consent or its withdrawal (R-P1: withdrawing is as easy as giving)."""
    if actor is not None and (actor.pk is None or getattr(person, "user_id", None) != actor.pk):
        scoping.require(actor, perms.EDIT, person.unit)
    return ConsentRecord.objects.create(
        person=person, purpose=purpose, granted=granted, guardian_name=guardian_name[:50], note=note[:200],
        recorded_by=actor,
    )


# --- volunteers ---------------------------------------------------------------------------------------------


def _next_volunteer_number(unit: Unit) -> str:
    """志愿者编号 (R-V3): 'ZY' + district code + 7-digit sequence, drawn under a row lock."""
    district = unit.path[:6]
    name = f"volunteer:{district}"
    Counter.objects.get_or_create(name=name)
    counter = Counter.objects.select_for_update().get(name=name)
    counter.value += 1
    counter.save(update_fields=["value"])
    return f"ZY{district}{counter.value:07d}"


def volunteer_number_block(unit: Unit, size: int) -> list[str]:
    """Reserve ``size`` consecutive volunteer numbers at once (bulk import); caller is inside a transaction."""
    district = unit.path[:6]
    name = f"volunteer:{district}"
    Counter.objects.get_or_create(name=name)
    counter = Counter.objects.select_for_update().get(name=name)
    start = counter.value + 1
    counter.value += size
    counter.save(update_fields=["value"])
    return [f"ZY{district}{n:07d}" for n in range(start, start + size)]


def clean_availability(values: list[str] | None) -> list[str]:
    """Availability slots as codes (AVAILABILITY_SLOTS); accepts codes or their Chinese labels, refuses anything else."""
    by_label = {str(label): code for code, label in AVAILABILITY_SLOTS.items()}
    out, unknown = [], []
    for raw in values or []:
        v = (raw or "").strip()
        if not v:
            continue
        code = v if v in AVAILABILITY_SLOTS else by_label.get(v)
        if code is None:
            unknown.append(v[:40])
        elif code not in out:
            out.append(code)
    if unknown:
        raise PeopleError.AVAILABILITY_UNKNOWN.error(detail={"field": "availability", "unknown": unknown[:10]})
    return sorted(out, key=list(AVAILABILITY_SLOTS).index)


def skills_by_code(codes: list[str]) -> list[Skill]:
    codes = sorted({c.strip() for c in codes if c and c.strip()})
    if not codes:
        return []
    found = {s.code: s for s in Skill.objects.filter(code__in=codes)}
    found.update({s.name: s for s in Skill.objects.filter(name__in=codes)})
    missing = [c for c in codes if c not in found]
    if missing:
        raise PeopleError.SKILL_UNKNOWN.error(detail={"field": "skills", "unknown": missing})
    return list({s.pk: s for s in (found[c] for c in codes)}.values())


def _check_volunteer_age(person: Person, guardian_name: str) -> str | None:
    """R-V9: no one under the minimum age; minors need a guardian's consent. Returns the guardian to record."""
    if person.birth_date is None:
        return None
    rules = volunteer_rules()
    today = clock.today()
    age = age_on(person.birth_date, today)
    if age < rules.min_age:
        raise PeopleError.TOO_YOUNG.error(detail={"min_age": rules.min_age})
    if age < rules.guardian_consent_below:
        if not guardian_name.strip():
            raise PeopleError.GUARDIAN_CONSENT_REQUIRED.error(detail={"field": "guardian_name"})
        return guardian_name.strip()
    return None


@transaction.atomic
def volunteer_apply(
    *,
    person: Person,
    actor,
    skills: list[str] | None = None,
    availability: list[str] | None = None,
    motivation: str = "",
    consent_confirmed: bool = False,
    guardian_name: str = "",
    unit: Unit | None = None,
) -> VolunteerProfile:
    """Register a volunteer application. Self-application is consent; a worker must confirm the person agreed (R-V2)."""
    self_service = person.user_id is not None and person.user_id == actor.pk
    if not self_service:
        scoping.require(actor, perms.VOLUNTEER_REGISTER, person.unit)
        if not consent_confirmed:
            raise PeopleError.CONSENT_REQUIRED.error(detail={"field": "consent_confirmed"})
    if VolunteerProfile.objects.filter(person=person).exists():
        raise PeopleError.ALREADY_VOLUNTEER.error()
    guardian = _check_volunteer_age(person, guardian_name)
    skill_rows = skills_by_code(skills or [])
    home = unit or person.unit
    profile = VolunteerProfile.objects.create(
        person=person,
        unit=home,
        number=_next_volunteer_number(home),
        status=VolunteerStatus.APPLIED,
        availability=clean_availability(availability),
        motivation=motivation[:2000],
        status_changed_at=clock.now(),
    )
    profile.skills.set(skill_rows)
    VolunteerStatusChange.objects.create(profile=profile, from_status="", to_status=VolunteerStatus.APPLIED, actor=actor,
                                         reason=_("本人申请") if self_service else _("工作人员代为登记"))
    ConsentRecord.objects.create(person=person, purpose=ConsentPurpose.REGISTRATION, granted=True, recorded_by=actor,
                                 note="volunteer")
    if guardian:
        ConsentRecord.objects.create(person=person, purpose=ConsentPurpose.GUARDIAN, granted=True, guardian_name=guardian[:50],
                                     recorded_by=actor, note="volunteer")
    events.publish(people_events.VOLUNTEER_STATUS_CHANGED, profile=profile, from_status="",
                   to_status=VolunteerStatus.APPLIED)
    return profile


def _lock_profile(profile: VolunteerProfile) -> VolunteerProfile:
    return VolunteerProfile.objects.select_for_update().select_related("person", "unit").get(pk=profile.pk)


def _set_status(profile: VolunteerProfile, to: str, *, actor, reason: str = "") -> None:
    before = profile.status
    VolunteerStatusChange.objects.create(profile=profile, from_status=before, to_status=to, actor=actor,
                                         reason=reason[:200])
    profile.status = to
    profile.status_changed_at = clock.now()
    profile.save(update_fields=["status", "status_changed_at"])
    events.publish(people_events.VOLUNTEER_STATUS_CHANGED, profile=profile, from_status=before, to_status=to)


@transaction.atomic
def volunteer_review(*, profile: VolunteerProfile, actor, decision: str, note: str = "") -> VolunteerReview:
    """Record one screening round; the last required pass activates the volunteer, a reject ends screening."""
    scoping.require(actor, perms.VOLUNTEER_REVIEW, profile.unit)
    profile = _lock_profile(profile)
    if profile.status not in (VolunteerStatus.APPLIED, VolunteerStatus.SCREENING):
        raise PeopleError.BAD_TRANSITION.error(detail={"status": profile.status})
    if decision not in ReviewDecision.values:
        raise PeopleError.BAD_TRANSITION.error(detail={"decision": decision})
    if profile.person.user_id == actor.pk:  # a worker never screens their own application
        raise PeopleError.OWN_APPLICATION.error()
    previous = list(profile.reviews.all())
    if any(r.reviewer_id == actor.pk for r in previous):
        raise PeopleError.SAME_REVIEWER.error()
    review = VolunteerReview.objects.create(
        profile=profile, round=len(previous) + 1, decision=decision, note=note[:2000], reviewer=actor
    )
    if decision == ReviewDecision.REJECT:
        _set_status(profile, VolunteerStatus.REJECTED, actor=actor, reason=note)
    elif review.round >= volunteer_rules().screening_rounds:
        _set_status(profile, VolunteerStatus.ACTIVE, actor=actor, reason=note)
    elif profile.status == VolunteerStatus.APPLIED:
        _set_status(profile, VolunteerStatus.SCREENING, actor=actor, reason=note)
    return review


@transaction.atomic
def volunteer_suspend(*, profile: VolunteerProfile, actor, reason: str) -> VolunteerProfile:
    scoping.require(actor, perms.VOLUNTEER_MANAGE, profile.unit)
    profile = _lock_profile(profile)
    if profile.status != VolunteerStatus.ACTIVE:
        raise PeopleError.BAD_TRANSITION.error(detail={"status": profile.status})
    _set_status(profile, VolunteerStatus.SUSPENDED, actor=actor, reason=reason)
    return profile


@transaction.atomic
def volunteer_reinstate(*, profile: VolunteerProfile, actor, reason: str = "") -> VolunteerProfile:
    scoping.require(actor, perms.VOLUNTEER_MANAGE, profile.unit)
    profile = _lock_profile(profile)
    if profile.person.user_id == actor.pk:
        raise PeopleError.OWN_APPLICATION.error()
    if profile.status != VolunteerStatus.SUSPENDED:
        raise PeopleError.BAD_TRANSITION.error(detail={"status": profile.status})
    _set_status(profile, VolunteerStatus.ACTIVE, actor=actor, reason=reason)
    return profile


@transaction.atomic
def volunteer_update(
    *, profile: VolunteerProfile, actor, skills: list[str] | None = None, availability: list[str] | None = None
) -> VolunteerProfile:
    if profile.person.user_id != actor.pk:
        scoping.require(actor, perms.VOLUNTEER_MANAGE, profile.unit)
    if skills is not None:
        profile.skills.set(skills_by_code(skills))
    if availability is not None:
        profile.availability = clean_availability(availability)
        profile.save(update_fields=["availability"])
    return profile


@transaction.atomic
def certificate_add(
    *, profile: VolunteerProfile, actor, name: str, number: str = "", skill: str = "",
    issued_on: dt.date | None = None, expires_on: dt.date | None = None,
) -> VolunteerCertificate:
    if profile.person.user_id != actor.pk:
        scoping.require(actor, perms.VOLUNTEER_MANAGE, profile.unit)
    if issued_on and expires_on and expires_on < issued_on:
        raise PeopleError.CERTIFICATE_DATES_INVALID.error(detail={"field": "expires_on"})
    skill_row = skills_by_code([skill])[0] if skill else None
    return VolunteerCertificate.objects.create(
        profile=profile, name=name[:80], number=number[:60], skill=skill_row, issued_on=issued_on, expires_on=expires_on
    )


# --- teams ----------------------------------------------------------------------------------------------


def _require_team_manage(actor, team: Organisation) -> None:
    from .selectors import can_manage_team

    if not can_manage_team(actor, team):
        raise CommonError.FORBIDDEN.error(detail={"permission": perms.TEAM_MANAGE})


@transaction.atomic
def team_member_add(*, team: Organisation, person: Person, actor, role: str = TeamRole.MEMBER) -> TeamMembership:
    if team.kind != OrgKind.TEAM:
        raise PeopleError.NOT_A_TEAM.error()
    _require_team_manage(actor, team)
    if TeamMembership.objects.filter(team=team, person=person, left_on__isnull=True).exists():
        raise PeopleError.ALREADY_MEMBER.error()
    return TeamMembership.objects.create(team=team, person=person, role=role, joined_on=clock.today())


@transaction.atomic
def team_member_remove(*, team: Organisation, person: Person, actor) -> TeamMembership:
    _require_team_manage(actor, team)
    membership = (
        TeamMembership.objects.select_for_update().filter(team=team, person=person, left_on__isnull=True).first()
    )
    if membership is None:
        raise PeopleError.NOT_MEMBER.error()
    membership.left_on = clock.today()
    membership.save(update_fields=["left_on"])
    return membership
