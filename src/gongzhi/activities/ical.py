"""The iCalendar feed of a volunteer's live sign-ups, at a URL carrying a signed per-user token.

Calendar apps subscribe without a session, so the token is the credential: ``django.core.signing`` with salt
``activities.ical`` over the user id; a tampered token is not found.
"""

from __future__ import annotations

from django.core import signing
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from gongzhi.core import clock

SALT = "activities.ical"


def calendar_token(user) -> str:
    return signing.dumps({"u": user.pk}, salt=SALT)


def calendar_user_id(token: str) -> int | None:
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    return data.get("u") if isinstance(data, dict) and isinstance(data.get("u"), int) else None


def calendar_ics(signups, *, base_url: str) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//gongzhi//activities//ZH")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", _("我的志愿服务活动"))
    cal.add("x-wr-timezone", "Asia/Shanghai")
    stamp = clock.now()
    for s in signups:
        a = s.activity
        event = Event()
        event.add("uid", f"signup-{s.pk}@gongzhi")
        event.add("dtstamp", stamp)
        event.add("dtstart", a.starts_at)
        event.add("dtend", a.ends_at)
        summary = a.title if s.status == "confirmed" else _("%(title)s（%(status)s）") % {
            "title": a.title, "status": s.get_status_display()}
        event.add("summary", summary)
        if a.address:
            event.add("location", a.address)
        if a.description:
            event.add("description", a.description)
        event.add("url", f"{base_url}/activities/{a.pk}/")
        event.add("status", "CONFIRMED" if s.status == "confirmed" else "TENTATIVE")
        cal.add_component(event)
    return cal.to_ical()
