"""Inbox pages: the user's own notifications, newest first; opening one marks it read; a header badge fragment.

The badge is an htmx fragment loaded by ``web/base.html`` after the page, so pages pay nothing for it; views that
change the unread count send ``HX-Trigger: notifications-changed`` and the badge reloads itself.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from gongzhi.core.pagination import paginate
from gongzhi.web.params import int_param

from . import selectors, services

PAGE_SIZE = 20
CHANGED = "notifications-changed"


def _is_partial(request) -> bool:
    return bool(request.headers.get("HX-Request")) and not request.headers.get("HX-History-Restore-Request")


def _inbox_context(request) -> dict:
    unread_only = request.GET.get("unread") == "1"
    qs = selectors.notification_list(actor=request.user, unread=True if unread_only else None)
    page = paginate(qs, page=int_param(request.GET.get("page")), page_size=PAGE_SIZE)
    return {"page": page, "items": page.items, "unread_only": unread_only,
            "unread_count": selectors.unread_count(actor=request.user)}


@login_required
def inbox(request):
    ctx = _inbox_context(request)
    template = "notifications/_results.html" if _is_partial(request) else "notifications/inbox.html"
    response = render(request, template, ctx)
    response["Vary"] = "HX-Request"
    return response


@login_required
def detail(request, pk: int):
    """Opening a notification marks it read."""
    note = selectors.notification_get(actor=request.user, pk=pk)
    services.notification_mark_read(notification=note, actor=request.user)
    # the link is set by the app that wrote the notification; still, only a link to this site is offered
    safe = url_has_allowed_host_and_scheme(note.url, allowed_hosts={request.get_host()}, require_https=False)
    return render(request, "notifications/detail.html", {"note": note, "link": note.url if safe else ""})


@login_required
@require_POST
def read(request, pk: int):
    note = selectors.notification_get(actor=request.user, pk=pk)
    services.notification_mark_read(notification=note, actor=request.user)
    if not _is_partial(request):
        return redirect("notifications:inbox")
    response = render(request, "notifications/_item.html", {"n": note})
    response["HX-Trigger"] = CHANGED
    return response


@login_required
@require_POST
def read_all(request):
    services.notification_mark_all_read(actor=request.user)
    if not _is_partial(request):
        return redirect("notifications:inbox")
    response = render(request, "notifications/_results.html", _inbox_context(request))
    response["HX-Trigger"] = CHANGED
    return response


def badge(request):
    """The header badge. Logged out (a session that expired under an open page): 204, so htmx swaps nothing."""
    if not request.user.is_authenticated:
        return HttpResponse(status=204)
    response = render(request, "notifications/_badge.html", {"unread_count": selectors.unread_count(actor=request.user)})
    response["Cache-Control"] = "no-store"
    return response
