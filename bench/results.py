"""bench/RESULTS.md holds one section per benchmark (a ``# Title`` line and what follows it, up to the next one).

Each benchmark replaces its own section and keeps the others, in the order they first appeared. A benchmark also
adds its headline figure to the summary file named by ``BENCH_SUMMARY`` (one JSON object a line) when
``python -m bench all`` runs it, for the closing summary table.
"""

from __future__ import annotations

import json
import os
import statistics
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


def sections(path: Path = PATH) -> list[str]:
    return _sections(path.read_text()) if path.exists() else []


def read_section(prefix: str, path: Path = PATH) -> str:
    """The section whose title line starts with ``prefix`` ("" if there is none)."""
    if not path.exists():
        return ""
    return next((s for s in _sections(path.read_text()) if s.splitlines()[0].startswith(prefix)), "")


def write_section(text: str, path: Path = PATH, *, first: bool = False) -> None:
    """Replace the section whose title line equals the first line of ``text`` (or append it; ``first``: put a new
    one at the top)."""
    title = text.strip().splitlines()[0]
    sections = _sections(path.read_text()) if path.exists() else []
    for i, section in enumerate(sections):
        if section.splitlines()[0] == title:
            sections[i] = text.strip() + "\n"
            break
    else:
        if first:
            sections.insert(0, text.strip() + "\n")
        else:
            sections.append(text.strip() + "\n")
    path.write_text("\n".join(sections))


def percentiles(samples: list[float]) -> tuple[float, float]:
    """(p50, p95) by nearest rank."""
    s = sorted(samples)
    return statistics.median(s), s[min(len(s) - 1, int(round(0.95 * (len(s) - 1))))]


def summary_add(*, benchmark: str, figure: str, goal: str, baseline: str, ratio: str, met: bool | None) -> None:
    """One row of the closing summary (only while ``python -m bench all`` collects them)."""
    path = os.environ.get("BENCH_SUMMARY")
    if not path:
        return
    with open(path, "a") as fh:
        fh.write(json.dumps({"benchmark": benchmark, "figure": figure, "goal": goal, "baseline": baseline,
                             "ratio": ratio, "met": met}, ensure_ascii=False) + "\n")
