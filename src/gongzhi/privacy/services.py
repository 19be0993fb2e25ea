"""Writes for the access log."""

from __future__ import annotations

from collections.abc import Iterable

from gongzhi.core import net

from .models import AccessLog


def client_ip(request) -> str | None:
    if request is None:
        return None
    return net.client_ip(request) or None


def access_log_record(
    *,
    actor,
    subject_type: str,
    unit_path: str,
    fields: Iterable[str],
    channel: str,
    subject_id: int | None = None,
    subject_label: str = "",
    purpose: str = "",
    record_count: int = 1,
    request=None,
) -> AccessLog:
    """Record that ``actor`` read ``fields`` of a subject (or ``record_count`` subjects) unmasked."""
    return AccessLog.objects.create(
        actor=actor,
        subject_type=subject_type,
        subject_id=subject_id,
        subject_label=subject_label[:80],
        unit_path=unit_path,
        fields=sorted(set(fields)),
        channel=channel,
        purpose=purpose[:200],
        record_count=record_count,
        ip_address=client_ip(request),
    )
