"""Plain dicts for the API (and htmx partials) from hours rows; no queries beyond what the selectors loaded."""

from __future__ import annotations

from .models import Dispute, ServiceRecord
from .selectors import AttendanceRow


def attendance_item(row: AttendanceRow) -> dict:
    a = row.attendance
    return {
        "id": a.pk, "activity_id": a.activity_id, "volunteer_id": a.volunteer_id,
        "volunteer_name": a.volunteer.person.name, "day": a.day, "checked_in_at": a.checked_in_at,
        "in_method": a.in_method, "checked_out_at": a.checked_out_at, "out_method": a.out_method,
        "missing_checkout": row.missing_checkout, "hours": row.derived.hours if row.derived else None,
        "record_id": row.record.pk if row.record else None,
    }


def record_item(r: ServiceRecord) -> dict:
    return {
        "id": r.pk, "volunteer_id": r.volunteer_id, "volunteer_name": r.volunteer.person.name,
        "activity_id": r.activity_id, "activity_title": r.activity.title, "unit_path": r.unit_path, "day": r.day,
        "started_at": r.started_at, "ended_at": r.ended_at, "hours": r.hours, "content": r.content,
        "source": r.source, "source_name": str(r.get_source_display()), "kind": r.kind,
        "kind_name": str(r.get_kind_display()), "supersedes_id": r.supersedes_id, "reason": r.reason,
        "confirmed_by": str(r.confirmed_by) if r.confirmed_by_id else None, "confirmed_at": r.confirmed_at,
    }


def dispute_item(d: Dispute) -> dict:
    resolution = getattr(d, "resolution", None) if d.status == "resolved" else None
    return {
        "id": d.pk, "record_id": d.record_id, "volunteer_name": d.record.volunteer.person.name,
        "activity_title": d.record.activity.title, "reason": d.reason, "status": d.status, "opened_at": d.opened_at,
        "resolution_note": resolution.note if resolution else None,
        "correction_id": resolution.correction_id if resolution else None,
        "resolved_at": resolution.resolved_at if resolution else None,
    }
