"""Training courses and sessions with attendance (分级分类培训)."""

from django.db import models  # noqa: F401
