"""The 钢城区 demo district: one loader asks each app to contribute its part (style habit 14).

An app contributes by having a ``demo`` module with ``contribute(ctx: DemoContext) -> None``. Apps are asked in
``INSTALLED_APPS`` order (org → accounts → people → capabilities), inside one transaction, each with its own random
generator derived from the demo seed, so the same code always builds the same district and adding an app does not
reshuffle the others. A contributor finds what earlier apps built by natural key (``ctx.unit(code)``,
``ctx.user(username)``), never by holding their objects.

Loading twice is a no-op: the demo is present when the district and the ``demo-district`` login exist. An app added
after the demo was loaded may define ``is_loaded() -> bool``; it is then asked to contribute on the next load. The
demo never loads into a database that holds other units: its logins have a published password.
"""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import ModuleType

from django.apps import apps
from django.db import transaction

from gongzhi.core import clock
from gongzhi.core.demo_data.logins import DEMO_PASSWORD, LOGINS
from gongzhi.core.demo_data.places import DISTRICT_CODE

SEED = 20251124
MARKER_USERNAME = "demo-district"
DEFAULT_RESIDENTS = 2000
DEFAULT_VOLUNTEERS = 500

__all__ = ["DEMO_PASSWORD", "LOGINS", "DemoContext", "DemoRefused", "DemoResult", "demo_load", "demo_present"]


class DemoRefused(Exception):
    """The database holds data that is not the demo; loading demo logins with a known password there is refused."""


@dataclass
class DemoContext:
    residents: int
    volunteers: int
    today: dt.date
    log: Callable[[str], None]
    counts: dict[str, int] = field(default_factory=dict)
    _units: dict = field(default_factory=dict, repr=False)
    _users: dict = field(default_factory=dict, repr=False)

    def rng(self, label: str) -> random.Random:
        """A generator of its own for each contributor (string seeds are hashed deterministically)."""
        return random.Random(f"{SEED}:{label}")

    def unit(self, code: str):
        from gongzhi.org.models import Unit

        if code not in self._units:
            self._units[code] = Unit.objects.get(code=code)
        return self._units[code]

    def user(self, username: str):
        from gongzhi.accounts.models import User

        if username not in self._users:
            self._users[username] = User.objects.get(username=username)
        return self._users[username]

    def count(self, name: str, n: int) -> None:
        self.counts[name] = self.counts.get(name, 0) + n


@dataclass
class DemoResult:
    loaded: bool
    seconds: float
    counts: dict[str, int]
    apps: list[str]


def demo_present() -> bool:
    from gongzhi.accounts.models import User
    from gongzhi.org.models import Unit

    return Unit.objects.filter(code=DISTRICT_CODE).exists() and User.objects.filter(username=MARKER_USERNAME).exists()


def contributors() -> Iterator[tuple[str, ModuleType]]:
    """(app label, demo module) for every installed app with a ``demo.contribute``, in INSTALLED_APPS order."""
    for config in apps.get_app_configs():
        name = f"{config.name}.demo"
        if name == __name__ or importlib.util.find_spec(name) is None:
            continue
        module = importlib.import_module(name)
        if callable(getattr(module, "contribute", None)):
            yield config.label, module


def analyze_app(label: str) -> None:
    """Fresh planner statistics for the tables an app just filled (PostgreSQL): autovacuum cannot see rows of this
    still-open transaction, and later contributors' queries over them would be planned as if they were empty."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cur:
        for model in apps.get_app_config(label).get_models():
            cur.execute(f'ANALYZE "{model._meta.db_table}"')


def demo_load(
    *, residents: int = DEFAULT_RESIDENTS, volunteers: int = DEFAULT_VOLUNTEERS, log: Callable[[str], None] = print
) -> DemoResult:
    """Build the demo district unless it is there already; all or nothing."""
    from gongzhi.org.models import Unit

    if residents < len(LOGINS) or not 1 <= volunteers <= residents:
        raise ValueError("need at least as many residents as demo logins and 1 ≤ volunteers ≤ residents")
    started = time.perf_counter()
    ctx = DemoContext(residents=residents, volunteers=volunteers, today=clock.today(), log=log)
    done: list[str] = []
    with transaction.atomic():
        present = demo_present()
        if not present and Unit.objects.exists():
            raise DemoRefused("database holds units that are not the demo district")
        for label, module in contributors():
            is_loaded = getattr(module, "is_loaded", None)
            if present and (is_loaded is None or is_loaded()):
                continue
            t0 = time.perf_counter()
            module.contribute(ctx)
            analyze_app(label)
            done.append(label)
            log(f"  {label}: {time.perf_counter() - t0:.1f} s")
    return DemoResult(loaded=bool(done), seconds=time.perf_counter() - started, counts=ctx.counts, apps=done)
