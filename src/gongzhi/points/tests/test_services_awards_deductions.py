"""Manual and village-rule awards, accepted reports, deductions with maker-checker and appeals, rule versions,
annual clearing (R-J1–R-J4)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from PIL import Image

from gongzhi.core.errors import DomainError
from gongzhi.points import selectors, services
from gongzhi.points.models import Account, DeductionStatus, PointsTransaction, RuleSet, TxKind

from .factories import adopt, give, items, person_in


def balance(person) -> int:
    return Account.objects.filter(person=person).values_list("balance", flat=True).first() or 0


def png(size=(8, 8)) -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", size, "red").save(buf, "PNG")
    return SimpleUploadedFile("现场.png", buf.getvalue(), content_type="image/png")


@pytest.fixture
def rules(world):
    return adopt(world)


def _code(exc) -> str:
    return exc.value.code


# --- rule tables (R-J1) ---


def test_adopting_rules_makes_a_new_version_and_never_edits_the_old(world, rules):
    """R-J1: each adoption is a new version with its decision; the earlier one keeps its items."""
    v2 = adopt(world, hour_points=2, effective_from=dt.date(2026, 1, 1))
    assert (rules.version, v2.version) == (1, 2)
    assert rules.items.get(code="hour").points == 1 and v2.items.get(code="hour").points == 2
    assert "村民代表会议" in v2.decision


def test_rules_need_a_decision_and_valid_items(world):
    with pytest.raises(DomainError) as exc:
        services.ruleset_adopt(unit=world.community_a, title="细则", decision=" ", adopted_on=dt.date(2025, 1, 1),
                               effective_from=dt.date(2025, 1, 1), items=items(), actor=world.user("district"))
    assert _code(exc) == "points.ruleset_invalid"
    assert not RuleSet.objects.exists()


def test_only_rule_managers_adopt_rules(world):
    with pytest.raises(DomainError) as exc:
        adopt(world, world.community_b) if False else services.ruleset_adopt(
            unit=world.community_b, title="细则", decision="会议通过", adopted_on=dt.date(2025, 1, 1),
            effective_from=dt.date(2025, 1, 1), items=items(), actor=world.user("community"))
    assert _code(exc) == "forbidden"


# --- awards ---


def test_a_village_rule_award_needs_a_reason_and_evidence_and_names_its_approver(world, rules):
    person = person_in(world)
    env = rules.items.get(code="env")
    with pytest.raises(DomainError) as exc:
        services.award_grant(person=person, reason="", actor=world.user("community"), idempotency_key="k1",
                             rule_item=env, evidence="照片")
    assert _code(exc) == "points.reason_required"
    with pytest.raises(DomainError):
        services.award_grant(person=person, reason="清理门前杂物", actor=world.user("community"),
                             idempotency_key="k1", rule_item=env)
    tx = services.award_grant(person=person, reason="清理门前杂物", actor=world.user("community"),
                              idempotency_key="k1", rule_item=env, evidence="网格员现场拍照")
    assert balance(person) == 5 and tx.approved_by == world.user("community") and tx.rule_item == env  # R-J1


def test_a_retried_award_returns_the_first_and_posts_nothing(world, rules):
    person = person_in(world)
    first = give(world, person, 7, key="same")
    again = give(world, person, 7, key="same")
    assert first.pk == again.pk and balance(person) == 7
    with pytest.raises(DomainError) as exc:
        give(world, person, 8, key="same")
    assert _code(exc) == "points.idempotency_conflict"


def test_a_cap_refuses_a_manual_award_beyond_it(world, rules):
    person = person_in(world)
    env = rules.items.get(code="env")
    for key in ("a", "b"):
        services.award_grant(person=person, reason="环境整治", actor=world.user("community"), idempotency_key=key,
                             rule_item=env, evidence="照片")
    with pytest.raises(DomainError) as exc:
        services.award_grant(person=person, reason="环境整治", actor=world.user("community"), idempotency_key="c",
                             rule_item=env, evidence="照片")
    assert _code(exc) == "points.cap_reached" and balance(person) == 10


def test_awards_outside_the_actors_units_are_refused(world, rules):
    person = person_in(world, unit=world.community_b)
    with pytest.raises(DomainError) as exc:
        give(world, person, 1) if False else services.award_grant(
            person=person, reason="好人好事", actor=world.user("community"), idempotency_key="x")
    assert _code(exc) == "forbidden"


def test_an_accepted_report_earns_once_per_report_within_the_monthly_cap(world, rules):
    """The appeals app's hook: award_for_report is idempotent per report and honours the item's cap."""
    person = person_in(world)
    first = services.award_for_report(person=person, unit=world.community_a, source_id=41)
    assert services.award_for_report(person=person, unit=world.community_a, source_id=41).pk == first.pk
    for source in (42, 43, 44):
        services.award_for_report(person=person, unit=world.community_a, source_id=source)
    assert balance(person) == 15
    assert services.award_for_report(person=person, unit=world.community_b, source_id=45) is None


# --- deductions (maker-checker, R-J3) ---


def _deduction(world, person, rules, **kw):
    return services.deduction_enter(person=person, reason="在麦田焚烧秸秆", actor=world.user("socialworker"),
                                    rule_item=rules.items.get(code="burn"), **kw)


def test_the_maker_cannot_approve_their_own_deduction(world, rules):
    person = person_in(world, unit=world.grid_a)
    d = services.deduction_enter(person=person, reason="焚烧秸秆", actor=world.user("community"),
                                 rule_item=rules.items.get(code="burn"))
    with pytest.raises(DomainError) as exc:
        services.deduction_approve(deduction=d, actor=world.user("community"))
    assert _code(exc) == "points.same_person" and exc.value.status == 403


def test_approval_deducts_at_most_the_balance_never_below_zero(world, rules):
    """R-J3: a deduction only lowers the balance, never below zero (and nothing else in the platform reads it)."""
    person = person_in(world, unit=world.grid_a)
    give(world, person, 4)
    d = services.deduction_approve(deduction=_deduction(world, person, rules, photo=png()),
                                   actor=world.user("community"))
    assert d.status == DeductionStatus.APPROVED and balance(person) == 0
    assert d.transaction.postings.get(account__person=person).amount == -4
    assert [e.to_status for e in d.events.all()] == ["pending", "approved"]
    assert d.evidence_photo.name.endswith(".png")


def test_an_evidence_photo_must_be_a_real_small_image(world, rules):
    person = person_in(world, unit=world.grid_a)
    with pytest.raises(DomainError) as exc:
        _deduction(world, person, rules, photo=SimpleUploadedFile("x.png", b"not an image"))
    assert _code(exc) == "points.photo_invalid"
    with override_settings(POINTS_EVIDENCE_MAX_BYTES=10), pytest.raises(DomainError) as exc:
        _deduction(world, person, rules, photo=png())
    assert _code(exc) == "points.photo_too_large"


def test_an_upheld_appeal_reverses_the_deduction(world, rules):
    person = world.people["resident"]
    give(world, person, 30)
    d = services.deduction_approve(deduction=_deduction(world, world.people["resident"], rules),
                                   actor=world.user("community"))
    assert balance(person) == 20
    d = services.deduction_appeal(deduction=d, actor=world.user("resident"), reason="那天我不在村里")
    assert d.status == DeductionStatus.APPEALED
    with pytest.raises(DomainError) as exc:
        services.deduction_decide_appeal(deduction=d, actor=world.user("grid"), upheld=True, note="核实")
    assert _code(exc) == "forbidden"  # a grid worker cannot re-check
    d = services.deduction_decide_appeal(deduction=d, actor=world.user("community"), upheld=True, note="核实有误")
    assert d.status == DeductionStatus.UPHELD and balance(person) == 30
    assert PointsTransaction.objects.get(reverses=d.transaction).kind == TxKind.REVERSAL
    assert [e.to_status for e in d.events.all()] == ["pending", "approved", "appealed", "upheld"]
    assert selectors.ledger_findings() == []


def test_only_the_person_appeals_and_only_within_the_window(world, rules, monkeypatch):
    person = world.people["resident"]
    give(world, person, 30)
    d = services.deduction_approve(deduction=_deduction(world, person, rules), actor=world.user("community"))
    with pytest.raises(DomainError) as exc:
        services.deduction_appeal(deduction=d, actor=world.user("community"), reason="不是本人")
    assert _code(exc) == "points.appeal_not_own"
    from gongzhi.core import clock

    later = clock.now() + dt.timedelta(days=31)
    monkeypatch.setattr(clock, "now", lambda: later)
    with pytest.raises(DomainError) as exc:
        services.deduction_appeal(deduction=d, actor=world.user("resident"), reason="晚了")
    assert _code(exc) == "points.appeal_window_closed"


def test_a_rejected_deduction_posts_nothing(world, rules):
    person = person_in(world, unit=world.grid_a)
    give(world, person, 10)
    d = services.deduction_reject(deduction=_deduction(world, person, rules), actor=world.user("community"),
                                  note="证据不足")
    assert d.status == DeductionStatus.REJECTED and balance(person) == 10 and d.transaction is None


# --- annual clearing (R-J4) and ledger verify ---


def test_clearing_is_off_by_default_and_yearly_clears_once(world, monkeypatch):
    """R-J4: expiry is per community; ``none`` (the default) never clears; ``yearly`` clears once per person-year."""
    from gongzhi.points.models import PointsTransaction as Tx

    adopt(world, world.community_b)
    kept = person_in(world, unit=world.community_b)
    services.award_grant(person=kept, reason="好人好事", actor=world.user("district"), idempotency_key="kb")
    adopt(world, expiry="yearly")
    gone = person_in(world)
    give(world, gone, 9)
    Tx.objects.update(occurred_on=dt.date(2025, 6, 1))
    assert services.points_expire(year=2025) == 1
    assert services.points_expire(year=2025) == 0
    assert balance(gone) == 0 and balance(kept) == 100
    assert Tx.objects.filter(kind=TxKind.EXPIRY).get().idempotency_key.startswith("expiry:2025:")
    assert selectors.ledger_findings() == []


def test_three_year_validity_expires_only_old_unspent_points(world):
    adopt(world, expiry="three_years")
    person = person_in(world)
    old = give(world, person, 10)
    PointsTransaction.objects.filter(pk=old.pk).update(occurred_on=dt.date(2023, 5, 1))
    give(world, person, 6)  # this year's
    assert services.points_expire(year=2025) == 1
    assert balance(person) == 6


def test_ledger_verify_exits_non_zero_on_a_breach(world, rules, capsys):
    person = person_in(world)
    give(world, person, 5)
    call_command("ledger", "verify")
    assert "ok" in capsys.readouterr().out
    Account.objects.filter(person=person).update(balance=6)
    with pytest.raises(CommandError):
        call_command("ledger", "verify")
    assert "balance 6 but postings sum to 5" in capsys.readouterr().out


def test_a_deduction_on_an_empty_balance_posts_nothing_and_its_appeal_reverses_nothing(world, rules):
    """R-J3: never below zero — with no points there is nothing to deduct; the record and its history remain."""
    person = world.people["resident"]
    d = services.deduction_approve(deduction=_deduction(world, person, rules), actor=world.user("community"))
    assert d.transaction is None and balance(person) == 0
    assert "实际扣除0分" in d.events.last().note
    d = services.deduction_appeal(deduction=d, actor=world.user("resident"), reason="不是我")
    d = services.deduction_decide_appeal(deduction=d, actor=world.user("community"), upheld=True, note="核实")
    assert d.status == DeductionStatus.UPHELD and balance(person) == 0
    assert selectors.ledger_findings() == []


def test_the_clearing_job_is_registered_and_runs_only_in_january(world, monkeypatch):
    """R-J4: the job clears the year just ended during January and does nothing the rest of the year."""
    from django.utils import timezone

    from gongzhi.core import jobs

    assert jobs.registered()["points.clearing"].fn is services.clearing_job
    adopt(world, expiry="yearly")
    person = person_in(world)
    give(world, person, 9)
    PointsTransaction.objects.update(occurred_on=dt.date(2025, 8, 1))
    assert services.clearing_job(timezone.make_aware(dt.datetime(2026, 3, 1, 2))) == 0
    assert balance(person) == 9
    assert services.clearing_job(timezone.make_aware(dt.datetime(2026, 1, 2, 2))) == 1
    assert balance(person) == 0
