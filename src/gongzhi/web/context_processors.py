"""Navigation entries for the page shell, filtered by the named permissions the user holds."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts import scoping

OWN_PERSON = "own_person"  # pseudo-permission: the account is linked to a resident record

# (label, url name, permission needed anywhere, or OWN_PERSON, or None for any logged-in user)
NAV = [
    (_("首页"), "web:home", None),
    (_("组织架构"), "org:tree", "org.view"),
    (_("居民"), "people:list", "people.view"),
    (_("志愿者"), "people:volunteers", "volunteers.view"),
    (_("审核"), "people:review_queue", "volunteers.review"),
    (_("导入"), "people:import", "people.import"),
    (_("访问日志"), "privacy:access_log", "privacy.view_access_log"),
    (_("活动"), "activities:list", None),
    (_("签到与时长"), "hours:organiser", "hours.confirm"),
    (_("培训"), "training:list", "training.view"),
    (_("统计"), "reports:dashboard", "reports.view"),
    (_("积分"), "points:home", "points.view"),
    (_("积分超市"), "supermarket:counter", "supermarket.redeem"),
    (_("我的志愿服务"), "people:volunteer_apply", OWN_PERSON),
    (_("我的积分"), "points:mine", OWN_PERSON),
    (_("消息"), "notifications:inbox", None),
]


def _has_own_person(user) -> bool:
    from gongzhi.people.selectors import own_person

    return own_person(user) is not None


def _allowed(user, perm) -> bool:
    if perm is None:
        return True
    if perm == OWN_PERSON:
        return _has_own_person(user)
    return scoping.has_anywhere(user, perm)


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": [], "nav_names": set()}
    items = []
    for label, name, perm in NAV:
        if not _allowed(user, perm):
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:  # a page not installed yet simply isn't in the menu
            continue
        items.append({"label": label, "url": url, "name": name, "active": False})
    # The current entry is the one whose URL is the longest prefix of the path (/people/volunteers/ → 志愿者).
    matches = [i for i in items if request.path == i["url"] or (i["url"] != "/" and request.path.startswith(i["url"]))]
    if matches:
        max(matches, key=lambda i: len(i["url"]))["active"] = True
    return {"nav": items, "nav_names": {i["name"] for i in items}}
