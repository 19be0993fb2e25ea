"""Writes for notifications: every other app tells a user something through :func:`notification_create`."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from gongzhi.core import clock

from .models import Notification, OutboxMessage


@transaction.atomic
def notification_create(*, user, kind: str, title: str, body: str = "", url: str = "",
                        channels: Iterable[str] = ()) -> Notification:
    """An in-app message for ``user`` (in the caller's transaction) plus one outbox row per outside channel."""
    now = clock.now()
    note = Notification.objects.create(user=user, kind=kind, title=title[:200], body=body, url=url[:300],
                                       created_at=now)
    OutboxMessage.objects.bulk_create(
        [OutboxMessage(notification=note, channel=ch, next_attempt_at=now) for ch in dict.fromkeys(channels)]
    )
    return note
