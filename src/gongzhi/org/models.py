"""Units of the administrative tree and organisations attached to them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .divisions import UnitKind, prefix_upper_bound


class UnitQuerySet(models.QuerySet):
    def subtree(self, path: str, *, field: str = "path") -> UnitQuerySet:
        return self.filter(subtree_q(path, field))


def subtree_q(path: str, field: str = "path") -> models.Q:
    """Rows whose ``field`` (a unit path) lies in the subtree rooted at ``path``: one indexed range scan."""
    upper = prefix_upper_bound(path)
    q = models.Q(**{f"{field}__gte": path})
    if upper is not None:
        q &= models.Q(**{f"{field}__lt": upper})
    return q


class Unit(models.Model):
    """A node of the tree: district, street, community, village or grid, keyed by its division code."""

    code = models.CharField(_("区划代码"), max_length=24, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=16, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(_("树路径"), max_length=24, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(editable=False, default=0)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    synthetic = models.BooleanField(_("演示/虚构代码"), default=False, help_text=_("代码或名称为演示数据虚构"))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("行政单元")
        verbose_name_plural = _("行政单元")
        ordering = ["path"]

    def __str__(self):
        return self.name

    def ancestors_paths(self) -> list[str]:
        from .divisions import code_rules

        lengths = sorted({r.path_length for r in code_rules().values() if r.path_length < len(self.path)})
        return [self.path[:n] for n in lengths]

    def is_within(self, path: str) -> bool:
        return self.path.startswith(path)


class OrgKind(models.TextChoices):
    FEDERATION = "federation", _("志愿服务联合会")
    STREET_ALLIANCE = "street_alliance", _("街道志愿服务联盟")
    COMMUNITY_ALLIANCE = "community_alliance", _("社区志愿服务联盟")
    VILLAGE_POINT = "village_point", _("村级志愿服务点")
    SOCIAL_ORG = "social_org", _("社会组织")
    TEAM = "team", _("志愿服务队")


class Organisation(models.Model):
    """An organisation attached to a unit; teams (志愿服务队) keep their members in ``people.TeamMembership``."""

    name = models.CharField(_("名称"), max_length=120)
    kind = models.CharField(_("类型"), max_length=24, choices=OrgKind.choices)
    unit = models.ForeignKey(Unit, verbose_name=_("所属单元"), on_delete=models.PROTECT, related_name="organisations")
    parent = models.ForeignKey(
        "self", verbose_name=_("上级组织"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    description = models.TextField(_("简介"), blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)
    active = models.BooleanField(_("存续"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("组织")
        verbose_name_plural = _("组织")
        ordering = ["unit__path", "kind", "name"]
        constraints = [models.UniqueConstraint(fields=["unit", "name"], name="org_unique_name_per_unit")]

    def __str__(self):
        return self.name
