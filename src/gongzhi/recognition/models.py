"""Star levels, service certificates with public verification, ratings, incentive scores and honours."""

from django.db import models  # noqa: F401
