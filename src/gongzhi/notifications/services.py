"""Writes for notifications: every other app tells a user something through :func:`notification_create`; the
periodic job ``notifications.outbox`` hands outbox rows to their senders through :func:`outbox_dispatch`."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F

from gongzhi.core import clock
from gongzhi.core.errors import CommonError

from .models import Notification, OutboxMessage, OutboxStatus
from .senders import IN_APP, Sender, SendFailed, UnknownChannel, sender_for

logger = logging.getLogger(__name__)

DEFAULT_MAX_ATTEMPTS = 5
BACKOFF_FIRST = dt.timedelta(minutes=1)
BACKOFF_FACTOR = 5  # 1, 5, 25, 125 ... minutes
# A claimed message is not due again for this long; if its dispatcher died mid-send it comes back after that.
CLAIM_TIMEOUT = dt.timedelta(minutes=10)


def channels_for(kind: str, channels: Iterable[str] = ()) -> list[str]:
    """The outside channels a notification goes to: the caller's, else ``settings.NOTIFICATION_CHANNELS[kind]``;
    in-app is the notification row itself and needs no outbox row."""
    chosen = list(channels) or list(getattr(settings, "NOTIFICATION_CHANNELS", {}).get(kind, (IN_APP,)))
    return [ch for ch in dict.fromkeys(chosen) if ch and ch != IN_APP]


@transaction.atomic
def notification_create(*, user, kind: str, title: str, body: str = "", url: str = "",
                        channels: Iterable[str] = ()) -> Notification:
    """An in-app message for ``user`` (in the caller's transaction) plus one outbox row per outside channel."""
    now = clock.now()
    note = Notification.objects.create(user=user, kind=kind, title=title[:200], body=body, url=url[:300],
                                       created_at=now)
    OutboxMessage.objects.bulk_create(
        [OutboxMessage(notification=note, channel=ch[:24], next_attempt_at=now) for ch in channels_for(kind, channels)]
    )
    return note


def notification_mark_read(*, notification: Notification, actor) -> Notification:
    """Mark the actor's own notification read (idempotent: the first read time is kept)."""
    if notification.user_id != actor.pk:
        raise CommonError.NOT_FOUND.error()
    if notification.read_at is None:
        now = clock.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        notification.read_at = now
    return notification


def notification_mark_all_read(*, actor) -> int:
    """Mark every unread notification of the actor read; returns how many changed."""
    return Notification.objects.filter(user_id=actor.pk, read_at__isnull=True).update(read_at=clock.now())


# --- the outbox --------------------------------------------------------------------------------------------------


def max_attempts() -> int:
    return max(1, int(getattr(settings, "NOTIFICATION_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS)))


def backoff(attempts: int) -> dt.timedelta:
    """Wait before the next try after ``attempts`` failed tries: 1, 5, 25 ... minutes."""
    return BACKOFF_FIRST * (BACKOFF_FACTOR ** max(0, attempts - 1))


def _claim(*, now: dt.datetime, limit: int) -> list[int]:
    """Take up to ``limit`` due pending messages for this dispatcher, in primary-key order, and make them not due
    for the others (count the attempt, push ``next_attempt_at`` by :data:`CLAIM_TIMEOUT`).

    On PostgreSQL the rows are locked ``FOR UPDATE SKIP LOCKED``, so a concurrent dispatcher takes other rows; on
    SQLite the IMMEDIATE transaction holds the write lock, so claims run one after another.
    """
    with transaction.atomic():
        qs = OutboxMessage.objects.filter(status=OutboxStatus.PENDING, next_attempt_at__lte=now).order_by("pk")
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True)
        ids = list(qs.values_list("pk", flat=True)[:limit])
        if ids:
            OutboxMessage.objects.filter(pk__in=ids).update(next_attempt_at=now + CLAIM_TIMEOUT,
                                                           attempts=F("attempts") + 1)
    return ids


def _sent(message: OutboxMessage, *, now: dt.datetime) -> None:
    OutboxMessage.objects.filter(pk=message.pk).update(status=OutboxStatus.SENT, sent_at=now, last_error="")


def _failed(message: OutboxMessage, *, now: dt.datetime, error: str, final: bool) -> None:
    if final or message.attempts >= max_attempts():
        OutboxMessage.objects.filter(pk=message.pk).update(status=OutboxStatus.FAILED, last_error=error[:300])
    else:
        OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=now + backoff(message.attempts),
                                                           last_error=error[:300])


def outbox_dispatch(*, now: dt.datetime, limit: int = 200) -> int:
    """Send the due pending outbox messages (at most ``limit``); returns how many were sent.

    Each message is claimed in a short transaction and sent outside it (a slow gateway never holds a lock); a
    failure is retried after :func:`backoff` and marked failed after :func:`max_attempts` tries, keeping the last
    error. A channel without a usable sender fails its message at once. Nothing here raises to the caller.
    """
    ids = _claim(now=now, limit=limit)
    if not ids:
        return 0
    senders: dict[str, Sender] = {}
    sent = 0
    for message in OutboxMessage.objects.filter(pk__in=ids).select_related("notification__user").order_by("pk"):
        try:
            sender_for(message.channel, senders).send(message)
        except UnknownChannel as exc:
            logger.error("outbox message %s: %s", message.pk, exc)
            _failed(message, now=now, error=str(exc), final=True)
        except SendFailed as exc:
            logger.warning("outbox message %s (%s) attempt %s failed: %s", message.pk, message.channel,
                           message.attempts, exc)
            _failed(message, now=now, error=str(exc) or type(exc).__name__, final=False)
        except Exception as exc:  # a sender bug is a failed attempt, never a crash of the dispatcher
            logger.exception("outbox message %s (%s): sender raised", message.pk, message.channel)
            _failed(message, now=now, error=f"{type(exc).__name__}: {exc}", final=False)
        else:
            _sent(message, now=now)
            sent += 1
    return sent


def outbox_job(now: dt.datetime) -> int:
    """The periodic job ``notifications.outbox``."""
    return outbox_dispatch(now=now)
