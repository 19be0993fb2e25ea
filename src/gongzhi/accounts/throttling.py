"""What a locked-out login sees (django-axes calls this), and the per-address ceiling on failed logins.

django-axes locks a username+address pair after AXES_FAILURE_LIMIT failures, which stops guessing one account's
password but not spraying: one address trying three common passwords against every account. So the login also
refuses an address once its failures over all usernames within the cool-off reach IP_FAILURE_CEILING — high
enough that a community office behind one NAT address, where a dozen workers mistype now and then, never meets it.
"""

from django.conf import settings
from django.db.models import Sum
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


def ip_failure_ceiling() -> int:
    return settings.AXES_IP_FAILURE_CEILING


def ip_failures(request) -> int:
    """Failed logins from the request's address over every username within the cool-off (axes' own records, so
    every server process sees the same count; axes stamps them with ``timezone.now``, so that clock is used here)."""
    from axes.helpers import get_client_ip_address, get_cool_off
    from axes.models import AccessAttempt
    from django.utils import timezone

    cool_off = get_cool_off(request)
    attempts = AccessAttempt.objects.filter(ip_address=get_client_ip_address(request))
    if cool_off is not None:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    return attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0


def ip_ceiling_reached(request) -> bool:
    """False for a loopback address: that is a reverse proxy on this machine speaking for every client (set
    TRUSTED_PROXY_COUNT so the client's own address is seen), and one ceiling for all would lock out everyone."""
    import ipaddress

    from axes.helpers import get_client_ip_address

    try:
        if ipaddress.ip_address(get_client_ip_address(request) or "").is_loopback:
            return False
    except ValueError:
        pass
    return ip_failures(request) >= ip_failure_ceiling()
