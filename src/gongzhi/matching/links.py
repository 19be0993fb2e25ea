"""The appeal page's way into the needs list: "列入需求清单", or the need it already became."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from gongzhi.accounts import scoping
from gongzhi.core.links import Link

from . import permissions as perms
from .models import Need, NeedStatus

# An appeal that was refused or merged into another has nothing left to list.
_NOT_LISTABLE = {"rejected", "merged"}


def appeal_links(*, actor, obj) -> list[Link]:
    if not scoping.can(actor, perms.VIEW, obj.unit):
        return []
    needs = list(Need.objects.filter(appeal=obj).exclude(status=NeedStatus.CLOSED).only("pk", "title")[:3])
    if needs:
        return [Link(_("已列入需求清单：%(title)s") % {"title": n.title}, reverse("matching:need_match", args=[n.pk]))
                for n in needs]
    if obj.state in _NOT_LISTABLE or not scoping.can(actor, perms.MANAGE, obj.unit):
        return []
    return [Link(_("列入需求清单"), reverse("matching:need_create") + "?" + urlencode({"appeal": obj.pk}),
                 _("把这件诉求登记为社区需求，对接资源或项目"))]
