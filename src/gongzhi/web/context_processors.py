"""Navigation entries for the page shell, filtered by the named permissions the user holds."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts import scoping

OWN_PERSON = "own_person"  # pseudo-permission: the account is linked to a resident record
OWN_VOLUNTEER = "own_volunteer"  # pseudo-permission: that resident is a registered volunteer

# (label, url name, permission needed anywhere — or a tuple of alternatives —, OWN_PERSON, OWN_VOLUNTEER, or None for
# any logged-in user)
NAV = [
    (_("首页"), "web:home", None),
    (_("组织架构"), "org:tree", "org.view"),
    (_("居民"), "people:list", "people.view"),
    (_("志愿者"), "people:volunteers", "volunteers.view"),
    (_("审核"), "people:review_queue", "volunteers.review"),
    (_("导入"), "people:import", "people.import"),
    (_("访问日志"), "privacy:access_log", "privacy.view_access_log"),
    (_("诉求"), "appeals:list", "appeals.view"),
    (_("随手拍"), "appeals:report", None),
    (_("诉求公开"), "appeals:public", None),
    (_("接单"), "dispatch:board", ("dispatch.view", OWN_VOLUNTEER)),
    (_("三张清单"), "matching:home", "matching.view"),
    (_("活动"), "activities:list", None),
    (_("签到与时长"), "hours:organiser", "hours.confirm"),
    (_("培训"), "training:list", ("training.view", OWN_VOLUNTEER)),
    (_("证明受理"), "recognition:certificates", "recognition.issue_certificate"),
    (_("统计"), "reports:dashboard", "reports.view"),
    (_("积分"), "points:home", "points.view"),
    (_("积分超市"), "supermarket:counter", "supermarket.redeem"),
    (_("积分商户"), "supermarket:merchants", "supermarket.manage"),
    (_("商户结算"), "supermarket:settlement", "supermarket.settle"),
    (_("我的志愿服务"), "people:volunteer_apply", OWN_PERSON),
    (_("我的时长"), "hours:mine", OWN_VOLUNTEER),
    (_("星级与证明"), "recognition:mine", OWN_VOLUNTEER),
    (_("我的积分"), "points:mine", OWN_PERSON),
    (_("积分兑换"), "supermarket:catalogue", OWN_PERSON),
    (_("消息"), "notifications:inbox", None),
]


def _has_own_person(user) -> bool:
    from gongzhi.people.selectors import own_person

    return own_person(user) is not None


def _is_volunteer(user) -> bool:
    from gongzhi.people.models import VolunteerProfile

    return VolunteerProfile.objects.filter(person__user_id=user.pk).exists()


_PSEUDO = {OWN_PERSON: _has_own_person, OWN_VOLUNTEER: _is_volunteer}


def _allowed(user, perm, memo: dict) -> bool:
    if perm is None:
        return True
    if isinstance(perm, tuple):
        return any(_allowed(user, p, memo) for p in perm)
    if perm in _PSEUDO:
        if perm not in memo:  # one query per page, however many entries ask
            memo[perm] = _PSEUDO[perm](user)
        return memo[perm]
    return scoping.has_anywhere(user, perm)


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": [], "nav_names": set()}
    items, memo = [], {}
    for label, name, perm in NAV:
        if not _allowed(user, perm, memo):
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
