"""People: residents, households, tags, consents, volunteer profiles with multi-round screening, team membership.

ID number, phone and address are stored encrypted with a keyed digest for lookups and a masked copy for lists
(R-P3); clear text exists only in memory when a permitted role reveals it, and every reveal is logged.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.core import crypto


class Sex(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class IdType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("居民身份证")
    OTHER = "other", _("其他证件")


class Household(models.Model):
    """A household (户) in a community or grid."""

    unit = models.ForeignKey("org.Unit", verbose_name=_("所属单元"), on_delete=models.PROTECT, related_name="households")
    label = models.CharField(_("户名/门牌"), max_length=120)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("户")
        verbose_name_plural = _("户")
        constraints = [models.UniqueConstraint(fields=["unit", "label"], name="people_household_unique_label")]

    def __str__(self):
        return self.label


class Tag(models.Model):
    """A special-group tag (独居老人, 残疾人 ...). Sensitive tags (health, minors) are masked like ID numbers."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=40, unique=True)
    sensitive = models.BooleanField(_("敏感"), default=False)
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("人群标签")
        verbose_name_plural = _("人群标签")
        ordering = ["sort", "code"]

    def __str__(self):
        return self.name


class Person(models.Model):
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("所属社区/村/网格"),
        on_delete=models.PROTECT,
        related_name="people",
        help_text=_("居住地所在的最小单元（网格或社区/村）"),
        db_index=False,  # people_unit_name (unit, name) starts with it: a second index would only slow every insert
    )
    household = models.ForeignKey(
        Household, verbose_name=_("户"), null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="person"
    )
    name = models.CharField(_("姓名"), max_length=50)
    # Not indexed: search matches them by prefix OR substring (selectors.search_q), which no B-tree index serves on
    # either database (EXPLAIN: a scan either way), while every insert paid for two (four on PostgreSQL, with _like).
    name_pinyin = models.CharField(max_length=200, editable=False)
    name_initials = models.CharField(max_length=50, editable=False)

    id_type = models.CharField(_("证件类型"), max_length=16, choices=IdType.choices, default=IdType.RESIDENT_ID)
    id_number_enc = models.TextField(editable=False, blank=True)
    # Digests are matched by equality only: unique and indexed through Meta, which on PostgreSQL spares the extra
    # varchar_pattern_ops ("_like") index Django adds for a CharField's unique=True / db_index=True — one index
    # less to maintain on every insert (each cost the import ~10 µs per row).
    id_number_digest = models.CharField(max_length=64, null=True, editable=False)
    id_number_masked = models.CharField(_("证件号码"), max_length=24, blank=True, editable=False)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices, blank=True)

    phone_enc = models.TextField(editable=False, blank=True)
    phone_digest = models.CharField(max_length=64, blank=True, editable=False)
    phone_masked = models.CharField(_("手机号"), max_length=16, blank=True, editable=False)
    phone_tail = models.CharField(max_length=4, blank=True, editable=False)

    address_enc = models.TextField(editable=False, blank=True)
    address_masked = models.CharField(_("住址"), max_length=200, blank=True, editable=False)

    tags = models.ManyToManyField(Tag, verbose_name=_("人群标签"), blank=True, related_name="people")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("居民")
        verbose_name_plural = _("居民")
        indexes = [
            models.Index(fields=["unit", "name"], name="people_unit_name"),
            models.Index(fields=["phone_digest"], name="people_phone_digest"),
            models.Index(fields=["phone_tail"], name="people_phone_tail"),
        ]
        constraints = [models.UniqueConstraint(fields=["id_number_digest"], name="people_id_number_digest_unique")]

    def __str__(self):
        return self.name

    # Clear text is read only through privacy-logged selectors; these helpers just decrypt.
    def id_number_clear(self) -> str:
        return crypto.decrypt(self.id_number_enc)

    def phone_clear(self) -> str:
        return crypto.decrypt(self.phone_enc)

    def address_clear(self) -> str:
        return crypto.decrypt(self.address_enc)


class ConsentPurpose(models.TextChoices):
    REGISTRATION = "registration", _("登记与服务管理")
    SENSITIVE = "sensitive", _("敏感个人信息处理（单独同意）")
    VOLUNTEER_DISCLOSURE = "volunteer_disclosure", _("志愿服务信息公开")
    GUARDIAN = "guardian", _("未满十四周岁监护人同意")


class ConsentRecord(models.Model):
    """A consent given or withdrawn (R-P1, R-P2). Append-only: the latest row per purpose is the current state."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="consents")
    purpose = models.CharField(_("用途"), max_length=32, choices=ConsentPurpose.choices)
    granted = models.BooleanField(_("同意"))
    guardian_name = models.CharField(_("监护人"), max_length=50, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("授权同意记录")
        verbose_name_plural = _("授权同意记录")
        ordering = ["-recorded_at", "-pk"]

    def __str__(self):
        return f"{self.person_id}:{self.purpose}:{'+' if self.granted else '-'}"


class PersonChange(models.Model):
    """Who changed which fields of a person, when and through which channel (values stay out: they are personal)."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="changes")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=16)  # web, api, import, demo, admin
    fields = models.JSONField(default=list)
    created = models.BooleanField(default=False)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.person_id} {self.source} {self.at:%Y-%m-%d %H:%M}"


class Skill(models.Model):
    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(_("技能"), max_length=40, unique=True)
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("技能")
        verbose_name_plural = _("技能")
        ordering = ["sort", "code"]

    def __str__(self):
        return self.name


class VolunteerStatus(models.TextChoices):
    APPLIED = "applied", _("已申请")
    SCREENING = "screening", _("审核中")
    ACTIVE = "active", _("在册")
    REJECTED = "rejected", _("未通过")
    SUSPENDED = "suspended", _("已暂停")


class VolunteerProfile(models.Model):
    """A registered volunteer (R-V2). ``number`` is the public 志愿者编号, never the ID number (R-V3)."""

    person = models.OneToOneField(Person, on_delete=models.PROTECT, related_name="volunteer")
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("注册单元"), on_delete=models.PROTECT, related_name="volunteers"
    )
    number = models.CharField(_("志愿者编号"), max_length=24, unique=True)
    status = models.CharField(_("状态"), max_length=16, choices=VolunteerStatus.choices, default=VolunteerStatus.APPLIED)
    skills = models.ManyToManyField(Skill, verbose_name=_("技能"), blank=True, related_name="volunteers")
    availability = models.JSONField(_("可服务时间"), default=list, blank=True)
    motivation = models.TextField(_("申请说明"), blank=True)
    applied_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    status_changed_at = models.DateTimeField(_("状态变更时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("志愿者")
        verbose_name_plural = _("志愿者")
        indexes = [models.Index(fields=["status", "unit"], name="people_vol_status_unit")]

    def __str__(self):
        return f"{self.number} {self.person.name}"


class VolunteerCertificate(models.Model):
    profile = models.ForeignKey(VolunteerProfile, on_delete=models.PROTECT, related_name="certificates")
    skill = models.ForeignKey(Skill, null=True, blank=True, on_delete=models.PROTECT)
    name = models.CharField(_("证书名称"), max_length=80)
    number = models.CharField(_("证书编号"), max_length=60, blank=True)
    issued_on = models.DateField(_("发证日期"), null=True, blank=True)
    expires_on = models.DateField(_("有效期至"), null=True, blank=True)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("资格证书")
        verbose_name_plural = _("资格证书")

    def __str__(self):
        return self.name


class ReviewDecision(models.TextChoices):
    PASS = "pass", _("通过本轮")
    REJECT = "reject", _("不通过")


class VolunteerReview(models.Model):
    """One screening round (多轮筛选). Append-only."""

    profile = models.ForeignKey(VolunteerProfile, on_delete=models.PROTECT, related_name="reviews")
    round = models.PositiveSmallIntegerField(_("轮次"))
    decision = models.CharField(_("结论"), max_length=8, choices=ReviewDecision.choices)
    note = models.TextField(_("审核意见"), blank=True)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["round", "pk"]
        constraints = [models.UniqueConstraint(fields=["profile", "round"], name="people_one_review_per_round")]

    def __str__(self):
        return f"{self.profile_id} #{self.round} {self.decision}"


class VolunteerStatusChange(models.Model):
    """Every status transition of a volunteer, with actor and reason. Append-only."""

    profile = models.ForeignKey(VolunteerProfile, on_delete=models.PROTECT, related_name="status_changes")
    from_status = models.CharField(max_length=16, choices=VolunteerStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=VolunteerStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.profile_id} {self.from_status}→{self.to_status}"


class TeamRole(models.TextChoices):
    LEADER = "leader", _("队长")
    MEMBER = "member", _("队员")


class TeamMembership(models.Model):
    """Membership of a person in a 志愿服务队 (an ``org.Organisation`` of kind team). Leaving keeps the row."""

    team = models.ForeignKey("org.Organisation", on_delete=models.PROTECT, related_name="memberships")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="team_memberships")
    role = models.CharField(_("职务"), max_length=8, choices=TeamRole.choices, default=TeamRole.MEMBER)
    joined_on = models.DateField(_("加入日期"))
    left_on = models.DateField(_("退出日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("队员")
        verbose_name_plural = _("队员")
        constraints = [
            models.UniqueConstraint(
                fields=["team", "person"], condition=models.Q(left_on__isnull=True), name="people_one_active_membership"
            )
        ]

    def __str__(self):
        return f"{self.team_id}:{self.person_id}"


class Counter(models.Model):
    """Named sequences (volunteer numbers ...), incremented under a row lock."""

    name = models.CharField(max_length=40, unique=True)
    value = models.BigIntegerField(default=0)

    def __str__(self):
        return f"{self.name}={self.value}"


class ImportKind(models.TextChoices):
    PEOPLE = "people", _("居民")
    VOLUNTEERS = "volunteers", _("志愿者")


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("排队中")
    RUNNING = "running", _("导入中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class ImportJob(models.Model):
    """An xlsx import: the uploaded file, its mode, progress, counts and the per-row error report."""

    kind = models.CharField(_("类型"), max_length=16, choices=ImportKind.choices)
    unit = models.ForeignKey("org.Unit", verbose_name=_("导入到"), on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to="imports/%Y/%m/")
    # SHA-256 of the file as inspected at upload (core.uploads.xlsx_inspect): the run skips the inspection while
    # the stored bytes still match it
    file_sha256 = models.CharField(max_length=64, blank=True, default="")
    filename = models.CharField(max_length=200)
    dry_run = models.BooleanField(_("仅校验"), default=False)
    strict = models.BooleanField(_("严格模式"), default=False)
    status = models.CharField(max_length=16, choices=ImportStatus.choices, default=ImportStatus.PENDING)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    error_rows = models.PositiveIntegerField(default=0)
    error_report = models.FileField(upload_to="imports/errors/%Y/%m/", blank=True)
    message = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True, help_text=_("导入进程最近一次报告进度的时间"))

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.filename
