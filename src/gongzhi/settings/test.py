"""Test settings: fast hashing, inline imports, in-memory caches; the database still comes from DATABASE_URL."""

from .base import *  # noqa: F401,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
IMPORT_RUN_IN_BACKGROUND = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOGGING["root"]["level"] = "WARNING"
LOGGING["loggers"]["gongzhi.request"]["level"] = "WARNING"  # no access log line per test request
