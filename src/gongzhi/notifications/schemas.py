"""API shapes for notifications: the caller's inbox and the admins' view of the outbox."""

from __future__ import annotations

import datetime as dt

from ninja import Schema


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    url: str
    created_at: dt.datetime
    read_at: dt.datetime | None
    unread: bool


class NotificationPage(Schema):
    items: list[NotificationOut]
    count: int
    page: int
    page_size: int
    pages: int
    unread_count: int


class UnreadCountOut(Schema):
    unread: int


class ReadAllOut(Schema):
    marked: int
    unread: int


class OutboxOut(Schema):
    id: int
    notification_id: int
    recipient: str
    kind: str
    title: str
    channel: str
    status: str
    attempts: int
    next_attempt_at: dt.datetime
    sent_at: dt.datetime | None
    last_error: str
    created_at: dt.datetime


class OutboxPage(Schema):
    items: list[OutboxOut]
    count: int
    page: int
    page_size: int
    pages: int
