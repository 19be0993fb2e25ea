"""Domain events: how one capability reacts to another without importing it (style habit 15).

An app announces what happened (``events.publish("hours.record_added", record=r)``); other apps subscribe in their
``AppConfig.ready`` (``events.subscribe("hours.record_added", handler)``). Two delivery modes:

- :func:`publish` calls every handler at once, inside the publisher's transaction, so derived data (rollups, points
  postings) commits or rolls back with the fact that caused it;
- :func:`publish_on_commit` calls them after the transaction commits (notifications, anything that leaves the
  database), and never for a rolled-back transaction.

The publisher does not know who listens; handlers must not assume an order among themselves. Event names and their
keyword payloads are documented where they are published (``<app>/events.py``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from django.db import transaction

Handler = Callable[..., None]

_handlers: dict[str, list[Handler]] = defaultdict(list)


def subscribe(name: str, handler: Handler) -> Handler:
    """Register ``handler(**payload)`` for event ``name`` (idempotent: the same handler is registered once)."""
    if handler not in _handlers[name]:
        _handlers[name].append(handler)
    return handler


def unsubscribe(name: str, handler: Handler) -> None:
    if handler in _handlers.get(name, []):
        _handlers[name].remove(handler)


def handlers(name: str) -> list[Handler]:
    return list(_handlers.get(name, []))


def publish(name: str, **payload) -> None:
    """Run every subscriber now, in the caller's transaction; an exception in a handler aborts the caller."""
    for handler in handlers(name):
        handler(**payload)


def publish_on_commit(name: str, **payload) -> None:
    """Run every subscriber after the current transaction commits (at once when there is none)."""
    for handler in handlers(name):
        transaction.on_commit(lambda h=handler: h(**payload))
