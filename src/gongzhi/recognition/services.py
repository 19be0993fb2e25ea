"""Writes for recognition: one verb per function, keyword-only, atomic, refusals as ``RecognitionError`` codes."""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from gongzhi.accounts import scoping
from gongzhi.activities.models import Activity, Signup
from gongzhi.core import clock
from gongzhi.notifications.services import notification_create
from gongzhi.org.models import Unit
from gongzhi.people.identity import age_on
from gongzhi.people.models import ConsentPurpose, ConsentRecord, IdType, VolunteerProfile, VolunteerStatus

from . import permissions as perms
from . import selectors
from .errors import RecognitionError
from .models import (
    AwardKind,
    Certificate,
    CertificateEvent,
    CertificateStatus,
    Honour,
    HonourList,
    RaterKind,
    Rating,
    StarAward,
    StarCandidate,
    StarCandidateList,
)
from .rules import recognition_rules

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # 32 symbols without 0/O, 1/I: 12 of them are 60 random bits
CODE_LENGTH = 12


def _lock_volunteers(ids) -> None:
    """Row locks on volunteers, always in primary-key order (one helper, no deadlocks)."""
    list(VolunteerProfile.objects.select_for_update().filter(pk__in=sorted(ids)).order_by("pk").values_list("pk"))


# --- star levels (R-V8) ---------------------------------------------------------------------------------------


@transaction.atomic
def star_candidates_publish(*, unit: Unit, period_end: dt.date, actor) -> StarCandidateList:
    """Publish (公示) the volunteers of ``unit`` whose hours up to ``period_end`` reach a new level, before approval."""
    scoping.require(actor, perms.PUBLISH_CANDIDATES, unit)
    if period_end > selectors.local_today():
        raise RecognitionError.PERIOD_INVALID.error(detail={"field": "period_end"})
    rows = selectors.star_candidates(unit=unit, period_end=period_end)
    if not rows:
        raise RecognitionError.NO_CANDIDATES.error()
    published = StarCandidateList.objects.create(unit=unit, period_end=period_end, published_by=actor,
                                                 published_at=clock.now())
    StarCandidate.objects.bulk_create([
        StarCandidate(candidate_list=published, volunteer=r.volunteer, current_level=r.current_level, level=r.level,
                      hours=r.hours) for r in rows
    ])
    return published


@transaction.atomic
def star_awards_approve(*, candidate_list: StarCandidateList, actor,
                        volunteer_ids: list[int] | None = None) -> list[StarAward]:
    """Approve a published list (all, or the named volunteers): one award row per level, in order, never skipped.

    The publisher may not approve their own list; a candidate whose level changed since publication is refused.
    """
    scoping.require(actor, perms.APPROVE_STARS, candidate_list.unit)
    if candidate_list.published_by_id == actor.pk:
        raise RecognitionError.SAME_ACTOR.error()
    entries = list(candidate_list.entries.select_related("volunteer"))
    if volunteer_ids is not None:
        wanted = set(volunteer_ids)
        entries = [e for e in entries if e.volunteer_id in wanted]
        if len(entries) != len(wanted) or not wanted:
            raise RecognitionError.NOT_ON_LIST.error(detail={"volunteer_ids": sorted(wanted)})
    _lock_volunteers(e.volunteer_id for e in entries)
    levels = selectors.awarded_levels(e.volunteer_id for e in entries)
    done = selectors.approved_candidate_ids(candidate_list)
    now = clock.now()
    awards = []
    for e in entries:
        if e.pk in done or levels.get(e.volunteer_id, 0) != e.current_level:
            raise RecognitionError.ALREADY_APPROVED.error(detail={"volunteer_id": e.volunteer_id})
        for level in range(e.current_level + 1, e.level + 1):
            awards.append(StarAward(volunteer_id=e.volunteer_id, kind=AwardKind.AWARD, level=level,
                                    hours_at_award=e.hours, candidate=e, approved_by=actor, approved_at=now))
    created = StarAward.objects.bulk_create(awards)
    users = {v.pk: v.person.user for v in VolunteerProfile.objects.filter(
        pk__in=[e.volunteer_id for e in entries], person__user__isnull=False).select_related("person__user")}
    for e in entries:
        if e.volunteer_id in users:
            notification_create(user=users[e.volunteer_id], kind="recognition.star_awarded",
                                title=str(_("您已被认定为%(level)s星级志愿者") % {"level": e.level}),
                                url=reverse("recognition:mine"))
    return created


@transaction.atomic
def star_award_revoke(*, volunteer: VolunteerProfile, actor, to_level: int = 0, reason: str) -> StarAward:
    """Lower a volunteer's level (a revocation row; earlier rows stay)."""
    scoping.require(actor, perms.APPROVE_STARS, volunteer.unit)
    reason = (reason or "").strip()
    if not reason:
        raise RecognitionError.REASON_REQUIRED.error(detail={"field": "reason"})
    _lock_volunteers([volunteer.pk])
    current = selectors.awarded_level(volunteer)
    if current == 0:
        raise RecognitionError.NOTHING_TO_REVOKE.error()
    if not 0 <= to_level < current:
        raise RecognitionError.LEVEL_INVALID.error(detail={"field": "to_level", "current": current})
    return StarAward.objects.create(volunteer=volunteer, kind=AwardKind.REVOCATION, level=to_level,
                                    hours_at_award=selectors.volunteer_hours(volunteer), reason=reason[:200],
                                    approved_by=actor, approved_at=clock.now())


# --- certificates (R-V7) --------------------------------------------------------------------------------------


def _event(cert: Certificate, from_status: str, actor, note: str = "") -> None:
    CertificateEvent.objects.create(certificate=cert, from_status=from_status, to_status=cert.status, actor=actor,
                                    note=note[:200], at=clock.now())


def _issuer_units(volunteer: VolunteerProfile) -> set[str]:
    """Paths of units that may certify this volunteer: where they are registered, or that organised their service."""
    paths = set(selectors.records_that_count(volunteer).values_list("unit_path", flat=True).distinct())
    return paths | {volunteer.unit.path}


@transaction.atomic
def certificate_request(*, volunteer: VolunteerProfile, actor, unit: Unit | None = None,
                        period_start: dt.date | None = None, period_end: dt.date | None = None,
                        purpose: str = "") -> Certificate:
    """申请: the volunteer asks for a certificate, or a worker of the issuing unit asks on their behalf."""
    unit = unit or volunteer.unit
    own = volunteer.person.user_id is not None and volunteer.person.user_id == actor.pk
    if not own:
        scoping.require(actor, perms.ISSUE_CERTIFICATE, unit)
    if volunteer.status != VolunteerStatus.ACTIVE:
        raise RecognitionError.NOT_ACTIVE.error()
    if not any(p.startswith(unit.path) for p in _issuer_units(volunteer)):
        raise RecognitionError.UNIT_INVALID.error(detail={"field": "unit_id"})
    today = selectors.local_today()
    first = selectors.records_that_count(volunteer).order_by("day").values_list("day", flat=True).first()
    period_start = period_start or first or today
    period_end = period_end or today
    if period_end < period_start or period_end > today:
        raise RecognitionError.PERIOD_INVALID.error(detail={"field": "period_end"})
    cert = Certificate.objects.create(volunteer=volunteer, unit=unit, period_start=period_start,
                                      period_end=period_end, purpose=(purpose or "").strip()[:200],
                                      requested_by=actor, requested_at=clock.now())
    _event(cert, "", actor)
    return cert


def _lock(cert: Certificate) -> Certificate:
    return Certificate.objects.select_for_update().select_related("volunteer__person", "unit").get(pk=cert.pk)


@transaction.atomic
def certificate_accept(*, certificate: Certificate, actor, note: str = "") -> Certificate:
    """受理: a worker of the issuing unit takes the request on."""
    scoping.require(actor, perms.ISSUE_CERTIFICATE, certificate.unit)
    cert = _lock(certificate)
    if cert.status != CertificateStatus.REQUESTED:
        raise RecognitionError.BAD_TRANSITION.error(detail={"status": cert.status})
    cert.status = CertificateStatus.ACCEPTED
    cert.save(update_fields=["status"])
    _event(cert, CertificateStatus.REQUESTED, actor, note)
    return cert


def _guardian(volunteer: VolunteerProfile, activity_ids) -> dict | None:
    consent = ConsentRecord.objects.filter(person=volunteer.person, purpose=ConsentPurpose.GUARDIAN).order_by(
        "-recorded_at", "-pk").first()
    if consent is not None and consent.granted:
        return {"name": consent.guardian_name, "recorded_on": consent.recorded_at.date().isoformat(),
                "source": "consent"}
    signup = (Signup.objects.filter(volunteer=volunteer, activity_id__in=activity_ids).exclude(guardian_name="")
              .order_by("-created_at").first())
    if signup is not None:
        return {"name": signup.guardian_name, "recorded_on": signup.created_at.date().isoformat(), "source": "signup"}
    return None


def _birthday(birth: dt.date, years: int) -> dt.date:
    """The day someone turns ``years`` (a 29 February birthday falls on 1 March in common years)."""
    try:
        return birth.replace(year=birth.year + years)
    except ValueError:
        return dt.date(birth.year + years, 3, 1)


def certificate_contents(cert: Certificate, *, issue_date: dt.date) -> dict:
    """What the certificate will say (R-V7), from the records that count now; frozen into ``snapshot`` at issue."""
    volunteer, person, rules = cert.volunteer, cert.volunteer.person, recognition_rules()
    records = selectors.records_that_count(volunteer, start=cert.period_start, end=cert.period_end,
                                           unit_path=cert.unit.path).filter(hours__gt=0)
    minor = False
    excluded = Decimal("0")
    if person.birth_date is not None:
        minor = age_on(person.birth_date, issue_date) < rules.minor_below_age
        sixth = _birthday(person.birth_date, rules.no_hours_below_age)
        excluded = records.filter(day__lt=sixth).aggregate(s=Sum("hours"))["s"] or Decimal("0")
        records = records.filter(day__gte=sixth)  # R-V9: no hours recognised before the 6th birthday
    per_activity = list(records.values("activity_id", "activity__title").annotate(
        h=Sum("hours"), days=Count("day", distinct=True)).order_by("-h", "activity_id"))
    total = sum((row["h"] for row in per_activity), Decimal("0"))
    days = records.values_list("day", flat=True)
    first, last = (min(days), max(days)) if per_activity else (None, None)
    lines = [{"title": row["activity__title"], "hours": f"{row['h']:.2f}", "days": row["days"]}
             for row in per_activity[:rules.content_lines]]
    rest = per_activity[rules.content_lines:]
    return {
        "volunteer_name": person.name,
        "id_type": str(IdType(person.id_type).label),
        "id_number_masked": person.id_number_masked,
        "volunteer_number": volunteer.number,
        "hours": f"{total:.2f}",
        "activity_count": len(per_activity),
        "period_start": cert.period_start.isoformat(),
        "period_end": cert.period_end.isoformat(),
        "first_day": first.isoformat() if first else None,
        "last_day": last.isoformat() if last else None,
        "content": lines,
        "content_more": {"activities": len(rest), "hours": f"{sum((r['h'] for r in rest), Decimal('0')):.2f}"},
        "issuer_name": cert.unit.name,
        "issuer_code": cert.unit.code,
        "minor": minor,
        "guardian": _guardian(volunteer, [row["activity_id"] for row in per_activity]) if minor else None,
        "excluded_under_age_hours": f"{excluded:.2f}",
        "purpose": cert.purpose,
        "free_of_charge": True,
    }


def _next_number(cert: Certificate, year: int) -> str:
    Unit.objects.select_for_update().filter(pk=cert.unit_id).values_list("pk").get()  # serialise numbering per unit
    prefix = f"ZM{cert.unit.code}{year}"
    taken = Certificate.objects.filter(number__startswith=prefix).count()
    return f"{prefix}{taken + 1:05d}"


def _verify_code() -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if not Certificate.objects.filter(verify_code=code).exists():
            return code


@transaction.atomic
def certificate_issue(*, certificate: Certificate, actor, person_in_charge: str, contact: str,
                      notes: str = "") -> Certificate:
    """开具: freeze the contents, number it and give it a verification code. Free of charge (条例 Art.19)."""
    scoping.require(actor, perms.ISSUE_CERTIFICATE, certificate.unit)
    person_in_charge, contact = (person_in_charge or "").strip(), (contact or "").strip()
    if not person_in_charge or not contact or len(person_in_charge) > 50 or len(contact) > 40:
        raise RecognitionError.FIELD_REQUIRED.error(detail={"field": "person_in_charge" if not person_in_charge
                                                            else "contact"})
    cert = _lock(certificate)
    if cert.status != CertificateStatus.ACCEPTED:
        raise RecognitionError.BAD_TRANSITION.error(detail={"status": cert.status})
    now = clock.now()
    issue_date = selectors.local_today()
    contents = certificate_contents(cert, issue_date=issue_date)
    if Decimal(contents["hours"]) <= 0:
        raise RecognitionError.NO_HOURS.error()
    if contents["minor"] and contents["guardian"] is None:
        raise RecognitionError.GUARDIAN_CONSENT_MISSING.error()
    cert.number = _next_number(cert, issue_date.year)
    cert.verify_code = _verify_code()
    contents.update({
        "number": cert.number, "verify_code": cert.verify_code, "issue_date": issue_date.isoformat(),
        "person_in_charge": person_in_charge, "handler": actor.display_name or actor.username,
        "contact": contact, "notes": (notes or "").strip()[:300],
    })
    cert.snapshot = contents
    cert.status = CertificateStatus.ISSUED
    cert.issued_at = now
    cert.save(update_fields=["number", "verify_code", "snapshot", "status", "issued_at"])
    _event(cert, CertificateStatus.ACCEPTED, actor)
    user = cert.volunteer.person.user
    if user is not None:
        notification_create(user=user, kind="recognition.certificate_issued", title=str(_("您的志愿服务证明已开具")),
                            body=str(_("证明编号 %(number)s，累计服务时长 %(hours)s 小时。") % {
                                "number": cert.number, "hours": contents["hours"]}),
                            url=reverse("recognition:mine"))
    return cert


@transaction.atomic
def certificate_revoke(*, certificate: Certificate, actor, reason: str) -> Certificate:
    """作废: the verify page then says the certificate is no longer valid; its contents stay as issued."""
    scoping.require(actor, perms.ISSUE_CERTIFICATE, certificate.unit)
    reason = (reason or "").strip()
    if not reason:
        raise RecognitionError.REASON_REQUIRED.error(detail={"field": "reason"})
    cert = _lock(certificate)
    if cert.status != CertificateStatus.ISSUED:
        raise RecognitionError.BAD_TRANSITION.error(detail={"status": cert.status})
    cert.status = CertificateStatus.REVOKED
    cert.save(update_fields=["status"])
    _event(cert, CertificateStatus.ISSUED, actor, reason)
    return cert


# --- ratings --------------------------------------------------------------------------------------------------


@transaction.atomic
def rating_record(*, activity: Activity, volunteer: VolunteerProfile, score: int, actor,
                  rater_kind: str = RaterKind.ORGANISER, beneficiary_label: str = "", comment: str = "") -> Rating:
    """Rate a volunteer's service on an activity 1–5 (评价情况, R-V2); the same rater's earlier rating is superseded."""
    scoping.require(actor, perms.RATE, activity.unit)
    if rater_kind not in RaterKind.values:
        raise RecognitionError.RATER_KIND_INVALID.error(detail={"field": "rater_kind"})
    if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
        raise RecognitionError.SCORE_INVALID.error(detail={"field": "score"})
    beneficiary_label = (beneficiary_label or "").strip()[:50]
    if rater_kind == RaterKind.BENEFICIARY and not beneficiary_label:
        raise RecognitionError.BENEFICIARY_REQUIRED.error(detail={"field": "beneficiary_label"})
    if rater_kind == RaterKind.ORGANISER:
        beneficiary_label = ""
    if not selectors.records_that_count(volunteer).filter(activity=activity).exists():
        raise RecognitionError.NOT_SERVED.error()
    _lock_volunteers([volunteer.pk])
    previous = selectors.current_ratings().filter(activity=activity, volunteer=volunteer, rater_kind=rater_kind,
                                                  rated_by=actor, beneficiary_label=beneficiary_label).first()
    return Rating.objects.create(activity=activity, volunteer=volunteer, unit_path=activity.unit.path, score=score,
                                 rater_kind=rater_kind, beneficiary_label=beneficiary_label,
                                 comment=(comment or "").strip()[:300], supersedes=previous, rated_by=actor,
                                 rated_at=clock.now())


# --- honours --------------------------------------------------------------------------------------------------


@transaction.atomic
def honours_publish(*, unit: Unit, year: int, title: str, top: int, actor) -> HonourList:
    """Publish the top volunteers of ``unit`` by incentive score for ``year`` as an honours list (表彰, R-V2)."""
    scoping.require(actor, perms.PUBLISH_HONOURS, unit)
    period = selectors.year_period(year)
    title = (title or "").strip()
    if not title or len(title) > 60:
        raise RecognitionError.TITLE_INVALID.error(detail={"field": "title"})
    if not 1 <= top <= 100:
        raise RecognitionError.TOP_INVALID.error(detail={"field": "top"})
    if year > selectors.local_today().year:
        raise RecognitionError.YEAR_INVALID.error(detail={"field": "year"})
    if HonourList.objects.filter(unit=unit, year=year, title=title).exists():
        raise RecognitionError.HONOURS_PUBLISHED.error()
    ranking = selectors.incentive_ranking(unit=unit, period=period, top=top)
    if not ranking:
        raise RecognitionError.NO_HONOUREES.error()
    honour_list = HonourList.objects.create(unit=unit, year=year, title=title, formula=ranking[0][1].formula,
                                            published_by=actor, published_at=clock.now())
    Honour.objects.bulk_create([Honour(honour_list=honour_list, volunteer=v, rank=i, score=s.total)
                                for i, (v, s) in enumerate(ranking, start=1)])
    return honour_list
