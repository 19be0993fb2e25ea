"""Links one app adds to another app's detail page, without the page's app importing it.

An appeal's page offers "列入需求清单" from the three lists, though appeals imports no capability app: matching
registers a provider for ``"appeals.appeal"`` in its ``AppConfig.ready()`` and the page asks ``links_for``. A
provider decides for itself (permissions included) and returns nothing when the link does not apply.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    note: str = ""


Provider = Callable[..., list[Link]]
_PROVIDERS: dict[str, list[Provider]] = defaultdict(list)


def register(kind: str, provider: Provider) -> None:
    """``provider(*, actor, obj) -> list[Link]``; registering the same provider twice has no effect."""
    if provider not in _PROVIDERS[kind]:
        _PROVIDERS[kind].append(provider)


def links_for(kind: str, *, actor, obj) -> list[Link]:
    return [link for provider in _PROVIDERS.get(kind, ()) for link in provider(actor=actor, obj=obj)]
