"""The client's address, seen through the reverse proxies the deployment trusts (TRUSTED_PROXY_COUNT)."""

from __future__ import annotations

import ipaddress

from django.conf import settings


def client_ip(request) -> str:
    """With N trusted proxies in front, each appending to X-Forwarded-For, the N-th entry from the right (entries
    further left are whatever the client chose to send); without proxies REMOTE_ADDR. Login lockouts and the access
    log are keyed on it — behind a proxy, REMOTE_ADDR alone would make one address of the whole district."""
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    if len(hops) < count:
        return remote
    try:
        return str(ipaddress.ip_address(hops[-count]))
    except ValueError:
        return remote
