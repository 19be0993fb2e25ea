"""The caller's inbox (``/me/notifications``) and the admins' outbox view (``/outbox``)."""

from __future__ import annotations

from ninja import Query, Router, Schema

from gongzhi.core.pagination import paginate

from . import presenters, selectors, services
from .schemas import NotificationOut, NotificationPage, OutboxPage, ReadAllOut, UnreadCountOut

router = Router(tags=["notifications"])


class InboxFilter(Schema):
    unread: bool | None = None
    page: int = 1
    page_size: int = 50


class OutboxFilter(Schema):
    status: str | None = None
    channel: str | None = None
    page: int = 1
    page_size: int = 50


def _paged(page, present) -> dict:
    return {"items": [present(x) for x in page.items], "count": page.count, "page": page.page,
            "page_size": page.page_size, "pages": page.pages}


@router.get("/me/notifications", response=NotificationPage, summary="我的消息（最新在前，可只看未读）")
def notification_list(request, filters: Query[InboxFilter]):
    qs = selectors.notification_list(actor=request.auth, unread=filters.unread)
    page = paginate(qs, page=filters.page, page_size=filters.page_size)
    return {**_paged(page, presenters.notification_item), "unread_count": selectors.unread_count(actor=request.auth)}


@router.get("/me/notifications/unread-count", response=UnreadCountOut, summary="未读消息数")
def unread_count(request):
    return {"unread": selectors.unread_count(actor=request.auth)}


@router.post("/me/notifications/read-all", response=ReadAllOut, summary="全部标为已读")
def notification_read_all(request):
    marked = services.notification_mark_all_read(actor=request.auth)
    return {"marked": marked, "unread": selectors.unread_count(actor=request.auth)}


@router.post("/me/notifications/{int:notification_id}/read", response=NotificationOut, summary="标为已读")
def notification_read(request, notification_id: int):
    note = selectors.notification_get(actor=request.auth, pk=notification_id)
    return presenters.notification_item(services.notification_mark_read(notification=note, actor=request.auth))


@router.get("/outbox", response=OutboxPage, summary="消息发送队列（本辖区用户的短信/微信发送状态）")
def outbox_list(request, filters: Query[OutboxFilter]):
    qs = selectors.outbox_list(actor=request.auth, status=filters.status, channel=filters.channel)
    return _paged(paginate(qs, page=filters.page, page_size=filters.page_size), presenters.outbox_item)
