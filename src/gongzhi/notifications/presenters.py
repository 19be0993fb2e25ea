"""Plain dicts for the API (never a whole model)."""

from __future__ import annotations

from .models import Notification, OutboxMessage


def notification_item(note: Notification) -> dict:
    return {"id": note.pk, "kind": note.kind, "title": note.title, "body": note.body, "url": note.url,
            "created_at": note.created_at, "read_at": note.read_at, "unread": note.read_at is None}


def outbox_item(message: OutboxMessage) -> dict:
    note = message.notification
    return {"id": message.pk, "notification_id": note.pk, "recipient": str(note.user), "kind": note.kind,
            "title": note.title, "channel": message.channel, "status": message.status,
            "attempts": message.attempts, "next_attempt_at": message.next_attempt_at, "sent_at": message.sent_at,
            "last_error": message.last_error, "created_at": message.created_at}
