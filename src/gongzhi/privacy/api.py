from __future__ import annotations

import datetime as dt

from ninja import Router, Schema

from gongzhi.accounts import scoping
from gongzhi.core.pagination import paginate

from . import selectors
from .permissions import VIEW_ACCESS_LOG

router = Router(tags=["privacy"])


class AccessLogOut(Schema):
    id: int
    actor: str
    subject_type: str
    subject_id: int | None
    subject_label: str
    fields: list[str]
    channel: str
    purpose: str
    record_count: int
    ip_address: str | None
    at: dt.datetime


class AccessLogPage(Schema):
    items: list[AccessLogOut]
    count: int
    page: int
    page_size: int
    pages: int


@router.get("/access-log", response=AccessLogPage, summary="个人信息访问日志（本辖区）")
def access_log(request, subject_type: str | None = None, subject_id: int | None = None, page: int = 1,
               page_size: int = 50):
    scoping.require(request.auth, VIEW_ACCESS_LOG)
    p = paginate(selectors.access_log_list(actor=request.auth, subject_type=subject_type, subject_id=subject_id),
                 page=page, page_size=page_size)
    items = [{**{f: getattr(x, f) for f in ("id", "subject_type", "subject_id", "subject_label", "fields", "channel",
                                               "purpose", "record_count", "ip_address", "at")}, "actor": str(x.actor)}
             for x in p.items]
    return {"items": items, "count": p.count, "page": p.page, "page_size": p.page_size, "pages": p.pages}
