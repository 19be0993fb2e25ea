"""Builders for points tests: rule sets adopted by a recorded decision, people with balances, service records."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from gongzhi.core import clock
from gongzhi.core.testing.world import make_person
from gongzhi.hours import events as hours_events
from gongzhi.hours.models import RecordKind, RecordSource, ServiceRecord
from gongzhi.hours.tests.factories import activity_in, local, volunteer_for
from gongzhi.points import services
from gongzhi.points.models import RuleKind, RuleTrigger
from gongzhi.points.services import RuleItemInput

_seq = iter(range(1, 10**9))

DECISION = "2025年3月12日村民代表会议表决通过（应到31人，实到27人，同意25人）"


def items(*, hour_points=1, cap_day=None, cap_month=None, category=None, report=5):
    rows = [
        RuleItemInput(code="hour", name="志愿服务每小时", kind=RuleKind.EARN, trigger=RuleTrigger.VOLUNTEER_HOUR,
                      points=hour_points, cap_per_day=cap_day, cap_per_month=cap_month),
        RuleItemInput(code="env", name="环境整治", kind=RuleKind.EARN, trigger=RuleTrigger.VILLAGE_RULE, points=5,
                      cap_per_day=10),
        RuleItemInput(code="sort", name="垃圾分类", kind=RuleKind.EARN, trigger=RuleTrigger.VILLAGE_RULE, points=2),
        RuleItemInput(code="manual", name="其他好人好事", kind=RuleKind.EARN, trigger=RuleTrigger.MANUAL, points=100),
        RuleItemInput(code="report", name="随手拍被采纳", kind=RuleKind.EARN, trigger=RuleTrigger.REPORT_ACCEPTED,
                      points=report, cap_per_month=3 * report),
        RuleItemInput(code="burn", name="焚烧秸秆", kind=RuleKind.DEDUCT, trigger=RuleTrigger.VILLAGE_RULE, points=10),
    ]
    if category is not None:
        rows.append(RuleItemInput(code="cat", name="扶弱助残加分", kind=RuleKind.EARN,
                                  trigger=RuleTrigger.ACTIVITY_CATEGORY, points=3, category_id=category.pk))
    return rows


def adopt(world, unit=None, *, effective_from=dt.date(2025, 1, 1), expiry="none", **kw):
    return services.ruleset_adopt(unit=unit or world.community_a, title="永兴社区积分细则", decision=DECISION,
                                  adopted_on=min(effective_from, dt.date(2025, 1, 1)), effective_from=effective_from,
                                  items=items(**kw), actor=world.user("district"), expiry=expiry)


def person_in(world, name="孙积分", unit=None):
    n = next(_seq)  # a birth date of their own keeps ID numbers apart from the world's and the hours factories'
    return make_person(world, name, unit or world.community_a, seq=(2 * n + 1) % 1000,
                       birth=dt.date(1990, 1, 1) + dt.timedelta(days=n // 500))


def give(world, person, points: int, key: str | None = None):
    """Put ``points`` on ``person``'s account (a manual award under the rule set in force)."""
    return services.award_grant(person=person, reason="测试发放", actor=world.user("district"),
                                idempotency_key=key or f"give-{next(_seq)}", points=points)


def record(world, *, volunteer=None, hours="2.0000", source=RecordSource.CHECKIN, day=None, unit=None,
           activity=None, publish=True) -> ServiceRecord:
    """An original service record written with the ORM and announced the way the hours app does."""
    volunteer = volunteer or volunteer_for(world, name="钱服务")
    day = day or timezone.localtime(clock.now()).date()
    if activity is None:
        start = timezone.make_aware(dt.datetime.combine(day, dt.time(9)))
        activity = activity_in(unit or world.community_a, starts_at=start, ends_at=start + dt.timedelta(hours=4))
    rec = ServiceRecord.objects.create(volunteer=volunteer, activity=activity, unit_path=activity.unit.path, day=day,
                                       hours=Decimal(hours), source=source, kind=RecordKind.ORIGINAL,
                                       confirmed_by=world.user("district"), confirmed_at=clock.now())
    if publish:
        hours_events.record_added(record=rec, replaced=None)
    return rec


def successor(world, rec: ServiceRecord, *, hours="0.0000", kind=RecordKind.CORRECTION) -> ServiceRecord:
    new = ServiceRecord.objects.create(volunteer=rec.volunteer, activity=rec.activity, unit_path=rec.unit_path,
                                       day=rec.day, hours=Decimal(hours), source=rec.source, kind=kind,
                                       supersedes=rec, reason="核实更正", confirmed_by=world.user("district"),
                                       confirmed_at=clock.now())
    hours_events.record_added(record=new, replaced=rec)
    return new


__all__ = ["DECISION", "activity_in", "adopt", "give", "items", "local", "person_in", "record", "successor",
           "volunteer_for"]
