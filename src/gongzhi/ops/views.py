"""Liveness and readiness for load balancers and orchestrators: JSON, no login, no data."""

from __future__ import annotations

from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .readiness import readiness


@never_cache
@require_GET
def healthz(request):
    """The process is up and answering; touches nothing else (a database outage must not restart every worker)."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request):
    """Ready for traffic: 200 when every check passes, else 503 with the failing check named."""
    ok, checks = readiness()
    return JsonResponse({"status": "ready" if ok else "unavailable", "checks": checks}, status=200 if ok else 503)
