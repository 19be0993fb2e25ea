"""The points ledger (积分): accounts, transactions, rule tables, deductions with maker-checker and appeals.

Double entry, integer points, append-only: a ``PointsTransaction`` has two or more ``Posting`` rows summing to zero.
``Account.balance`` is kept in the same database transaction as the postings, under a row lock taken in primary-key
order (``points.services._lock_accounts``), and a person's balance never goes below zero (a check constraint too).
Every write carries an idempotency key: a retry returns the first transaction and posts nothing new. A mistake is
reversed by a new transaction that ``reverses`` the original. ``gongzhi ledger verify`` checks every invariant.

The shops, their goods and redemptions are the ``supermarket`` app; it posts through ``points.services``.

Hours (R-J4, R-V5): each check-in-based service record earns ``floor(hours × points per hour)`` under the rule set in
force on its day; a correction posts the difference, a revocation takes the points back — at most the balance, the
rest becomes a ``Clawback`` settled from the person's next awards. R-J3: a deduction never goes below zero and nothing
outside this app reads a points balance, so no deduction can block a statutory entitlement.

Rules (R-J1): earning and deduction items live in versioned ``RuleSet`` tables adopted by a recorded decision; every
transaction names the rule version, its evidence and its approver.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class AccountKind(models.TextChoices):
    PERSON = "person", _("居民账户")
    MERCHANT = "merchant", _("商户账户")
    POOL = "pool", _("积分发放池")


class Account(models.Model):
    """A person's, a merchant's or an issuing pool's account (pools of a community/village or of the district go
    negative as they issue: their balance is the points in circulation they answer for). A merchant's account is
    referenced from ``supermarket.Merchant.account``: the ledger knows nothing of shops."""

    kind = models.CharField(_("类型"), max_length=16, choices=AccountKind.choices)
    unit = models.ForeignKey("org.Unit", verbose_name=_("所属单元"), on_delete=models.PROTECT, related_name="+")
    person = models.OneToOneField("people.Person", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="points_account")
    balance = models.BigIntegerField(_("余额"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("积分账户")
        verbose_name_plural = _("积分账户")
        constraints = [
            models.CheckConstraint(condition=~Q(kind=AccountKind.PERSON) | Q(balance__gte=0),
                                   name="points_person_balance_nonnegative"),
            models.CheckConstraint(
                condition=Q(kind=AccountKind.PERSON, person__isnull=False) | (~Q(kind=AccountKind.PERSON)
                                                                              & Q(person__isnull=True)),
                name="points_account_owner_matches_kind",
            ),
            models.UniqueConstraint(fields=["unit"], condition=Q(kind=AccountKind.POOL), name="points_one_pool_per_unit"),
        ]

    def __str__(self):
        return f"{self.kind}:{self.pk}"


class RuleSet(models.Model):
    """A version of a unit's points rules (村规民约积分细则), adopted by a recorded decision (R-J1)."""

    unit = models.ForeignKey("org.Unit", verbose_name=_("适用单元"), on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(_("版本"))
    title = models.CharField(_("名称"), max_length=120)
    decision = models.CharField(_("通过的决议"), max_length=300,
                                help_text=_("例如：2025年3月村民代表会议决议（应到31人，实到27人，同意25人）"))
    adopted_on = models.DateField(_("通过日期"))
    effective_from = models.DateField(_("生效日期"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    # R-J4: annual clearing is optional per community and off by default
    expiry = models.CharField(_("积分有效期"), max_length=16, default="none",
                              choices=[("none", _("长期有效")), ("yearly", _("每年清零")), ("three_years", _("三年有效"))])

    class Meta:
        verbose_name = _("积分规则版本")
        verbose_name_plural = _("积分规则版本")
        ordering = ["unit", "-version"]
        constraints = [models.UniqueConstraint(fields=["unit", "version"], name="points_ruleset_unique_version")]

    def __str__(self):
        return f"{self.title} v{self.version}"


class RuleKind(models.TextChoices):
    EARN = "earn", _("加分")
    DEDUCT = "deduct", _("扣分")


class RuleTrigger(models.TextChoices):
    VOLUNTEER_HOUR = "volunteer_hour", _("每确认志愿服务1小时")
    ACTIVITY_CATEGORY = "activity_category", _("参加某类志愿活动")
    VILLAGE_RULE = "village_rule", _("落实村规民约事项")
    REPORT_ACCEPTED = "report_accepted", _("随手拍被采纳")
    MANUAL = "manual", _("人工奖励")


class RuleItem(models.Model):
    """One line of a rule table: what earns or costs how many points, with caps per day and month."""

    ruleset = models.ForeignKey(RuleSet, on_delete=models.PROTECT, related_name="items")
    code = models.SlugField(_("代码"), max_length=40)
    name = models.CharField(_("事项"), max_length=120)
    kind = models.CharField(_("加/扣"), max_length=8, choices=RuleKind.choices)
    trigger = models.CharField(_("触发方式"), max_length=24, choices=RuleTrigger.choices)
    category = models.ForeignKey("activities.Category", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("活动类别"))
    points = models.PositiveIntegerField(_("分值"))
    cap_per_day = models.PositiveIntegerField(_("每日上限"), null=True, blank=True)
    cap_per_month = models.PositiveIntegerField(_("每月上限"), null=True, blank=True)

    class Meta:
        verbose_name = _("积分事项")
        verbose_name_plural = _("积分事项")
        ordering = ["ruleset", "kind", "code"]
        constraints = [models.UniqueConstraint(fields=["ruleset", "code"], name="points_ruleitem_unique_code")]

    def __str__(self):
        return self.name


class TxKind(models.TextChoices):
    AWARD = "award", _("奖励")
    DEDUCTION = "deduction", _("扣减")
    REDEMPTION = "redemption", _("兑换")
    REVERSAL = "reversal", _("冲正")
    EXPIRY = "expiry", _("清零")
    SETTLEMENT = "settlement", _("商户结算")
    CLAWBACK = "clawback", _("追回")


class PointsTransaction(models.Model):
    """A balanced set of postings. Never updated or deleted; ``reverses`` points at the transaction it undoes."""

    kind = models.CharField(_("类型"), max_length=16, choices=TxKind.choices)
    unit = models.ForeignKey("org.Unit", verbose_name=_("所属单元"), on_delete=models.PROTECT, related_name="+")
    idempotency_key = models.CharField(max_length=120, unique=True)
    # digest of the request a key was first used with: the same key with other content is refused (409)
    request_digest = models.CharField(max_length=64)
    reason = models.CharField(_("事由"), max_length=300)
    rule_item = models.ForeignKey(RuleItem, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    evidence = models.CharField(_("依据"), max_length=300, blank=True)
    evidence_file = models.FileField(_("证据照片"), upload_to="points/evidence/%Y/%m/", blank=True)
    source_type = models.CharField(max_length=40, blank=True)  # e.g. "hours.servicerecord"
    source_id = models.BigIntegerField(null=True, blank=True)
    reverses = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    created_at = models.DateTimeField()
    # the day the points are for (the service day of an hours award): caps per day/month and the monthly board use it
    occurred_on = models.DateField(_("发生日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("积分交易")
        verbose_name_plural = _("积分交易")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["source_type", "source_id"], name="points_tx_source"),
            models.Index(fields=["unit", "created_at"], name="points_tx_unit_time"),
            models.Index(fields=["occurred_on"], name="points_tx_occurred"),
        ]

    def __str__(self):
        return f"{self.kind}#{self.pk}"


class Posting(models.Model):
    transaction = models.ForeignKey(PointsTransaction, on_delete=models.PROTECT, related_name="postings")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="postings")
    amount = models.BigIntegerField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["account", "created_at"], name="points_posting_account_time")]
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="points_posting_nonzero")]

    def __str__(self):
        return f"{self.account_id}:{self.amount:+d}"


class DeductionStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已扣分")
    REJECTED = "rejected", _("未通过审核")
    APPEALED = "appealed", _("申诉中")
    UPHELD = "upheld", _("申诉成立（已冲正）")
    DISMISSED = "dismissed", _("申诉驳回")


class Deduction(models.Model):
    """A 村规民约 deduction, maker-checker: entered by one user, approved by another (never the same, R-J1).
    An upheld appeal reverses its transaction. Status changes are ``DeductionEvent`` rows."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="deductions")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    rule_item = models.ForeignKey(RuleItem, on_delete=models.PROTECT, related_name="+")
    points = models.PositiveIntegerField()
    reason = models.CharField(_("事由"), max_length=300)
    evidence_photo = models.ImageField(_("证据照片"), upload_to="points/deductions/%Y/%m/", blank=True)
    status = models.CharField(max_length=16, choices=DeductionStatus.choices, default=DeductionStatus.PENDING)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    transaction = models.OneToOneField(PointsTransaction, null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="deduction")
    appeal_reason = models.CharField(_("申诉理由"), max_length=300, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("积分扣减")
        verbose_name_plural = _("积分扣减")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.person_id} -{self.points}"


class DeductionEvent(models.Model):
    deduction = models.ForeignKey(Deduction, on_delete=models.PROTECT, related_name="events")
    from_status = models.CharField(max_length=16, choices=DeductionStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=DeductionStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.deduction_id} {self.from_status}→{self.to_status}"


class Clawback(models.Model):
    """Points a revocation or downward correction could not take back because the person had already spent them.

    Append-only: the outstanding amount is ``points`` minus what later ``clawback`` transactions (``source_type``
    ``points.clawback``, ``source_id`` this row) took from the person's later awards. The ledger never goes negative.
    """

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="points_clawbacks")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    points = models.PositiveIntegerField()
    reason = models.CharField(_("事由"), max_length=300)
    source_type = models.CharField(max_length=40)
    source_id = models.BigIntegerField()
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("待追回积分")
        verbose_name_plural = _("待追回积分")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.person_id} owes {self.points}"
