"""Production settings (``DJANGO_SETTINGS_MODULE=gongzhi.settings.prod``): secrets and host names from the
environment, HTTPS-only cookies, HSTS, an enforced Content-Security-Policy, hashed static files, JSON logs.

``python -m django check --deploy`` is clean with these settings. The database may still be the embedded SQLite file
(one machine) or PostgreSQL via ``DATABASE_URL``, with an optional read replica for the figures via
``DATABASE_REPLICA_URL``.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F401,F403

_REQUIRED = {
    "SECRET_KEY": "Django's signing key: at least 50 random characters, e.g. "
                  "python -c 'import secrets; print(secrets.token_urlsafe(50))'",
    "FIELD_ENCRYPTION_KEY": "the key that encrypts ID numbers, phones and addresses (keep a copy with the backups)",
    "ALLOWED_HOSTS": "comma-separated host names this site answers to, e.g. gongzhi.example.gov.cn",
}
_missing = [name for name in _REQUIRED if not os.environ.get(name, "").strip()]
if _missing:
    raise ImproperlyConfigured(
        "gongzhi production settings need these environment variables: "
        + "; ".join(f"{name} ({_REQUIRED[name]})" for name in _missing)
    )

DEBUG = False
ALLOWED_HOSTS = [h.strip() for h in os.environ["ALLOWED_HOSTS"].split(",") if h.strip()]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# Behind a TLS-terminating proxy (nginx, a cloud load balancer) that sets X-Forwarded-Proto: the proxy must
# overwrite the header from clients. Set SECURE_PROXY_SSL_HEADER="" when gongzhi is reached without such a proxy.
_proxy_header = os.environ.get("SECURE_PROXY_SSL_HEADER", "HTTP_X_FORWARDED_PROTO").strip()
SECURE_PROXY_SSL_HEADER = (_proxy_header, "https") if _proxy_header else None
# The redirect may be left to the proxy (SECURE_SSL_REDIRECT=0); /healthz and /readyz are never redirected.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
# Submitting a domain to the browsers' HSTS preload list is a separate, deliberate decision of whoever owns the
# domain (it is hard to undo); so ``preload`` is opt-in and check --deploy's reminder about it (W021) is silenced.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "security.W021"]  # noqa: F405

CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY_REPORT_ONLY = csp_settings(os.environ.get("CSP_MODE", "enforce"))

# Hashed, compressed static files served by WhiteNoise from STATIC_ROOT (``gongzhi serve`` runs collectstatic).
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "gongzhi.ops.storage.StaticStorage"},
}
WHITENOISE_USE_FINDERS = False

LOGGING["handlers"]["console"]["formatter"] = os.environ.get("LOG_FORMAT", "json")
