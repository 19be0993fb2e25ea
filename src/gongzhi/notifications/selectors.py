"""Reads for notifications. A user reads only their own inbox; the outbox is for admins, scoped by the org tree."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from gongzhi.accounts import scoping
from gongzhi.accounts.models import RoleAssignment
from gongzhi.core.errors import CommonError
from gongzhi.people.models import Person

from .errors import NotificationsError
from .models import Notification, OutboxMessage, OutboxStatus
from .permissions import VIEW_OUTBOX


def notification_list(*, actor, unread: bool | None = None) -> QuerySet:
    """The actor's own notifications, newest first; ``unread`` True/False filters by read state."""
    qs = Notification.objects.filter(user_id=actor.pk).order_by("-created_at", "-pk")
    if unread is True:
        qs = qs.filter(read_at__isnull=True)
    elif unread is False:
        qs = qs.filter(read_at__isnull=False)
    return qs


def notification_get(*, actor, pk: int) -> Notification:
    """One of the actor's own notifications; anybody else's is not found (404)."""
    note = Notification.objects.filter(user_id=actor.pk, pk=pk).first()
    if note is None:
        raise CommonError.NOT_FOUND.error()
    return note


def unread_count(*, actor) -> int:
    return Notification.objects.filter(user_id=actor.pk, read_at__isnull=True).count()


def recipients_in_scope(qs: QuerySet, *, actor, user_field: str) -> QuerySet:
    """Rows whose recipient (``user_field``) holds an active role, or has a resident record, under a unit where
    the actor holds ``notifications.view_outbox``."""
    if scoping.is_superuser(actor):
        return qs
    roles = RoleAssignment.objects.filter(scoping.scope_q(actor, VIEW_OUTBOX, "unit__path"),
                                          user_id=OuterRef(user_field), revoked_at__isnull=True)
    people = Person.objects.filter(scoping.scope_q(actor, VIEW_OUTBOX, "unit__path"), user_id=OuterRef(user_field))
    return qs.filter(Exists(roles) | Exists(people))


def outbox_list(*, actor, status: str | None = None, channel: str | None = None) -> QuerySet:
    """Outbox messages of recipients in the actor's subtree, newest first (403 without the permission)."""
    scoping.require(actor, VIEW_OUTBOX)
    if status and status not in OutboxStatus.values:
        raise NotificationsError.STATUS_UNKNOWN.error(detail={"field": "status"})
    qs = OutboxMessage.objects.select_related("notification__user").order_by("-pk")
    qs = recipients_in_scope(qs, actor=actor, user_field="notification__user_id")
    if status:
        qs = qs.filter(status=status)
    if channel:
        qs = qs.filter(channel=channel)
    return qs
