"""One seed run: the kinds in dependency order, each in its own transaction with its own random stream
(``random.Random(f"{seed}:{kind}")``), so the same seed and the same moment give the same rows."""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.core import clock

from . import activities, appeals, org, people, places, points, volunteers
from .bulk import Bulk
from .scales import Scale

KINDS = ("org", "people", "volunteers", "activities", "appeals", "points", "places")
NEEDS = {"people": {"org"}, "volunteers": {"people"}, "activities": {"volunteers"}, "appeals": {"org"},
         "points": {"volunteers"}, "places": {"org"}}


class SeedError(Exception):
    """Why a seed run cannot start (shown to the operator)."""


@dataclass
class Report:
    scale: Scale
    seed: int
    now: dt.datetime
    counts: dict = field(default_factory=dict)
    seconds: dict = field(default_factory=dict)  # kind → seconds
    rates: dict = field(default_factory=dict)  # table → (rows, seconds)
    world: org.World | None = None


def closure(kinds) -> list[str]:
    """The kinds asked for and every kind they need, in run order."""
    wanted = set(kinds)
    while True:
        more = set().union(*(NEEDS.get(k, set()) for k in wanted)) - wanted
        if not more:
            break
        wanted |= more
    return [k for k in KINDS if k in wanted]


def anchor(now: dt.datetime | None = None) -> dt.datetime:
    """The moment the generated history ends: the start of today (Asia/Shanghai) unless given."""
    from django.utils import timezone

    local = timezone.localtime(now or clock.now())
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def run(scale: Scale, *, seed: int = 1, now: dt.datetime | None = None, kinds=KINDS, log=print,
        derived: bool = True) -> Report:
    """Generate ``kinds`` (and what they need) at ``scale``. ``derived``: then rebuild what the application keeps
    from the base rows — the dashboard's rollups (``gongzhi rollups --rebuild``) and the dispatch candidate table
    (``gongzhi dispatch --rebuild-candidates``) — as an operator would after a bulk load (the benchmarks time
    those themselves)."""
    from gongzhi.org.models import Unit

    root = scale.tree.root
    prefix = root[:2] if root.endswith("0000") else root[:4] if root.endswith("00") else root
    if Unit.objects.filter(path__startswith=prefix).exists():  # the tree, or a part of it, is there already
        raise SeedError(_("单元 %(code)s 已存在：请在空数据库中生成规模数据。") % {"code": scale.tree.root})
    report = Report(scale=scale, seed=seed, now=anchor(now))
    bulk = Bulk(log)
    state: dict = {}

    def rng(kind: str) -> random.Random:
        return random.Random(f"{seed}:{kind}")

    steps = {
        "org": lambda: org.build(scale, rng("org"), bulk, report.now),
        "people": lambda: people.generate(state["org"], scale.people, rng("people"), bulk),
        "volunteers": lambda: volunteers.generate(state["org"], state["people"], scale.volunteers,
                                                  rng("volunteers"), bulk),
        "activities": lambda: activities.generate(state["org"], state["volunteers"], scale.records,
                                                  rng("activities"), bulk),
        "appeals": lambda: appeals.generate(state["org"], scale.appeals, rng("appeals"), bulk),
        "points": lambda: points.generate(state["org"], state["people"], state["volunteers"], scale.points,
                                          rng("points"), bulk),
        "places": lambda: places.generate(state["org"], scale.places, rng("places"), bulk),
    }
    for kind in closure(kinds):
        log(f"{kind} …")
        started = time.perf_counter()
        with transaction.atomic():
            bulk.begin()
            state[kind] = steps[kind]()
            bulk.finish()
        report.seconds[kind] = time.perf_counter() - started
        out = state[kind]
        report.counts[kind] = out if isinstance(out, dict) else {"rows": len(out.units) if kind == "org" else len(out)}
        log(f"{kind}: {report.seconds[kind]:.1f} s")
    started = time.perf_counter()
    bulk.analyze()
    log(f"statistics: {time.perf_counter() - started:.1f} s")
    if derived:
        done = set(closure(kinds))
        if "activities" in done:
            from gongzhi.reports import rollups

            started = time.perf_counter()
            counts = rollups.rebuild()
            report.seconds["rollups"] = time.perf_counter() - started
            log(f"rollups rebuilt: {counts} in {report.seconds['rollups']:.1f} s")
        if "volunteers" in done:
            from gongzhi.dispatch import services as dispatch

            started = time.perf_counter()
            n = dispatch.candidates_rebuild(batch=10_000)
            report.seconds["candidates"] = time.perf_counter() - started
            log(f"dispatch candidates rebuilt: {n:,} rows in {report.seconds['candidates']:.1f} s")
    report.rates = dict(bulk.rates)
    report.world = state.get("org")
    return report
