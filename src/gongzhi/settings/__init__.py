"""Default settings module: the embedded set-up (SQLite under var/) unless the environment says otherwise."""

from .base import *  # noqa: F401,F403
