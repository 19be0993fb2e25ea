"""Scoping-matrix rows for the hours API (collected by ``accounts/tests/test_scoping_matrix.py``).

Targets G/A/A2/B are activities organised in those units, each running now, with one confirmed service record of the
unit's matrix volunteer and an open dispute on it. The world's ``volunteer`` account is a volunteer signed up (and
confirmed) for the activities in G and A only, with one back-entered record of its own in A.

Organiser endpoints need ``hours.confirm`` (admins, community and social workers, team leaders) on the activity's unit;
reads of records need ``hours.view`` (also grid workers and observers); 补录 needs ``hours.back_entry`` (admins and
community workers). Check-in, check-out and the ``me/`` endpoints act on the caller's own volunteer profile.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from gongzhi.core import clock
from gongzhi.core.testing.matrix import Case, Ctx, ids, table
from gongzhi.hours import services
from gongzhi.hours.models import Attendance, CheckMethod, Dispute

from .factories import activity_in, sign_up, volunteer_for

TARGETS = ("G", "A", "A2", "B")


def _window():
    """An activity window around now that stays inside today's local date (so it is a one-day activity)."""
    now = timezone.localtime(clock.now())
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    start = max(now - dt.timedelta(hours=1), midnight + dt.timedelta(minutes=1))
    end = min(now + dt.timedelta(hours=2), midnight + dt.timedelta(hours=23, minutes=59, seconds=59))
    return start, end


def prepare(ctx: Ctx) -> None:
    w = ctx.w
    district = ctx.users["district"]
    start, end = _window()
    me = volunteer_for(w, name="矩阵志愿者", user=ctx.users["volunteer"])
    spare = volunteer_for(w, name="补录志愿者")
    activities, records, disputes, attendances = {}, {}, {}, {}
    for t in TARGETS:
        act = activity_in(ctx.units[t], starts_at=start, ends_at=end, title=f"矩阵活动{t}")
        vol = ctx.volunteers[t]
        sign_up(act, vol)
        if t in ("G", "A"):
            sign_up(act, me)
        day = timezone.localtime(start).date()
        att = Attendance.objects.create(activity=act, signup=act.signups.get(volunteer=vol), volunteer=vol, day=day,
                                        checked_in_at=start, in_method=CheckMethod.QR,
                                        checked_out_at=start + dt.timedelta(minutes=30), out_method=CheckMethod.QR)
        rec = services.attendance_confirm(attendance=att, actor=district)
        activities[t], records[t], attendances[t] = act, rec, att
        disputes[t] = Dispute.objects.create(record=rec, reason="时长少算", opened_by=district, opened_at=clock.now())
    own = services.service_record_back_enter(activity=activities["A"], volunteer=me, day=timezone.localtime(start).date(),
                                             hours=Decimal("0.5"), reason="纸质签到表", actor=district)
    ctx.cache["hours"] = {"activities": activities, "records": records, "disputes": disputes, "me": me,
                          "spare": spare, "own": own, "start": start}


def _h(c: Ctx) -> dict:
    return c.cache["hours"]


def _act(c: Ctx, t: str) -> int:
    return _h(c)["activities"][t].pk


def _rec(c: Ctx, t: str) -> int:
    return _h(c)["records"][t].pk


def _token(c: Ctx, t: str) -> dict:
    return {"token": services.checkin_token(_h(c)["activities"][t])}


def _open_attendance(c: Ctx, t: str, volunteer) -> Attendance:
    act = _h(c)["activities"][t]
    signup = act.signups.filter(volunteer=volunteer).first() or sign_up(act, volunteer)
    day = timezone.localtime(_h(c)["start"]).date()
    return Attendance.objects.create(activity=act, signup=signup, volunteer=volunteer, day=day,
                                     checked_in_at=_h(c)["start"], in_method=CheckMethod.QR)


def _checkout(c: Ctx, role: str, t: str):
    if role == "volunteer" and t in ("G", "A"):
        _open_attendance(c, t, _h(c)["me"])
    return "checkouts", _token(c, t)


def _batch(c: Ctx, role: str, t: str):
    spare = _h(c)["spare"]
    sign_up(_h(c)["activities"][t], spare)
    now = timezone.localtime(clock.now())
    return f"activities/{_act(c, t)}/attendances", {
        "entries": [{"volunteer_id": spare.pk, "day": now.date().isoformat(), "checked_in_at": now.isoformat()}]}


def _set_checkout(c: Ctx, role: str, t: str):
    att = _open_attendance(c, t, _h(c)["spare"])
    return f"attendances/{att.pk}/checkout", {"checked_out_at": (att.checked_in_at + dt.timedelta(minutes=20)).isoformat()}


def _back_entry(c: Ctx, role: str, t: str):
    return "service-records/back-entries", {
        "activity_id": _act(c, t), "volunteer_id": _h(c)["spare"].pk,
        "day": timezone.localtime(_h(c)["start"]).date().isoformat(), "hours": "0.5", "reason": "纸质签到表补录"}


def _own_dispute(c: Ctx, role: str, t: str):
    record = _h(c)["own"].pk if t == "own" else _rec(c, "A")
    return f"me/service-records/{record}/disputes", {"reason": "时长少算了"}


CONFIRM = """
                                      G    A    A2   B
district                              {c}  {c}  {c}  {c}
street,socialworker2                  {c}  {c}  {c}  404
street_b,community_b                  404  404  404  {c}
community,socialworker,teamleader     {c}  {c}  404  404
*                                     403  403  403  403
"""

CONFIRM_LIST = """
                                      G    A    A2   B
district                              +    +    +    +
street,socialworker2                  +    +    +    -
street_b,community_b                  -    -    -    +
community,socialworker,teamleader     +    +    -    -
*                                     403  403  403  403
"""

VIEW = """
                                              G    A    A2   B
district                                      200  200  200  200
street,socialworker2                          200  200  200  404
street_b,community_b                          404  404  404  200
community,socialworker,teamleader,observer    200  200  404  404
grid                                          200  404  404  404
*                                             403  403  403  403
"""

VIEW_LIST = """
                                              G    A    A2   B
district                                      +    +    +    +
street,socialworker2                          +    +    +    -
street_b,community_b                          -    -    -    +
community,socialworker,teamleader,observer    +    +    -    -
grid                                          +    -    -    -
*                                             403  403  403  403
"""

# a record is found with hours.view, then changed only with hours.confirm (observer and grid see but may not change)
CHANGE = """
                                      G    A    A2   B
district                              201  201  201  201
street,socialworker2                  201  201  201  404
street_b,community_b                  404  404  404  201
community,socialworker,teamleader     201  201  404  404
observer                              403  403  404  404
grid                                  403  404  404  404
*                                     403  403  403  403
"""

BACK_ENTRY = """
                                      G    A    A2   B
district                              201  201  201  201
street                                201  201  201  404
street_b,community_b                  404  404  404  201
community                             201  201  404  404
*                                     403  403  403  403
"""


def _c(code: int) -> dict:
    return table(CONFIRM.format(c=code))


CASES = {
    ("GET", "/api/v1/activities/{activity_id}/checkin-token"): Case(
        _c(200), lambda c, r, t: (f"activities/{_act(c, t)}/checkin-token", None), prepare=prepare),
    ("POST", "/api/v1/checkins"): Case(
        table("""
                      G    A    A2   B
        volunteer     201  201  409  409
        *             409  409  409  409
        """),
        lambda c, r, t: ("checkins", _token(c, t)), prepare=prepare),
    ("POST", "/api/v1/checkouts"): Case(
        table("""
                      G    A    A2   B
        volunteer     200  200  409  409
        *             409  409  409  409
        """),
        _checkout, prepare=prepare),
    ("GET", "/api/v1/activities/{activity_id}/attendances"): Case(
        _c(200), lambda c, r, t: (f"activities/{_act(c, t)}/attendances", None), prepare=prepare),
    ("POST", "/api/v1/activities/{activity_id}/attendances"): Case(_c(201), _batch, prepare=prepare),
    ("POST", "/api/v1/attendances/{attendance_id}/checkout"): Case(_c(200), _set_checkout, prepare=prepare),
    ("POST", "/api/v1/activities/{activity_id}/confirm"): Case(
        _c(200), lambda c, r, t: (f"activities/{_act(c, t)}/confirm", {}), prepare=prepare),
    ("GET", "/api/v1/service-records"): Case(
        table(VIEW_LIST), lambda c, r, t: ("service-records", None),
        lambda body, c, t: _rec(c, t) in ids(body), prepare=prepare),
    ("GET", "/api/v1/service-records/{record_id}"): Case(
        table(VIEW), lambda c, r, t: (f"service-records/{_rec(c, t)}", None), prepare=prepare),
    ("POST", "/api/v1/service-records/{record_id}/corrections"): Case(
        table(CHANGE), lambda c, r, t: (f"service-records/{_rec(c, t)}/corrections", {"hours": "0.25", "reason": "核对"}),
        prepare=prepare),
    ("POST", "/api/v1/service-records/{record_id}/revocations"): Case(
        table(CHANGE), lambda c, r, t: (f"service-records/{_rec(c, t)}/revocations", {"reason": "重复登记"}),
        prepare=prepare),
    ("POST", "/api/v1/service-records/back-entries"): Case(table(BACK_ENTRY), _back_entry, prepare=prepare),
    ("GET", "/api/v1/me/service-records"): Case(
        table("""
                      -
        volunteer     200
        *             409
        """),
        lambda c, r, t: ("me/service-records", None), prepare=prepare),
    ("POST", "/api/v1/me/service-records/{record_id}/disputes"): Case(
        table("""
                      own  other
        volunteer     201  404
        *             404  404
        """),
        _own_dispute, prepare=prepare),
    ("GET", "/api/v1/me/disputes"): Case(
        table("""
                      -
        *             200
        """),
        lambda c, r, t: ("me/disputes", None)),
    ("GET", "/api/v1/disputes"): Case(
        table(CONFIRM_LIST), lambda c, r, t: ("disputes", None),
        lambda body, c, t: _h(c)["disputes"][t].pk in ids(body), prepare=prepare),
    ("POST", "/api/v1/disputes/{dispute_id}/resolution"): Case(
        _c(201), lambda c, r, t: (f"disputes/{_h(c)['disputes'][t].pk}/resolution", {"note": "已核实"}),
        prepare=prepare),
}

# The caller's own check-in/out, records and disputes: nothing to refuse to a logged-in caller but "not yours".
SELF_SERVICE = {
    ("POST", "/api/v1/checkins"), ("POST", "/api/v1/checkouts"), ("GET", "/api/v1/me/service-records"),
    ("POST", "/api/v1/me/service-records/{record_id}/disputes"), ("GET", "/api/v1/me/disputes"),
}
