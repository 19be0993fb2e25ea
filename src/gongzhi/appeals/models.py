"""Residents' requests (诉求)."""

from django.db import models  # noqa: F401
