"""Configurable rules for people and volunteers, with the defaults from ../shared/domain/rules.md."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class VolunteerRules:
    screening_rounds: int = 2  # 多轮筛选: rounds that must pass before a volunteer is active
    min_age: int = 8  # R-V9: minors from 8 may serve with guardian consent
    guardian_consent_below: int = 18  # R-V9: 8–17 need guardian consent
    pipl_child_age: int = 14  # R-P2 / PIPL Art.31: under 14 any registration needs guardian consent


def volunteer_rules() -> VolunteerRules:
    return VolunteerRules(**getattr(settings, "VOLUNTEER_RULES", {}))


# When a volunteer can serve (可服务时间): the slots the forms offer, the API accepts and imports map onto.
AVAILABILITY_SLOTS = {
    "weekday_day": _("工作日白天"),
    "weekday_evening": _("工作日晚上"),
    "weekend_day": _("周末白天"),
    "weekend_evening": _("周末晚上"),
    "holiday": _("节假日"),
}
