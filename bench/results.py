"""bench/RESULTS.md holds one section per benchmark (a ``# Title`` line and what follows it, up to the next one).

Each benchmark replaces its own section and keeps the others, in the order they first appeared.
"""

from __future__ import annotations

from pathlib import Path

PATH = Path(__file__).resolve().parent / "RESULTS.md"


def _sections(text: str) -> list[str]:
    out: list[list[str]] = []
    fence = False
    for line in text.splitlines():
        if line.startswith("```"):
            fence = not fence
        if line.startswith("# ") and not fence:
            out.append([])
        if not out:
            out.append([])
        out[-1].append(line)
    return ["\n".join(lines).strip() + "\n" for lines in out if "\n".join(lines).strip()]


def write_section(text: str, path: Path = PATH) -> None:
    """Replace the section whose title line equals the first line of ``text`` (or append it)."""
    title = text.strip().splitlines()[0]
    sections = _sections(path.read_text()) if path.exists() else []
    for i, section in enumerate(sections):
        if section.splitlines()[0] == title:
            sections[i] = text.strip() + "\n"
            break
    else:
        sections.append(text.strip() + "\n")
    path.write_text("\n".join(sections))
