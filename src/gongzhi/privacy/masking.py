"""How personal data looks when the reader may not see it in full (R-P3)."""

from __future__ import annotations


def mask_id_number(value: str) -> str:
    """370117********002X: region and last four stay, birth date and sequence go."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    """138****5678."""
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(value: str) -> str:
    """张*丰 / 张* — for public boards."""
    if not value:
        return ""
    if len(value) == 1:
        return value
    if len(value) == 2:
        return value[0] + "*"
    return value[0] + "*" * (len(value) - 2) + value[-1]


def mask_address(value: str) -> str:
    """Keep the first part of an address (road/compound), hide building and door numbers."""
    if not value:
        return ""
    keep = max(2, min(len(value) // 2, 8))
    return value[:keep] + "****"
