"""Plain dicts for the API and pages, built from selectors' results (one place that decides what is shown)."""

from __future__ import annotations

from decimal import Decimal

from . import selectors
from .models import Certificate, CertificateStatus, HonourList, Rating, StarAward, StarCandidateList
from .selectors import Score, StarStatus

CENT = Decimal("0.01")


def _q(value: Decimal | None) -> Decimal | None:
    """Two decimals for display (stored hours keep four, R-V4), the same on SQLite and PostgreSQL."""
    return None if value is None else Decimal(value).quantize(CENT)


def star(s: StarStatus) -> dict:
    return {"level": s.level, "eligible_level": s.eligible_level, "hours": _q(s.hours), "next_level": s.next_level,
            "next_min_hours": _q(s.next_min_hours), "hours_to_next": _q(s.hours_to_next)}


def score(s: Score) -> dict:
    return {"period": str(s.period.label), "start": s.period.start, "end": s.period.end,
            "formula_version": s.formula.version, "formula_note": s.formula.note, "total": _q(s.total),
            "items": [{"key": i.key, "label": str(i.label), "value": _q(i.value), "weight": i.weight,
                       "points": _q(i.points)}
                      for i in s.items]}


def candidate(row) -> dict:
    v = row.volunteer
    return {"volunteer_id": v.pk, "name": v.person.name, "number": v.number, "unit": v.unit.name,
            "current_level": row.current_level, "level": row.level, "hours": _q(row.hours)}


def candidate_list(cl: StarCandidateList) -> dict:
    return {"id": cl.pk, "unit_id": cl.unit_id, "unit": cl.unit.name, "period_end": cl.period_end,
            "published_by": str(cl.published_by), "published_at": cl.published_at,
            "items": [candidate(e) for e in cl.entries.all()]}


def award(a: StarAward) -> dict:
    return {"id": a.pk, "volunteer_id": a.volunteer_id, "kind": a.kind, "level": a.level,
            "hours_at_award": _q(a.hours_at_award), "approved_by": str(a.approved_by), "approved_at": a.approved_at}


def certificate(c: Certificate) -> dict:
    issued = c.status in (CertificateStatus.ISSUED, CertificateStatus.REVOKED)
    return {"id": c.pk, "volunteer_id": c.volunteer_id, "volunteer_name": c.volunteer.person.name,
            "unit_id": c.unit_id, "unit": c.unit.name, "status": c.status, "status_label": str(c.get_status_display()),
            "period_start": c.period_start, "period_end": c.period_end, "purpose": c.purpose,
            "requested_at": c.requested_at, "number": c.number, "issued_at": c.issued_at,
            "verify_code": c.verify_code if issued else None, "contents": c.snapshot if issued else None}


def verification(c: Certificate) -> dict:
    """Only what the certificate itself shows (masked ID, R-P3), and whether it is still valid."""
    s = c.snapshot
    return {"valid": c.status == CertificateStatus.ISSUED, "status": c.status,
            "status_label": str(c.get_status_display()), "number": s["number"],
            "volunteer_name": s["volunteer_name"], "id_type": s["id_type"], "id_number_masked": s["id_number_masked"],
            "volunteer_number": s["volunteer_number"], "hours": s["hours"], "period_start": s["period_start"],
            "period_end": s["period_end"], "issuer_name": s["issuer_name"], "issue_date": s["issue_date"],
            "content": s["content"]}


def rating(r: Rating) -> dict:
    return {"id": r.pk, "activity_id": r.activity_id, "activity": r.activity.title, "volunteer_id": r.volunteer_id,
            "volunteer_name": r.volunteer.person.name, "score": r.score, "rater_kind": r.rater_kind,
            "beneficiary_label": r.beneficiary_label, "comment": r.comment, "supersedes_id": r.supersedes_id,
            "rated_by": str(r.rated_by), "rated_at": r.rated_at}


def honour_list(hl: HonourList) -> dict:
    return {"id": hl.pk, "unit_id": hl.unit_id, "unit": hl.unit.name, "year": hl.year, "title": hl.title,
            "formula_version": hl.formula.version, "published_by": str(hl.published_by),
            "published_at": hl.published_at,
            "items": [{"rank": h.rank, "volunteer_id": h.volunteer_id, "name": h.volunteer.person.name,
                       "number": h.volunteer.number, "score": _q(h.score)} for h in hl.honours.all()]}


def recognition(volunteer, year: int | None) -> dict:
    """Level, hours, next level and the incentive score with its formula: what a volunteer is shown about themself."""
    period = selectors.year_period(year or selectors.local_today().year)
    honours = [{"year": h.honour_list.year, "title": h.honour_list.title, "unit": h.honour_list.unit.name,
                "rank": h.rank} for h in selectors.volunteer_honours(volunteer)]
    return {"volunteer_id": volunteer.pk, "name": volunteer.person.name, "number": volunteer.number,
            "unit": volunteer.unit.name, "star": star(selectors.star_status(volunteer)),
            "score": score(selectors.incentive_score(volunteer, period)), "honours": honours}
