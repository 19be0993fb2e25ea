"""The one place code asks for the current time, so tests can control it."""

from django.utils import timezone


def now():
    return timezone.now()


def today():
    return timezone.localdate()
