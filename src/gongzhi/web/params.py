"""Reading query parameters on pages: bounded, NUL-free text and forgiving integers (never a 500 on odd input)."""

from __future__ import annotations


def search_text(request, name: str = "q", limit: int = 50) -> str:
    """A search box's text: trimmed, bounded, without NUL characters (PostgreSQL refuses them in text)."""
    return request.GET.get(name, "").replace("\x00", "").strip()[:limit]


def int_param(value, default: int | None = 1) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default
