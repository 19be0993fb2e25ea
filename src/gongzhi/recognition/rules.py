"""Configurable recognition rules with the defaults from ../shared/domain/rules.md (settings RECOGNITION_RULES)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class RecognitionRules:
    no_hours_below_age: int = 6  # R-V9 (local example): service before the 6th birthday is not recognised
    minor_below_age: int = 18  # R-V9: a minor's certificate names the guardian consent
    content_lines: int = 8  # activities listed by name on a certificate; the rest are summed up


def recognition_rules() -> RecognitionRules:
    return RecognitionRules(**getattr(settings, "RECOGNITION_RULES", {}))
