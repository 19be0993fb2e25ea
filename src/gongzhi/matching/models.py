"""The three lists (三张清单): needs, resources and funded service projects, classified by one service-kind table."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ServiceKind(models.Model):
    """What is needed or offered (助老, 助残, 医疗健康, 水电维修 ...): the key that needs and resources match on."""

    code = models.SlugField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=40, unique=True)
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("服务类别")
        verbose_name_plural = _("服务类别")
        ordering = ["sort", "code"]

    def __str__(self):
        return self.name


class NeedSource(models.TextChoices):
    APPEAL = "appeal", _("群众诉求")
    VISIT = "visit", _("走访")
    SURVEY = "survey", _("问卷调查")
    MANUAL = "manual", _("登记")


class NeedStatus(models.TextChoices):
    OPEN = "open", _("待对接")
    MATCHED = "matched", _("已对接")
    SERVED = "served", _("已服务")
    CLOSED = "closed", _("已关闭")


class Need(models.Model):
    """需求清单: one need of residents in a unit (from a request, a visit, a survey or entered by a worker)."""

    unit = models.ForeignKey("org.Unit", verbose_name=_("所在单元"), on_delete=models.PROTECT, related_name="needs")
    kind = models.ForeignKey(ServiceKind, verbose_name=_("服务类别"), on_delete=models.PROTECT, related_name="needs")
    title = models.CharField(_("需求"), max_length=120)
    description = models.TextField(_("说明"), blank=True)
    source = models.CharField(_("来源"), max_length=12, choices=NeedSource.choices, default=NeedSource.MANUAL)
    appeal = models.ForeignKey("appeals.Appeal", verbose_name=_("来源诉求"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="needs")
    beneficiaries = models.PositiveIntegerField(_("涉及人数"), default=1)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=NeedStatus.choices, default=NeedStatus.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("需求")
        verbose_name_plural = _("需求清单")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "kind"], name="need_status_kind")]

    def __str__(self):
        return self.title


class ResourceKind(models.TextChoices):
    MERCHANT = "merchant", _("商超/商户")
    SOCIAL_ORG = "social_org", _("社会组织")
    CLINIC = "clinic", _("医疗卫生机构")
    SCHOOL = "school", _("学校")
    ENTERPRISE = "enterprise", _("企业")
    INSTITUTION = "institution", _("机关事业单位")
    VENUE = "venue", _("阵地/场所")
    OTHER = "other", _("其他")


class Resource(models.Model):
    """资源清单: an institution or merchant and what it offers, where. Withdrawn resources stay (active=False)."""

    unit = models.ForeignKey("org.Unit", verbose_name=_("所在单元"), on_delete=models.PROTECT,
                             related_name="resources")
    name = models.CharField(_("名称"), max_length=120)
    kind = models.CharField(_("类型"), max_length=16, choices=ResourceKind.choices)
    organisation = models.ForeignKey("org.Organisation", verbose_name=_("对应组织"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="resources")
    offers = models.ManyToManyField(ServiceKind, verbose_name=_("可提供服务"), related_name="resources")
    offer = models.TextField(_("服务内容"), blank=True)
    capacity = models.CharField(_("服务能力"), max_length=120, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    active = models.BooleanField(_("在列"), default=True)
    merchant = models.ForeignKey("supermarket.Merchant", verbose_name=_("积分超市商户"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("登记时间"))
    withdrawn_at = models.DateTimeField(_("退出时间"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    withdraw_reason = models.CharField(_("退出原因"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("资源")
        verbose_name_plural = _("资源清单")
        ordering = ["unit__path", "kind", "name"]

    def __str__(self):
        return self.name


class FundingKind(models.TextChoices):
    GOVERNMENT = "government", _("政府购买服务")
    VENTURE = "venture", _("公益创投")
    CHARITY = "charity", _("慈善资金")
    COMMUNITY_FUND = "community_fund", _("社区基金")
    SELF = "self", _("自筹")


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", _("立项")
    RUNNING = "running", _("实施中")
    FINISHED = "finished", _("已结项")


class Project(models.Model):
    """项目清单: a funded service project (政府买单), run by a social organisation, dispatched by a social worker."""

    unit = models.ForeignKey("org.Unit", verbose_name=_("实施单元"), on_delete=models.PROTECT,
                             related_name="service_projects")
    name = models.CharField(_("项目名称"), max_length=120)
    kinds = models.ManyToManyField(ServiceKind, verbose_name=_("服务类别"), related_name="projects")
    description = models.TextField(_("项目内容"), blank=True)
    funder = models.CharField(_("出资方"), max_length=120)
    funding = models.CharField(_("资金类型"), max_length=16, choices=FundingKind.choices,
                               default=FundingKind.GOVERNMENT)
    budget = models.DecimalField(_("预算（元）"), max_digits=12, decimal_places=2)
    organisation = models.ForeignKey("org.Organisation", verbose_name=_("承接组织"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="service_projects")
    social_worker = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("派单社工"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="service_projects")
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    status = models.CharField(_("状态"), max_length=12, choices=ProjectStatus.choices, default=ProjectStatus.PLANNED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("服务项目")
        verbose_name_plural = _("项目清单")
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(budget__gte=0), name="matching_project_budget_nonnegative"),
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")),
                                   name="matching_project_dates_ordered"),
        ]

    def __str__(self):
        return self.name


class StatusEvent(models.Model):
    """The shape of every status history row here: append-only, one row per change, with actor, time and note."""

    action = models.CharField(_("动作"), max_length=16)
    from_status = models.CharField(_("原状态"), max_length=12, blank=True)
    to_status = models.CharField(_("新状态"), max_length=12)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    at = models.DateTimeField(_("时间"))
    note = models.CharField(_("说明"), max_length=500, blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.action}: {self.from_status} → {self.to_status}"


class NeedEvent(StatusEvent):
    """Append-only status history of a need: one row per change (created, matched, served, reopened, closed)."""

    need = models.ForeignKey(Need, on_delete=models.PROTECT, related_name="events")

    class Meta(StatusEvent.Meta):
        verbose_name = _("需求状态记录")
        verbose_name_plural = _("需求状态记录")


class ProjectEvent(StatusEvent):
    """Append-only status history of a service project (立项 → 实施中 → 已结项)."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="events")

    class Meta(StatusEvent.Meta):
        verbose_name = _("项目状态记录")
        verbose_name_plural = _("项目状态记录")


class MatchStatus(models.TextChoices):
    PROPOSED = "proposed", _("已提议")
    AGREED = "agreed", _("已确认")
    SERVED = "served", _("已服务")
    WITHDRAWN = "withdrawn", _("已撤回")


LIVE_MATCH = [MatchStatus.PROPOSED, MatchStatus.AGREED]


class Match(models.Model):
    """A need matched to a resource and/or a project. The status moves only through ``matching.services``, each
    change leaving a MatchEvent; a withdrawn match stays as it was, a new proposal is a new row."""

    need = models.ForeignKey(Need, verbose_name=_("需求"), on_delete=models.PROTECT, related_name="matches")
    resource = models.ForeignKey(Resource, verbose_name=_("资源"), null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="matches")
    project = models.ForeignKey(Project, verbose_name=_("服务项目"), null=True, blank=True, on_delete=models.PROTECT,
                                related_name="matches")
    status = models.CharField(_("状态"), max_length=12, choices=MatchStatus.choices, default=MatchStatus.PROPOSED)
    reason = models.CharField(_("推荐理由"), max_length=300, blank=True)
    distance_m = models.PositiveIntegerField(_("距离（米）"), null=True, blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    created_at = models.DateTimeField(_("提议时间"))

    class Meta:
        verbose_name = _("对接")
        verbose_name_plural = _("需求对接")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(resource__isnull=False) | models.Q(project__isnull=False),
                                   name="matching_match_has_partner"),
            models.UniqueConstraint(fields=["need", "resource"], name="matching_one_live_match_per_resource",
                                    condition=models.Q(status__in=LIVE_MATCH, resource__isnull=False)),
            models.UniqueConstraint(fields=["need", "project"], name="matching_one_live_match_per_project",
                                    condition=models.Q(status__in=LIVE_MATCH, project__isnull=False)),
        ]

    def __str__(self):
        return f"{self.need} ↔ {self.resource or self.project}"


class MatchEvent(StatusEvent):
    """Append-only: one row per match status change (proposed, agreed, served, withdrawn) with actor and note."""

    match = models.ForeignKey(Match, on_delete=models.PROTECT, related_name="events")

    class Meta(StatusEvent.Meta):
        verbose_name = _("对接记录")
        verbose_name_plural = _("对接记录")
