"""The three lists' state tables (style habit 7): which action moves a need, a match or a project from where to where.

Each entry is ``action: (allowed source statuses, target status)``; the services read these and nothing else.
"""

from __future__ import annotations

from .models import MatchStatus, NeedStatus, ProjectStatus

NEED_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "match": (frozenset({NeedStatus.OPEN}), NeedStatus.MATCHED),  # a match was agreed
    "serve": (frozenset({NeedStatus.OPEN, NeedStatus.MATCHED}), NeedStatus.SERVED),  # a match was served
    "reopen": (frozenset({NeedStatus.MATCHED}), NeedStatus.OPEN),  # the last agreed match was withdrawn
    "close": (frozenset({NeedStatus.OPEN, NeedStatus.MATCHED}), NeedStatus.CLOSED),  # no longer needed
}

# A need takes new proposals only while it is still waiting or being served.
NEED_MATCHABLE = frozenset({NeedStatus.OPEN, NeedStatus.MATCHED})

MATCH_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "agree": (frozenset({MatchStatus.PROPOSED}), MatchStatus.AGREED),
    "serve": (frozenset({MatchStatus.AGREED}), MatchStatus.SERVED),
    "withdraw": (frozenset({MatchStatus.PROPOSED, MatchStatus.AGREED}), MatchStatus.WITHDRAWN),
}

PROJECT_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "start": (frozenset({ProjectStatus.PLANNED}), ProjectStatus.RUNNING),
    "finish": (frozenset({ProjectStatus.RUNNING}), ProjectStatus.FINISHED),
}

# Projects that take matched needs (政府买单 → 社工派单 → 志愿者接单 while the project runs).
PROJECT_MATCHABLE = frozenset({ProjectStatus.RUNNING})

# Appeal categories of livelihood services (appeals' S-codes) → the service kind a need from them is filed under.
APPEAL_CATEGORY_KIND = {
    "S01": "repair", "S02": "elderly", "S03": "disability", "S04": "sanitation", "S05": "mediation",
    "C03": "sanitation", "E01": "sanitation",
}


def allowed(table: dict[str, tuple[frozenset[str], str]], status: str) -> list[str]:
    return [action for action, (sources, _target) in table.items() if status in sources]
