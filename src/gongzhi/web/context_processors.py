"""Navigation entries for the page shell, filtered by the named permissions the user holds."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts import scoping

# (label, url name, permission needed anywhere or None for any logged-in user)
NAV = [
    (_("首页"), "web:home", None),
    (_("组织架构"), "org:tree", "org.view"),
    (_("居民"), "people:list", "people.view"),
    (_("志愿者"), "people:volunteers", "volunteers.view"),
    (_("审核"), "people:review_queue", "volunteers.review"),
    (_("导入"), "people:import", "people.import"),
    (_("访问日志"), "privacy:access_log", "privacy.view_access_log"),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": []}
    items = []
    for label, name, perm in NAV:
        if perm is None or scoping.has_anywhere(user, perm):
            try:
                items.append({"label": label, "url": reverse(name), "active": request.path == reverse(name)})
            except Exception:  # noqa: BLE001 - a page not installed yet simply isn't in the menu
                continue
    return {"nav": items}
