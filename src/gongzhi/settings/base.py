"""Settings shared by every environment; values come from the environment with safe embedded defaults.

Nothing here talks to the network. Missing production secrets fail loudly in ``prod``.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("GONGZHI_VAR_DIR", Path.cwd() / "var")).resolve()


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def _embedded_secret(name: str, nbytes: int = 48) -> str:
    """A secret generated once into var/ so the embedded default needs no configuration."""
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / name
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(nbytes))
    return path.read_text().strip()


SECRET_KEY = os.environ.get("SECRET_KEY") or _embedded_secret("secret_key")
# Key for field-level encryption of ID numbers, phones and addresses (R-P3); separate from SECRET_KEY so the
# session key can rotate without losing personal data.
FIELD_ENCRYPTION_KEY = os.environ.get("FIELD_ENCRYPTION_KEY") or _embedded_secret("field_key", 32)

DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
    "csp",
    "gongzhi.core",
    "gongzhi.org",
    "gongzhi.accounts",
    "gongzhi.people",
    "gongzhi.privacy",
    "gongzhi.notifications",
    "gongzhi.activities",
    "gongzhi.hours",
    "gongzhi.recognition",
    "gongzhi.training",
    "gongzhi.points",
    "gongzhi.supermarket",
    "gongzhi.appeals",
    "gongzhi.open311",
    "gongzhi.matching",
    "gongzhi.dispatch",
    "gongzhi.reports",
    "gongzhi.seed",
    "gongzhi.web",
    "gongzhi.ops",
]

MIDDLEWARE = [
    "gongzhi.ops.middleware.RequestLogMiddleware",  # first: request id, body cap, one JSON log line per request
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "gongzhi.web.language.PagesIgnoreAcceptLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "gongzhi.web.middleware.DomainErrorMiddleware",
]

ROOT_URLCONF = "gongzhi.urls"
WSGI_APPLICATION = "gongzhi.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gongzhi.web.context_processors.navigation",
            ],
        },
    },
]


# Django's PostgreSQL backend with psycopg's compiled timestamptz loader (gongzhi/core/db/postgresql/base.py)
_POSTGRESQL = "gongzhi.core.db.postgresql"


def _parse_url(url: str) -> dict:
    """A DATABASE_URL as Django settings: persistent, health-checked connections; PostgreSQL through our backend."""
    db = dj_database_url.parse(url, conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
                               conn_health_checks=True)
    if db["ENGINE"] == "django.db.backends.postgresql":
        db["ENGINE"] = _POSTGRESQL
    return db


def _database_from_env() -> dict:
    url = os.environ.get("DATABASE_URL")
    if url:
        db = _parse_url(url)
    else:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        db = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(VAR_DIR / "gongzhi.sqlite3")}
    if db["ENGINE"] == "django.db.backends.sqlite3":
        db.setdefault("OPTIONS", {}).update(
            {
                # WAL lets readers run beside the single writer; IMMEDIATE takes the write lock at BEGIN so
                # concurrent writers queue on busy_timeout instead of failing with "database is locked".
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
            }
        )
    return db


def _replica_from_env() -> dict | None:
    """An optional streaming replica of the PostgreSQL primary for reads that may be seconds stale (the figures)."""
    url = os.environ.get("DATABASE_REPLICA_URL", "").strip()
    if not url:
        return None
    db = _parse_url(url)
    if db["ENGINE"] == _POSTGRESQL:
        # a replica that is away must cost a report seconds, not a hung worker; it is then skipped for a while
        db.setdefault("OPTIONS", {}).setdefault("connect_timeout", int(os.environ.get("DATABASE_REPLICA_TIMEOUT", "2")))
    db["TEST"] = {"MIRROR": "default"}
    return db


DATABASES = {"default": _database_from_env()}
if _replica := _replica_from_env():
    DATABASES["replica"] = _replica
# Reads go to the replica only inside gongzhi.ops.dbrouter.reading_from_replica (the report pages and exports), and
# only while it is at most DATABASE_REPLICA_MAX_LAG seconds behind (measured every DATABASE_REPLICA_CHECK_SECONDS).
DATABASE_ROUTERS = ["gongzhi.ops.dbrouter.ReplicaRouter"]
DATABASE_REPLICA_MAX_LAG = float(os.environ.get("DATABASE_REPLICA_MAX_LAG", "30"))
DATABASE_REPLICA_CHECK_SECONDS = float(os.environ.get("DATABASE_REPLICA_CHECK_SECONDS", "5"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "gongzhi.accounts.backends.PhoneOrUsernameBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

# Login throttling (django-axes): lock a username+IP pair after repeated failures.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_CALLABLE = "gongzhi.accounts.throttling.lockout_response"
AXES_USERNAME_CALLABLE = "gongzhi.accounts.throttling.lockout_username"
AXES_VERBOSE = False
# Failed logins from one client address over all usernames within the cool-off before that address is refused
# (password spraying; accounts.throttling). A community office's workers share one NAT address, hence not 5.
AXES_IP_FAILURE_CEILING = int(os.environ.get("AXES_IP_FAILURE_CEILING", "30"))
# Behind N reverse proxies, each appending to X-Forwarded-For, the client's address is the N-th entry from the right;
# 0 (no proxy) trusts REMOTE_ADDR alone. Lockouts, the ceiling and the access log are keyed on this address.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "gongzhi.core.net.client_ip"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("GONGZHI_MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# Upload limits. A request body over MAX_REQUEST_BYTES is refused with 413 before it is read (the biggest legitimate
# body is an xlsx import, IMPORT_MAX_UPLOAD_BYTES); non-file form data is capped at DATA_UPLOAD_MAX_MEMORY_SIZE;
# uploaded files above FILE_UPLOAD_MAX_MEMORY_SIZE are streamed to a temporary file instead of memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("DATA_UPLOAD_MAX_MEMORY_SIZE", str(5 * 1024 * 1024)))
FILE_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("FILE_UPLOAD_MAX_MEMORY_SIZE", str(5 * 1024 * 1024)))
IMPORT_MAX_UPLOAD_BYTES = int(os.environ.get("IMPORT_MAX_UPLOAD_BYTES", str(20 * 1024 * 1024)))
MAX_REQUEST_BYTES = int(os.environ.get("MAX_REQUEST_BYTES", str(IMPORT_MAX_UPLOAD_BYTES + 1024 * 1024)))
# Imports run in a background thread of the web process so the page can show progress; tests run them inline.
IMPORT_RUN_IN_BACKGROUND = env_bool("IMPORT_RUN_IN_BACKGROUND", True)
# Worker processes that validate the next batch while this one is written (main-thread imports only: CLI, bench).
IMPORT_WORKERS = int(os.environ.get("IMPORT_WORKERS", "1"))

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
# Load balancers probe these over plain HTTP even where every other URL redirects to HTTPS.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

API_TOKEN_PREFIX = "gz_"

# Content-Security-Policy (django-csp). Scripts only from our own static files or an inline <script> carrying
# nonce="{{ request.csp_nonce }}"; no inline event handlers (onchange=...), no eval. Styles allow inline style=""
# attributes (the templates and htmx's indicator use them). CSP_MODE: "enforce" (production default),
# "report" (Content-Security-Policy-Report-Only: violations only show in the browser console; the default here),
# or "off".
CSP_DIRECTIVES = {
    "default-src": ["'self'"],
    "script-src": ["'self'", "'nonce-{nonce}'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
    "font-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}


def csp_settings(mode: str) -> tuple[dict | None, dict | None]:
    """(CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY_REPORT_ONLY) for a CSP_MODE."""
    from csp.constants import NONCE

    directives = {k: [NONCE if v == "'nonce-{nonce}'" else v for v in vals] for k, vals in CSP_DIRECTIVES.items()}
    policy = {"DIRECTIVES": directives, "EXCLUDE_URL_PREFIXES": ["/admin/"]}
    if mode == "enforce":
        return policy, None
    if mode == "report":
        return None, policy
    if mode == "off":
        return None, None
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"CSP_MODE must be enforce, report or off, not {mode!r}")


CSP_MODE = os.environ.get("CSP_MODE", "report")
CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY_REPORT_ONLY = csp_settings(CSP_MODE)

# Periodic jobs (``gongzhi jobs``): leases in the database by default, in Redis when REDIS_URL is set.
# REDIS_URL also moves the cache (and so every cache-backed counter and rate limit) from per-process memory to Redis,
# shared by all app processes; it needs the "redis" extra (pip install 'gongzhi[redis]').
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": "gongzhi"}
        if REDIS_URL else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
JOB_LEASE_SECONDS = int(os.environ.get("JOB_LEASE_SECONDS", "600"))
# Notifications: kind → outside channels (in-app always); channel → sender class. SMS/WeChat adapters are
# interfaces (notifications/senders.py): a deployment names its gateway's implementation here.
NOTIFICATION_CHANNELS: dict[str, list[str]] = {}
NOTIFICATION_MAX_ATTEMPTS = int(os.environ.get("NOTIFICATION_MAX_ATTEMPTS", "5"))

# Local practice, configurable per deployment (rules.md marks these [practice]).
ACTIVITY_REMINDER_HOURS = int(os.environ.get("ACTIVITY_REMINDER_HOURS", "24"))
HOURS_MIN_AGE = int(os.environ.get("HOURS_MIN_AGE", "6"))  # R-V9: no hours recognised below this age
POINTS_BACK_ENTRIES_EARN = env_bool("POINTS_BACK_ENTRIES_EARN", False)  # R-V5: only check-in hours earn points
POINTS_APPEAL_WINDOW_DAYS = int(os.environ.get("POINTS_APPEAL_WINDOW_DAYS", "30"))
POINTS_EVIDENCE_MAX_BYTES = int(os.environ.get("POINTS_EVIDENCE_MAX_BYTES", str(5 * 1024 * 1024)))
APPEALS_DUPLICATE_DAYS = int(os.environ.get("APPEALS_DUPLICATE_DAYS", "7"))  # open same-category appeals this recent
# Map tiles for the public map (e.g. a 天地图 URL template with its key); empty: markers over unit centres, no tiles.
GONGZHI_MAP_TILE_URL = os.environ.get("GONGZHI_MAP_TILE_URL", "")

# dispatch.Candidate's covering index uses INCLUDE on PostgreSQL; SQLite ignores the extra columns (the same rows).
SILENCED_SYSTEM_CHECKS = ["models.W040"]

# Logs go to stderr. LOG_FORMAT=json (the production default) writes one JSON object per line; "plain" is for people.
# Every line carries the request id of its request; the access log (logger "gongzhi.request": one line per request
# with method, path, status, duration_ms, user_id) is JSON in both formats.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "gongzhi.ops.logs.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "gongzhi.ops.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]},
        "access": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "gongzhi.request": {"handlers": ["access"], "level": os.environ.get("ACCESS_LOG_LEVEL", "INFO"),
                            "propagate": False},
    },
}
