"""Page-matrix rows for the hours pages (confirmation, QR check-in, records, disputes), on the API matrix's targets."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from gongzhi.activities.models import Activity
from gongzhi.core.testing.matrix import PageCase, everyone, table
from gongzhi.hours import services
from gongzhi.hours.models import Attendance, CheckMethod
from gongzhi.hours.tests.factories import sign_up
from gongzhi.hours.tests.matrix import prepare

UNITS = "G A A2 B"


def _h(c):
    return c.cache["hours"]


def _act(c, t):
    return _h(c)["activities"][t].pk


def _rec(c, t):
    return _h(c)["records"][t].pk


def _open_attendance(c, t):
    act = Activity.objects.get(pk=_act(c, t))  # fresh: sign_up counts on the instance, the savepoint rolls back
    spare = _h(c)["spare"]
    signup = act.signups.filter(volunteer=spare).first() or sign_up(act, spare)
    day = timezone.localtime(_h(c)["start"]).date()
    return Attendance.objects.create(activity=act, signup=signup, volunteer=spare, day=day,
                                     checked_in_at=_h(c)["start"], in_method=CheckMethod.QR)


def _closed_attendance(c, r, t):
    """Inside the savepoint: a closed, unconfirmed attendance of the spare volunteer, so confirming writes a record."""
    att = _open_attendance(c, t)
    Attendance.objects.filter(pk=att.pk).update(checked_out_at=_h(c)["start"] + dt.timedelta(minutes=40),
                                                out_method=CheckMethod.QR)
    return f"/hours/activities/{_act(c, t)}/confirm/"


def _checkout(c, r, t):
    return f"/hours/attendances/{_open_attendance(c, t).pk}/checkout/"


def _hhmm(c, minutes: int) -> str:
    """A time of the activity's day ``minutes`` after its start (the forms take minutes: it never falls before it)."""
    return timezone.localtime(_h(c)["start"] + dt.timedelta(minutes=minutes)).strftime("%H:%M")


def _checkout_body(c, r, t):
    return {"time": _hhmm(c, 2)}


def _spare_signed_up(c, r, t):
    """Inside the savepoint: the spare volunteer holds a confirmed sign-up (no attendance, no record yet)."""
    act = Activity.objects.get(pk=_act(c, t))
    if not act.signups.filter(volunteer=_h(c)["spare"]).exists():
        sign_up(act, _h(c)["spare"])
    return act.pk


def _day(c):
    return timezone.localtime(_h(c)["start"]).date().isoformat()


def _batch_body(c, r, t):
    spare = _h(c)["spare"].pk
    return {"day": _day(c), f"in_{spare}": _hhmm(c, 1), f"out_{spare}": _hhmm(c, 2)}


def _back_entry_body(c, r, t):
    return {"volunteer": _h(c)["spare"].pk, "day": _day(c), "hours": "0.5", "reason": "纸质签到表补录"}


def _own_record(c, r, t):
    return _h(c)["own"].pk if t == "own" else _rec(c, "A")


PAGES = {
    "hours:organiser": PageCase(table("""
                                           G     A     A2    B
        district                           +     +     +     +
        street,socialworker2               +     +     +     -
        street_b,community_b               -     -     -     +
        community,socialworker,teamleader  +     +     -     -
        *                                  403   403   403   403
        """), lambda c, r, t: "/hours/", prepare=prepare,
                                listed=lambda c, t: f'/hours/activities/{_act(c, t)}/"'),
    "hours:activity": PageCase(table("""
                                           G     A     A2    B
        district                           200   200   200   200
        street,socialworker2               200   200   200   404
        street_b,community_b               404   404   404   200
        community,socialworker,teamleader  200   200   404   404
        *                                  403   403   403   403
        """), lambda c, r, t: f"/hours/activities/{_act(c, t)}/",
                               prepare=prepare),
    "hours:confirm": PageCase(everyone("405", "G A A2 B"), _closed_attendance, prepare=prepare, post=table("""
                                           G     A     A2    B
        district                           302   302   302   302
        street,socialworker2               302   302   302   404
        street_b,community_b               404   404   404   302
        community,socialworker,teamleader  302   302   404   404
        *                                  403   403   403   403
        """)),
    "hours:qr": PageCase(table("""
                                           G     A     A2    B
        district                           200   200   200   200
        street,socialworker2               200   200   200   404
        street_b,community_b               404   404   404   200
        community,socialworker,teamleader  200   200   404   404
        *                                  403   403   403   403
        """), lambda c, r, t: f"/hours/activities/{_act(c, t)}/qr/",
                         prepare=prepare),
    "hours:qr_image": PageCase(table("""
                                           G     A     A2    B
        district                           200   200   200   200
        street,socialworker2               200   200   200   404
        street_b,community_b               404   404   404   200
        community,socialworker,teamleader  200   200   404   404
        *                                  403   403   403   403
        """), lambda c, r, t: f"/hours/activities/{_act(c, t)}/qr/image/",
                               anon="login", prepare=prepare),
    "hours:batch": PageCase(table("""
                                           G     A     A2    B
        district                           200   200   200   200
        street,socialworker2               200   200   200   404
        street_b,community_b               404   404   404   200
        community,socialworker,teamleader  200   200   404   404
        *                                  403   403   403   403
        """), lambda c, r, t: f"/hours/activities/{_spare_signed_up(c, r, t)}/batch/",
                            prepare=prepare, post=table("""
                                           G     A     A2    B
        district                           302   302   302   302
        street,socialworker2               302   302   302   404
        street_b,community_b               404   404   404   302
        community,socialworker,teamleader  302   302   404   404
        *                                  403   403   403   403
        """), body=_batch_body),
    "hours:back_entry": PageCase(
        table("""
                              G     A     A2    B
        district              200   200   200   200
        street                200   200   200   404
        street_b,community_b  404   404   404   200
        community             200   200   404   404
        *                     403   403   403   403
        """), lambda c, r, t: f"/hours/activities/{_spare_signed_up(c, r, t)}/back-entry/", prepare=prepare,
        post=table("""
                              G     A     A2    B
        district              302   302   302   302
        street                302   302   302   404
        street_b,community_b  404   404   404   302
        community             302   302   404   404
        *                     403   403   403   403
        """), body=_back_entry_body),
    "hours:geo": PageCase(table("""
                                  G     A     A2    B
        district                  409   409   409   409
        street,socialworker2      409   409   409   404
        street_b,community_b      404   404   404   409
        grid                      409   404   404   404
        mediator,merchant,norole  403   403   403   403
        volunteer                 200   200   404   404
        *                         409   409   404   404
        """), lambda c, r, t: f"/hours/activities/{_act(c, t)}/geo/",
                          prepare=prepare, post=table("""
                                  G     A     A2    B
        district                  409   409   409   409
        street,socialworker2      409   409   409   404
        street_b,community_b      404   404   404   409
        grid                      409   404   404   404
        mediator,merchant,norole  403   403   403   403
        volunteer                 302   302   404   404
        *                         409   409   404   404
        """),
                          body=lambda c, r, t: {"action": "in", "latitude": "36.2", "longitude": "117.8"}),
    "hours:set_checkout": PageCase(everyone("405", "G A A2 B"), _checkout, prepare=prepare, post=table("""
                                           G     A     A2    B
        district                           302   302   302   302
        street,socialworker2               302   302   302   404
        street_b,community_b               404   404   404   302
        community,socialworker,teamleader  302   302   404   404
        *                                  403   403   403   403
        """),
                                   anon_post="login", body=_checkout_body),
    "hours:checkin": PageCase(
        table("""
                   G     A     A2    B
        volunteer  200   200   200   200
        *          409   409   409   409
        """), lambda c, r, t: f"/hours/checkin/{services.checkin_token(_h(c)['activities'][t])}/",
        anon="login", prepare=prepare, post=table("""
                   G     A     A2    B
        volunteer  302   302   409   409
        *          409   409   409   409
        """), body=lambda c, r, t: {"action": "in"}),
    "hours:record": PageCase(table("""
                                                    G     A     A2    B
        district                                    200   200   200   200
        street,socialworker2                        200   200   200   404
        street_b,community_b                        404   404   404   200
        community,socialworker,teamleader,observer  200   200   404   404
        grid                                        200   404   404   404
        *                                           403   403   403   403
        """), lambda c, r, t: f"/hours/records/{_rec(c, t)}/",
                             prepare=prepare),
    "hours:record_correct": PageCase(
        everyone("405", "G A A2 B"), lambda c, r, t: f"/hours/records/{_rec(c, t)}/correct/", prepare=prepare,
        post=table("""
                                           G     A     A2    B
        district                           302   302   302   302
        street,socialworker2               302   302   302   404
        street_b,community_b               404   404   404   302
        community,socialworker,teamleader  302   302   404   404
        grid                               403   404   404   404
        observer                           403   403   404   404
        *                                  403   403   403   403
        """), body=lambda c, r, t: {"hours": "1.0", "reason": "签退时间记错"}),
    "hours:record_revoke": PageCase(
        everyone("405", "G A A2 B"), lambda c, r, t: f"/hours/records/{_rec(c, t)}/revoke/", prepare=prepare,
        post=table("""
                                           G     A     A2    B
        district                           302   302   302   302
        street,socialworker2               302   302   302   404
        street_b,community_b               404   404   404   302
        community,socialworker,teamleader  302   302   404   404
        grid                               403   404   404   404
        observer                           403   403   404   404
        *                                  403   403   403   403
        """), body=lambda c, r, t: {"reason": "重复登记"}),
    "hours:mine": PageCase(table("""
                   -
        volunteer  200
        *          409
        """), lambda c, r, t: "/hours/me/", prepare=prepare),
    "hours:dispute_open": PageCase(
        everyone("405", "own other"), lambda c, r, t: f"/hours/me/records/{_own_record(c, r, t)}/dispute/",
        prepare=prepare, post=table("""
                   own   other
        volunteer  302   404
        *          404   404
        """), body=lambda c, r, t: {"reason": "时长少算了"}),
    "hours:volunteer": PageCase(table("""
                                                    G     A     A2    B
        district                                    200   200   200   200
        street,socialworker2                        200   200   200   404
        street_b,community_b                        404   404   404   200
        community,socialworker,teamleader,observer  200   200   404   404
        grid                                        200   404   404   404
        *                                           403   403   403   403
        """), lambda c, r, t: f"/hours/volunteers/{c.volunteers[t].pk}/",
                                anon="login", prepare=prepare),
    "hours:disputes": PageCase(table("""
                                           G     A     A2    B
        district                           +     +     +     +
        street,socialworker2               +     +     +     -
        street_b,community_b               -     -     -     +
        community,socialworker,teamleader  +     +     -     -
        *                                  403   403   403   403
        """), lambda c, r, t: "/hours/disputes/", prepare=prepare,
                               listed=lambda c, t: f"/hours/disputes/{_h(c)['disputes'][t].pk}/resolve/"),
    "hours:dispute_resolve": PageCase(
        everyone("405", "G A A2 B"), lambda c, r, t: f"/hours/disputes/{_h(c)['disputes'][t].pk}/resolve/",
        prepare=prepare, post=table("""
                                           G     A     A2    B
        district                           302   302   302   302
        street,socialworker2               302   302   302   404
        street_b,community_b               404   404   404   302
        community,socialworker,teamleader  302   302   404   404
        *                                  403   403   403   403
        """), body=lambda c, r, t: {"note": "核实无误"}),
}
