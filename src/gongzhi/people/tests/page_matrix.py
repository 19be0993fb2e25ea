"""Page-matrix rows for the residents and volunteers pages (and the xlsx import/export pages)."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile

from gongzhi.core.testing.matrix import PageCase, everyone, table
from gongzhi.people import importing
from gongzhi.people.identity import make_id_number
from gongzhi.people.models import ImportKind, VolunteerProfile, VolunteerStatus

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _p(c, t):
    return c.people[t].pk


def _v(c, t):
    return c.volunteers[t].pk


def _status(c, t, status):
    VolunteerProfile.objects.filter(pk=_v(c, t)).update(status=status)
    return _v(c, t)


def _person_body(c, r, t):
    p = c.people[t]  # a new name: an edit that changes nothing writes nothing, and the matrix checks the write
    return {"name": f"{p.name}甲", "unit": p.unit_id, "id_type": "resident_id", "id_number": p.id_number_clear(),
            "phone": p.phone_clear()}


def _import_body(c, r, t):
    """A dry run of the people template: the job row is written and run (synchronously under the test settings)."""
    if "people_template" not in c.cache:
        buf = io.BytesIO()
        importing.import_template(kind=ImportKind.PEOPLE, fileobj=buf)
        c.cache["people_template"] = buf.getvalue()
    return {"unit": c.units[t].pk, "kind": ImportKind.PEOPLE, "dry_run": "on",
            "file": SimpleUploadedFile("居民.xlsx", c.cache["people_template"], content_type=XLSX)}


PEOPLE = "G A A2 B R"
UNITS = "G A A2 B"

# The create and import forms offer as units only those where the caller may register (import) people: another unit
# is an invalid choice (400, nothing written); a role without the right anywhere gets 403 before the form is read.

PAGES = {
    "people:list": PageCase(table("""
                                       G     A     A2    B     R
        district                       +     +     +     +     +
        street,socialworker2,mediator  +     +     +     -     +
        street_b,community_b           -     -     -     +     -
        community,socialworker         +     +     -     -     +
        grid                           +     -     -     -     -
        *                              403   403   403   403   403
        """), lambda c, r, t: "/people/",
                            listed=lambda c, t: f"/people/{c.people[t].pk}/"),
    "people:create": PageCase(
        table("""
                                                             G     A     A2    B
        district,street,street_b,community,community_b,grid  200   200   200   200
        *                                                    403   403   403   403
        """), lambda c, r, t: "/people/new/", post=table("""
                              G     A     A2    B
        district              302   302   302   302
        street                302   302   302   400
        street_b,community_b  400   400   400   302
        community             302   302   400   400
        grid                  302   400   400   400
        *                     403   403   403   403
        """),
        body=lambda c, r, t: {"name": "新居民", "unit": c.units[t].pk, "id_type": "resident_id",
                              "id_number": make_id_number("370117", __import__("datetime").date(1990, 3, 8), 51)}),
    "people:detail": PageCase(table("""
                                       G     A     A2    B     R
        district                       200   200   200   200   200
        street,socialworker2,mediator  200   200   200   404   200
        street_b,community_b           404   404   404   200   404
        community,socialworker         200   200   404   404   200
        grid                           200   404   404   404   404
        resident                       403   403   403   403   200
        *                              403   403   403   403   403
        """), lambda c, r, t: f"/people/{_p(c, t)}/"),
    "people:reveal": PageCase(everyone("405", "G A A2 B R"), lambda c, r, t: f"/people/{_p(c, t)}/reveal/",
                              writes=lambda r, t: r != "resident",  # one's own record: no access-log row (R-P3)
                              post=table("""
                                G     A     A2    B     R
        district                200   200   200   200   200
        street                  200   200   200   404   200
        street_b,community_b    404   404   404   200   404
        community               200   200   404   404   200
        grid                    200   404   404   404   404
        socialworker            403   403   404   404   403
        socialworker2,mediator  403   403   403   404   403
        resident                403   403   403   403   200
        *                       403   403   403   403   403
        """), body=lambda c, r, t: {"purpose": "核实身份"}),
    "people:edit": PageCase(table("""
                                G     A     A2    B     R
        district                200   200   200   200   200
        street                  200   200   200   404   200
        street_b,community_b    404   404   404   200   404
        community               200   200   404   404   200
        grid                    200   404   404   404   404
        socialworker            403   403   404   404   403
        socialworker2,mediator  403   403   403   404   403
        *                       403   403   403   403   403
        """), lambda c, r, t: f"/people/{_p(c, t)}/edit/",
                            post=table("""
                                G     A     A2    B     R
        district                302   302   302   302   302
        street                  302   302   302   404   302
        street_b,community_b    404   404   404   302   404
        community               302   302   404   404   302
        grid                    302   404   404   404   404
        socialworker            403   403   404   404   403
        socialworker2,mediator  403   403   403   404   403
        *                       403   403   403   403   403
        """), body=_person_body),
    "people:volunteer_register": PageCase(
        table("""
                                G     A     A2    B     R
        district                200   200   200   200   200
        street,socialworker2    200   200   200   404   200
        street_b,community_b    404   404   404   200   404
        community,socialworker  200   200   404   404   200
        grid                    200   404   404   404   404
        mediator                403   403   403   404   403
        *                       403   403   403   403   403
        """), lambda c, r, t: f"/people/{_p(c, t)}/volunteer/", post=table("""
                                G     A     A2    B     R
        district                302   302   302   302   302
        street,socialworker2    302   302   302   404   302
        street_b,community_b    404   404   404   302   404
        community,socialworker  302   302   404   404   302
        grid                    302   404   404   404   404
        mediator                403   403   403   404   403
        *                       403   403   403   403   403
        """),
        anon_post="login", body=lambda c, r, t: {"agree": "on", "consent_confirmed": "on"}),
    "people:volunteers": PageCase(table("""
                                           G     A     A2    B
        district                           +     +     +     +
        street,socialworker2               +     +     +     -
        street_b,community_b               -     -     -     +
        community,socialworker,teamleader  +     +     -     -
        grid                               +     -     -     -
        *                                  403   403   403   403
        """), lambda c, r, t: "/people/volunteers/",
                                  listed=lambda c, t: f"/people/volunteers/{c.volunteers[t].pk}/"),
    "people:volunteer_apply": PageCase(everyone("200"), lambda c, r, t: "/people/volunteers/apply/",
                                       post=table("""
                             -
        teamleader,resident  302
        *                    409
        """), body=lambda c, r, t: {"agree": "on"}),
    "people:review_queue": PageCase(table("""
                                G     A     A2    B
        district                +     +     +     +
        street,socialworker2    +     +     +     -
        street_b,community_b    -     -     -     +
        community,socialworker  +     +     -     -
        *                       403   403   403   403
        """), lambda c, r, t: "/people/volunteers/review/",
                                    listed=lambda c, t: f"/people/volunteers/{c.volunteers[t].pk}/review/"),
    "people:volunteer": PageCase(table("""
                                           G     A     A2    B
        district                           200   200   200   200
        street,socialworker2               200   200   200   404
        street_b,community_b               404   404   404   200
        community,socialworker,teamleader  200   200   404   404
        grid                               200   404   404   404
        *                                  403   403   403   403
        """), lambda c, r, t: f"/people/volunteers/{_v(c, t)}/"),
    "people:volunteer_review": PageCase(
        everyone("405", "G A A2 B"), lambda c, r, t: f"/people/volunteers/{_v(c, t)}/review/", post=table("""
                                G     A     A2    B
        district                302   302   302   302
        street,socialworker2    302   302   302   404
        street_b,community_b    404   404   404   302
        community,socialworker  302   302   404   404
        grid                    403   404   404   404
        teamleader              403   403   404   404
        *                       403   403   403   403
        """),
        anon_post="login", body=lambda c, r, t: {f"r{_v(c, t)}-decision": "pass", f"r{_v(c, t)}-note": "材料齐全"}),
    "people:volunteer_suspend": PageCase(
        everyone("405", "G A A2 B"), lambda c, r, t: f"/people/volunteers/{_status(c, t, VolunteerStatus.ACTIVE)}/suspend/",
        anon="login", post=table("""
                                 G     A     A2    B
        district                 302   302   302   302
        street                   302   302   302   404
        street_b,community_b     404   404   404   302
        community                302   302   404   404
        grid                     403   404   404   404
        socialworker,teamleader  403   403   404   404
        socialworker2            403   403   403   404
        *                        403   403   403   403
        """), body=lambda c, r, t: {"suspend-reason": "长期未参加活动"}),
    "people:volunteer_reinstate": PageCase(
        everyone("405", "G A A2 B"), lambda c, r, t: f"/people/volunteers/{_status(c, t, VolunteerStatus.SUSPENDED)}/reinstate/",
        anon="login", post=table("""
                                 G     A     A2    B
        district                 302   302   302   302
        street                   302   302   302   404
        street_b,community_b     404   404   404   302
        community                302   302   404   404
        grid                     403   404   404   404
        socialworker,teamleader  403   403   404   404
        socialworker2            403   403   403   404
        *                        403   403   403   403
        """), body=lambda c, r, t: {"reinstate-reason": "恢复"}),
    "people:certificate_add": PageCase(
        everyone("405", "G A A2 B"), lambda c, r, t: f"/people/volunteers/{_v(c, t)}/certificates/",
        post=table("""
                                 G     A     A2    B
        district                 302   302   302   302
        street                   302   302   302   404
        street_b,community_b     404   404   404   302
        community                302   302   404   404
        grid                     403   404   404   404
        socialworker,teamleader  403   403   404   404
        socialworker2            403   403   403   404
        *                        403   403   403   403
        """), body=lambda c, r, t: {"cert-name": "红十字救护员证"}),
    "people:import": PageCase(table("""
                                                        G     A     A2    B
        district,street,street_b,community,community_b  200   200   200   200
        *                                               403   403   403   403
        """), lambda c, r, t: "/people/import/", post=table("""
                              G     A     A2    B
        district              302   302   302   302
        street                302   302   302   400
        street_b,community_b  400   400   400   302
        community             302   302   400   400
        *                     403   403   403   403
        """),
                              anon_post="login", body=_import_body),
    "people:import_template": PageCase(table("""
                                                        -
        district,street,street_b,community,community_b  200
        *                                               403
        """), lambda c, r, t: "/people/import/template.xlsx"),
    "people:import_job": PageCase(table("""
                              G     A     A2    B
        district              200   200   200   200
        street                200   200   200   404
        street_b,community_b  404   404   404   200
        community             200   200   404   404
        *                     403   403   403   403
        """), lambda c, r, t: f"/people/import/{c.import_jobs[t].pk}/",
                                  anon="login"),
    "people:import_errors": PageCase(table("""
                              G     A     A2    B
        district              200   200   200   200
        street                200   200   200   404
        street_b,community_b  404   404   404   200
        community             200   200   404   404
        *                     403   403   403   403
        """), lambda c, r, t: f"/people/import/{c.import_jobs[t].pk}/errors.xlsx",
                                     anon="login"),
    "people:export": PageCase(table("""
                                                        -
        district,street,street_b,community,community_b  200
        *                                               403
        """), lambda c, r, t: "/people/export.xlsx"),
}
