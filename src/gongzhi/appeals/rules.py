"""Rules as data: the allowed transitions of an appeal (R-H1, R-H4, R-H5), the default time limits per urgency
(R-H3, R-H8; configured ``TimeLimit`` rows override them), extension and return windows, the escalation ladder."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models

from .models import AppealState as S
from .models import TimeLimit, Urgency

STAY = ""  # target of an action that leaves the state as it is

# action → (states it may start from, state it leads to; STAY keeps the current one)
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
    # R-H4: more time for the reply, the state stays
    "extend": (frozenset({S.ACCEPTED, S.DISPATCHED, S.IN_PROGRESS}), STAY),
    # R-H4 退回: the receiver of a wrongly dispatched order sends it back to the owner
    "return": (frozenset({S.DISPATCHED}), S.ACCEPTED),
    # 升级: one tier up (小事不出网格，大事不出街道); the job escalates red items, the owner may escalate a matter
    "escalate": (frozenset({S.SUBMITTED, S.ACCEPTED, S.DISPATCHED, S.IN_PROGRESS}), STAY),
}

# actions only the 首问负责人 (owner) may take once the appeal is accepted (R-H8)
OWNER_ACTIONS = frozenset({"dispatch", "inform", "visit", "close", "reopen", "extend", "escalate"})

FINISHED = frozenset({S.CLOSED, S.REJECTED, S.MERGED})

UNSATISFIED_RATING = 2  # a rating at or below this one means 重办 (R-H5)


def allowed_actions(state: str) -> list[str]:
    return [action for action, (sources, _) in TRANSITIONS.items() if state in sources]


def target_state(action: str, state: str) -> str:
    target = TRANSITIONS[action][1]
    return state if target == STAY else target


@dataclass(frozen=True)
class Limit:
    accept_working_hours: int
    reply_working_days: int
    dispatch_working_hours: int = 8


# R-H3: reply within 5 working days; urgent matters are accepted, dispatched and answered sooner. The fallback when no
# configured TimeLimit row matches (see :func:`limit_for`).
LIMITS: dict[str, Limit] = {
    Urgency.NORMAL: Limit(accept_working_hours=8, reply_working_days=5, dispatch_working_hours=8),
    Urgency.URGENT: Limit(accept_working_hours=2, reply_working_days=2, dispatch_working_hours=2),
    Urgency.EMERGENCY: Limit(accept_working_hours=1, reply_working_days=1, dispatch_working_hours=1),
}

def limit_for(*, category, urgency: str, at) -> Limit:
    """The limit in force at ``at``: the most specific configured row (leaf, then its major class, then any category),
    the latest ``effective_from`` among equals; ``LIMITS`` when no row matches (R-H8, R-U3)."""
    categories = [c for c in (category, getattr(category, "parent", None)) if c is not None]
    rows = TimeLimit.objects.filter(urgency=urgency, effective_from__lte=at).filter(
        models.Q(category__isnull=True) | models.Q(category__in=categories)).order_by("-effective_from", "-pk")
    rank = {c.pk: i for i, c in enumerate(categories)}
    best = min(rows, key=lambda r: rank.get(r.category_id, len(categories)), default=None)
    if best is None:
        return LIMITS[urgency]
    return Limit(accept_working_hours=best.accept_working_hours, reply_working_days=best.reply_working_days,
                 dispatch_working_hours=best.dispatch_working_hours)


MAX_EXTENSION_WORKING_DAYS = 10  # R-H4: extensions add up to at most 10 working days beyond the reply limit
RETURN_WINDOW_WORKING_DAYS = 2  # R-H4: a wrongly dispatched order is returned within 2 working days of dispatch

# 升级: the tier an appeal's responsibility moves to, by the kind of the current responsible unit
ESCALATION_LADDER: dict[str, str] = {
    "grid": "community",
    "village": "street",
    "community": "street",
    "street": "district",
}

YELLOW_WORKING_DAYS = 1  # R-H8: warn one working day before the deadline
