"""Figures by tier and period, kept fast by incrementally maintained rollups."""

from django.db import models  # noqa: F401
