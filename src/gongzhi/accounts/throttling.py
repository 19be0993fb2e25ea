"""What a locked-out login sees (django-axes calls this)."""

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from gongzhi.core.errors import CommonError


def lockout_response(request, *args, **kwargs):
    if request.path.startswith("/api/"):
        err = CommonError.THROTTLED.error()
        return JsonResponse(err.as_dict(), status=429)
    return render(request, "web/locked_out.html", {"message": _("登录失败次数过多，请稍后再试")}, status=429)


def lockout_username(request, credentials=None):
    """Count failures per account, not per spelling: a username and its phone number share one counter."""
    from .backends import user_for_login

    raw = (credentials or {}).get("username") or request.POST.get("username", "")
    user = user_for_login(raw)
    return user.username if user is not None else (raw or "").strip()
