"""Turn activities, sign-ups, beneficiaries and policies into the dicts the API schemas and pages share."""

from __future__ import annotations

from .models import Activity, BeneficiaryCount, InsurancePolicy, Project, Signup
from .selectors import waitlist_position


def activity_list_item(a: Activity) -> dict:
    return {
        "id": a.pk, "title": a.title, "status": a.status, "status_name": a.get_status_display(),
        "category": a.category.code, "category_name": a.category.name, "unit_id": a.unit_id, "unit_name": a.unit.name,
        "organiser_id": a.organiser_id, "organiser_name": a.organiser.name if a.organiser else None,
        "project_id": a.project_id, "starts_at": a.starts_at, "ends_at": a.ends_at, "capacity": a.capacity,
        "confirmed_count": a.confirmed_count, "waitlist_count": a.waitlist_count, "audience": a.audience,
        "address": a.address,
    }


def activity_detail(a: Activity, *, can_manage: bool, my_signup: Signup | None) -> dict:
    live = my_signup is not None and my_signup.status in ("pending", "confirmed", "waitlisted")
    return {
        **activity_list_item(a), "description": a.description, "latitude": a.latitude, "longitude": a.longitude,
        "checkin_radius_m": a.checkin_radius_m, "requires_approval": a.requires_approval, "min_age": a.min_age,
        "dangerous": a.category.dangerous, "skills": [s.code for s in a.skills.all()], "can_manage": can_manage,
        "my_signup_id": my_signup.pk if live else None, "my_status": my_signup.status if my_signup else None,
        "my_waitlist_position": waitlist_position(my_signup) if live else None,
    }


def project_item(p: Project) -> dict:
    return {"id": p.pk, "name": p.name, "unit_id": p.unit_id, "unit_name": p.unit.name, "category": p.category.code,
            "organiser_id": p.organiser_id, "description": p.description, "starts_on": p.starts_on,
            "ends_on": p.ends_on, "active": p.active}


def signup_item(s: Signup, *, position: int | None = None) -> dict:
    """Organisers see a masked phone only (R-P3)."""
    person = s.volunteer.person
    return {
        "id": s.pk, "activity_id": s.activity_id, "volunteer_id": s.volunteer_id, "volunteer_number": s.volunteer.number,
        "name": person.name, "phone": person.phone_masked, "status": s.status, "status_name": s.get_status_display(),
        "guardian_name": s.guardian_name, "guardian_present": s.guardian_present, "note": s.note,
        "created_at": s.created_at, "waitlist_position": position,
    }


def signup_items(signups) -> list[dict]:
    """Sign-ups of one activity in order, with waitlist positions counted once."""
    out, n = [], 0
    for s in signups:
        position = None
        if s.status == "waitlisted":
            n += 1
            position = n
        out.append(signup_item(s, position=position))
    return out


def my_signup_item(s: Signup) -> dict:
    a = s.activity
    return {"id": s.pk, "activity_id": a.pk, "activity_title": a.title, "starts_at": a.starts_at,
            "ends_at": a.ends_at, "address": a.address, "status": s.status, "status_name": s.get_status_display(),
            "waitlist_position": waitlist_position(s)}


def beneficiary_item(b: BeneficiaryCount) -> dict:
    return {"id": b.pk, "group": b.group, "group_name": b.get_group_display(), "count": b.count,
            "supersedes_id": b.supersedes_id, "note": b.note, "recorded_at": b.recorded_at}


def policy_item(p: InsurancePolicy) -> dict:
    return {"id": p.pk, "unit_id": p.unit_id, "unit_name": p.unit.name, "insurer": p.insurer,
            "policy_number": p.policy_number, "starts_on": p.starts_on, "ends_on": p.ends_on,
            "activity_ids": sorted(a.pk for a in p.activities.all()), "note": p.note}
