"""Turn people and volunteers into the dicts the API schemas and the export share (masked unless revealed)."""

from __future__ import annotations

from .models import Person, VolunteerProfile
from .rules import volunteer_rules
from .selectors import PersonView


def person_list_item(p: Person) -> dict:
    tags = list(p.tags.all())
    visible = [t.name for t in tags if not t.sensitive]
    try:
        number = p.volunteer.number
    except VolunteerProfile.DoesNotExist:
        number = None
    return {
        "id": p.pk, "name": p.name, "sex": p.sex, "birth_year": p.birth_date.year if p.birth_date else None,
        "unit_id": p.unit_id, "unit_name": p.unit.name, "id_number": p.id_number_masked, "phone": p.phone_masked,
        "tags": visible, "hidden_tags": len(tags) - len(visible), "volunteer_number": number,
    }


def person_detail(view: PersonView) -> dict:
    p = view.person
    try:
        vol = p.volunteer
    except VolunteerProfile.DoesNotExist:
        vol = None
    return {
        # The masked ID number hides exactly the birth date: without a reveal only the year is given (R-P3).
        "id": p.pk, "name": p.name, "name_pinyin": p.name_pinyin, "sex": p.sex,
        "birth_date": p.birth_date if view.revealed else None, "birth_year": p.birth_date.year if p.birth_date else None,
        "unit_id": p.unit_id, "unit_name": p.unit.name, "household": p.household.label if p.household else None,
        "id_type": p.id_type, "id_number": view.id_number, "phone": view.phone, "address": view.address,
        "tags": [{"code": t.code, "name": t.name, "sensitive": t.sensitive} for t in view.tags],
        "hidden_tags": view.hidden_tag_count, "revealed": view.revealed, "can_reveal": view.can_reveal,
        "can_edit": view.can_edit, "volunteer_id": vol.pk if vol else None, "volunteer_number": vol.number if vol else None,
    }


def volunteer_list_item(v: VolunteerProfile) -> dict:
    return {
        "id": v.pk, "number": v.number, "person_id": v.person_id, "name": v.person.name, "status": v.status,
        "status_name": str(v.get_status_display()), "unit_id": v.unit_id, "unit_name": v.unit.name,
        "skills": [s.name for s in v.skills.all()], "applied_at": v.applied_at,
    }


def volunteer_detail(v: VolunteerProfile) -> dict:
    data = volunteer_list_item(v)
    data.update(
        availability=list(v.availability or []),
        motivation=v.motivation,
        reviews=[{"round": r.round, "decision": r.decision, "note": r.note, "reviewer": str(r.reviewer), "at": r.at}
                 for r in v.reviews.select_related("reviewer")],
        status_changes=[{"from_status": c.from_status, "to_status": c.to_status, "reason": c.reason, "at": c.at}
                        for c in v.status_changes.all()],
        certificates=[{"id": c.pk, "name": c.name, "number": c.number, "skill": c.skill.name if c.skill else None,
                       "issued_on": c.issued_on, "expires_on": c.expires_on}
                      for c in v.certificates.select_related("skill")],
        rounds_required=volunteer_rules().screening_rounds,
    )
    return data
