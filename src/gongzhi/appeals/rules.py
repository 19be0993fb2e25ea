"""Rules as data: the allowed transitions of an appeal (R-H1, R-H5) and the time limits per urgency (R-H3, R-H8)."""

from __future__ import annotations

from dataclasses import dataclass

from .models import AppealState as S
from .models import Urgency

# action → (states it may start from, state it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "accept": (frozenset({S.SUBMITTED}), S.ACCEPTED),
    "dispatch": (frozenset({S.ACCEPTED, S.DISPATCHED}), S.DISPATCHED),
    "take": (frozenset({S.DISPATCHED}), S.DISPATCHED),  # 接单: a team member or volunteer takes a dispatched order
    "start": (frozenset({S.DISPATCHED}), S.IN_PROGRESS),
    "resolve": (frozenset({S.IN_PROGRESS}), S.RESOLVED),
    "inform": (frozenset({S.RESOLVED}), S.INFORMED),
    "rate": (frozenset({S.INFORMED}), S.RATED),
    "visit": (frozenset({S.RATED}), S.VISITED),
    "close": (frozenset({S.VISITED}), S.CLOSED),
    "reopen": (frozenset({S.RATED, S.VISITED}), S.ACCEPTED),  # 重办 (R-H5): back to the owner
    "reject": (frozenset({S.SUBMITTED}), S.REJECTED),  # R-H2
    "merge": (frozenset({S.SUBMITTED, S.ACCEPTED}), S.MERGED),
}

# actions only the 首问负责人 (owner) may take once the appeal is accepted (R-H8)
OWNER_ACTIONS = frozenset({"dispatch", "inform", "visit", "close", "reopen"})

FINISHED = frozenset({S.CLOSED, S.REJECTED, S.MERGED})

UNSATISFIED_RATING = 2  # a rating at or below this one means 重办 (R-H5)


def allowed_actions(state: str) -> list[str]:
    return [action for action, (sources, _) in TRANSITIONS.items() if state in sources]


@dataclass(frozen=True)
class Limit:
    accept_working_hours: int
    reply_working_days: int


# R-H3: reply within 5 working days; urgent matters are accepted and answered sooner.
LIMITS: dict[str, Limit] = {
    Urgency.NORMAL: Limit(accept_working_hours=8, reply_working_days=5),
    Urgency.URGENT: Limit(accept_working_hours=2, reply_working_days=2),
    Urgency.EMERGENCY: Limit(accept_working_hours=1, reply_working_days=1),
}

YELLOW_WORKING_DAYS = 1  # R-H8: warn one working day before the deadline
