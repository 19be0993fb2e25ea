"""Counts for the home page, each taken only within the actor's scope for that figure."""

from __future__ import annotations

from django.utils.translation import pgettext_lazy

from gongzhi.accounts import scoping
from gongzhi.org.divisions import UnitKind
from gongzhi.org.models import Organisation, OrgKind, Unit
from gongzhi.people.models import Person, VolunteerProfile, VolunteerStatus


def home_cards(*, actor) -> list[dict]:
    cards = []
    if scoping.has_anywhere(actor, "org.view"):
        units = scoping.scope(Unit.objects.all(), actor, "org.view", "path")
        orgs = scoping.scope(Organisation.objects.all(), actor, "org.view", "unit__path")
        cards += [
            {"label": pgettext_lazy("home card", "社区/村"),
             "value": units.filter(kind__in=[UnitKind.COMMUNITY, UnitKind.VILLAGE]).count()},
            {"label": pgettext_lazy("home card", "网格"), "value": units.filter(kind=UnitKind.GRID).count()},
            {"label": pgettext_lazy("home card", "组织"), "value": orgs.exclude(kind=OrgKind.TEAM).count()},
            {"label": pgettext_lazy("home card", "志愿服务队"), "value": orgs.filter(kind=OrgKind.TEAM).count()},
        ]
    if scoping.has_anywhere(actor, "people.view"):
        cards.append({"label": pgettext_lazy("home card", "登记居民"),
                      "value": scoping.scope(Person.objects.all(), actor, "people.view", "unit__path").count(),
                      "url_name": "people:list"})
    if scoping.has_anywhere(actor, "volunteers.view"):
        vols = scoping.scope(VolunteerProfile.objects.all(), actor, "volunteers.view", "unit__path")
        cards.append({"label": pgettext_lazy("home card", "在册志愿者"),
                      "value": vols.filter(status=VolunteerStatus.ACTIVE).count(),
                      "url_name": "people:volunteers"})
        if scoping.has_anywhere(actor, "volunteers.review"):
            cards.append({"label": pgettext_lazy("home card", "待审核申请"),
                          "value": vols.filter(status__in=[VolunteerStatus.APPLIED, VolunteerStatus.SCREENING]).count(),
                          "url_name": "people:review_queue"})
    return cards
