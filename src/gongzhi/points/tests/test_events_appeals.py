"""An accepted 随手拍 earns its reporter the rule set's report item, once (issue 5 item 8, R-J1 rule version named)."""

from __future__ import annotations

from gongzhi.appeals import services as appeals
from gongzhi.appeals.models import Channel
from gongzhi.points.events import on_report_accepted
from gongzhi.points.models import Account, PointsTransaction

from .factories import adopt


def _report(world, channel=Channel.PHOTO_REPORT):
    data = appeals.AppealInput(channel=channel, category_code="C01", description="永兴路12号路灯不亮",
                               unit=world.grid_a)
    return appeals.appeal_submit(data=data, actor=world.user("resident"))


def test_accepting_a_photo_report_awards_the_reporter_once(world):
    """The resident's 随手拍 is accepted by the grid worker: +5 under the rule set in force, and a re-delivered
    event posts nothing new (idempotent per report)."""
    adopt(world, report=5)
    appeal = appeals.appeal_accept(appeal=_report(world), actor=world.user("grid"))
    account = Account.objects.get(person=world.people["resident"])
    assert account.balance == 5
    tx = PointsTransaction.objects.get(source_type="appeals.report", source_id=appeal.pk)
    assert tx.rule_item.ruleset.version == 1 and tx.rule_item.code == "report"
    on_report_accepted(appeal=appeal)
    account.refresh_from_db()
    assert account.balance == 5
    assert PointsTransaction.objects.filter(source_type="appeals.report").count() == 1


def test_other_channels_and_units_without_rules_award_nothing(world):
    """A walk-in request earns nothing; a photo report where no rule set is in force earns nothing either."""
    appeals.appeal_accept(appeal=_report(world), actor=world.user("grid"))
    assert not PointsTransaction.objects.filter(source_type="appeals.report").exists()
    adopt(world, report=5)
    appeals.appeal_accept(appeal=_report(world, channel=Channel.WALK_IN), actor=world.user("grid"))
    assert not PointsTransaction.objects.filter(source_type="appeals.report").exists()
