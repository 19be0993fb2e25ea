"""Orders (派单任务) on the board, their append-only history, volunteers' declared service locations and the
denormalised candidate table the assignee suggestion reads (one row per volunteer, maintained by ``services``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class OrderState(models.TextChoices):
    OPEN = "open", _("待接单")
    TAKEN = "taken", _("已接单")
    DONE = "done", _("已完成")
    CANCELLED = "cancelled", _("已取消")


class OrderSource(models.TextChoices):
    APPEAL = "appeal", _("群众诉求")
    PROJECT = "project", _("服务项目")
    MANUAL = "manual", _("社区发布")


ACTIVE_STATES = (OrderState.OPEN, OrderState.TAKEN)


class Order(models.Model):
    """A task one volunteer takes (接单) and carries out; from an appeal, a service project's task, or posted directly."""

    title = models.CharField(_("任务"), max_length=120)
    description = models.TextField(_("说明"), blank=True)
    unit = models.ForeignKey("org.Unit", verbose_name=_("所在单元"), on_delete=models.PROTECT,
                             related_name="dispatch_orders")
    address = models.CharField(_("地点"), max_length=200, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    skill = models.ForeignKey("people.Skill", verbose_name=_("所需技能"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey("org.Organisation", verbose_name=_("限定队伍"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="dispatch_orders")
    source = models.CharField(_("来源"), max_length=12, choices=OrderSource.choices, default=OrderSource.MANUAL)
    appeal = models.ForeignKey("appeals.Appeal", verbose_name=_("来源诉求"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="dispatch_orders")
    project = models.ForeignKey("matching.Project", verbose_name=_("所属服务项目"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="dispatch_orders")
    due_at = models.DateTimeField(_("服务时间"), null=True, blank=True)
    state = models.CharField(_("状态"), max_length=12, choices=OrderState.choices, default=OrderState.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发布人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="dispatch_orders_created")
    created_at = models.DateTimeField(_("发布时间"))
    taker = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("接单人"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="dispatch_orders_taken")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("指派人"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    taken_at = models.DateTimeField(_("接单时间"), null=True, blank=True)
    first_action_at = models.DateTimeField(_("首次处置时间"), null=True, blank=True)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("派单任务")
        verbose_name_plural = _("派单任务")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["state", "created_at"], name="dispatch_order_state"),
            models.Index(fields=["taker", "taken_at"], name="dispatch_order_taker"),
            models.Index(fields=["unit", "created_at"], name="dispatch_order_unit"),
        ]
        constraints = [
            # one live order per appeal: a re-dispatch cancels the open one before opening the next
            models.UniqueConstraint(fields=["appeal"], condition=models.Q(state__in=["open", "taken"]),
                                    name="dispatch_one_live_order_per_appeal"),
            models.CheckConstraint(condition=models.Q(state="open") | models.Q(state="cancelled", taker__isnull=True)
                                   | models.Q(taker__isnull=False, taken_at__isnull=False),
                                   name="dispatch_taken_has_taker"),
        ]

    def __str__(self):
        return self.title


class OrderEvent(models.Model):
    """One step of an order (create, take, assign, start, done, cancel), with actor and time. Append-only."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(_("动作"), max_length=12)
    from_state = models.CharField(_("原状态"), max_length=12, blank=True)
    to_state = models.CharField(_("新状态"), max_length=12)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    at = models.DateTimeField(_("时间"))
    note = models.CharField(_("说明"), max_length=300, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.order_id} {self.action}"


class ServiceLocation(models.Model):
    """Where a volunteer prefers to serve from (declared by the volunteer); otherwise their home unit's centre."""

    volunteer = models.OneToOneField("people.VolunteerProfile", on_delete=models.CASCADE,
                                     related_name="service_location")
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6)
    label = models.CharField(_("地点说明"), max_length=100, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("服务地点")
        verbose_name_plural = _("服务地点")

    def __str__(self):
        return self.label or f"{self.latitude},{self.longitude}"


class Candidate(models.Model):
    """Derived, rebuildable: what the assignee ranking needs of one volunteer, in one narrow row.

    ``cell`` is a grid key (rules.CELL_DEGREES square cells) (see ``ranking.cell_of``) so a suggestion reads only the cells near an order;
    ``skills_mask`` has bit ``skill_id - 1`` set per skill (ids above 62 are checked in ``skills_extra``);
    ``availability_mask`` one bit per people.rules.AVAILABILITY_SLOTS slot; ``recent_load`` the orders taken in the
    last 30 days."""

    volunteer = models.OneToOneField("people.VolunteerProfile", primary_key=True, on_delete=models.CASCADE,
                                     related_name="dispatch_candidate")
    person_id = models.BigIntegerField(db_index=True)
    user_id = models.BigIntegerField(null=True)
    unit_id = models.BigIntegerField()
    latitude = models.FloatField(null=True)
    longitude = models.FloatField(null=True)
    cell = models.BigIntegerField(null=True)
    skills_mask = models.BigIntegerField(default=0)
    skills_extra = models.CharField(max_length=200, blank=True)
    availability_mask = models.SmallIntegerField(default=0)
    recent_load = models.IntegerField(default=0)
    active = models.BooleanField(default=False)
    refreshed_at = models.DateTimeField()

    class Meta:
        indexes = [
            # covering on PostgreSQL: the ring search reads the index only (SQLite ignores ``include``)
            models.Index(fields=["cell"], condition=models.Q(active=True), name="dispatch_candidate_cell",
                         include=["volunteer", "latitude", "longitude", "skills_mask", "availability_mask", "recent_load",
                                  "person_id", "skills_extra"]),
            models.Index(fields=["recent_load"], condition=models.Q(recent_load__gt=0),
                         name="dispatch_candidate_loaded"),
        ]

    def __str__(self):
        return f"candidate {self.volunteer_id}"
