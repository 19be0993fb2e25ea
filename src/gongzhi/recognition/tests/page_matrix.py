"""Page-matrix rows for the recognition pages (stars, ratings, certificates, honours) on the API matrix's targets."""

from __future__ import annotations

from gongzhi.core.testing.matrix import PageCase, everyone, table
from gongzhi.recognition.tests.matrix import prepare

UNITS = "G A A2 B"


def _c(c, t):
    return c.cache["recognition"][t]


# Candidates and honours are published for a street or a community: a grid (G) is not among the form's units, nor is a
# unit outside the caller's (400, nothing written); a role without the publishing right anywhere gets 403 first.

PAGES = {
    "recognition:mine": PageCase(everyone("200"), lambda c, r, t: "/recognition/", prepare=prepare),
    "recognition:volunteer": PageCase(table("""
                                                    G     A     A2    B
        district                                    200   200   200   200
        street,socialworker2                        200   200   200   404
        street_b,community_b                        404   404   404   200
        community,socialworker,teamleader,observer  200   200   404   404
        grid                                        200   404   404   404
        *                                           403   403   403   403
        """), lambda c, r, t: f"/recognition/volunteers/{_c(c, t)['v'].pk}/",
                                      anon="login", prepare=prepare),
    "recognition:rate": PageCase(
        everyone("405", "G A A2 B"), lambda c, r, t: f"/recognition/volunteers/{_c(c, t)['v'].pk}/ratings/",
        prepare=prepare, post=table("""
                                           G     A     A2    B
        district                           302   302   302   302
        street,socialworker2               302   302   302   404
        street_b,community_b               404   404   404   302
        community,socialworker,teamleader  302   302   404   404
        grid                               403   404   404   404
        observer                           403   403   404   404
        *                                  403   403   403   403
        """),
        body=lambda c, r, t: {"rate-activity": _c(c, t)["act"].pk, "rate-score": 4, "rate-rater_kind": "organiser"}),
    "recognition:candidates": PageCase(table("""
                                                     G     A     A2    B
        district                                     +     +     +     +
        street                                       +     +     +     -
        street_b                                     -     -     -     +
        mediator,volunteer,resident,merchant,norole  403   403   403   403
        *                                            -     -     -     -
        """), lambda c, r, t: "/recognition/candidates/",
                                       prepare=prepare,
                                       listed=lambda c, t: f"/recognition/candidates/{_c(c, t)['list'].pk}/approve/"),
    "recognition:candidates_publish": PageCase(
        everyone("405", "G A A2 B"), lambda c, r, t: "/recognition/candidates/publish/", prepare=prepare,
        post=table("""
                              G     A     A2    B
        district              400   302   302   302
        street                400   302   302   400
        street_b,community_b  400   400   400   302
        community             400   302   400   400
        *                     403   403   403   403
        """),
        body=lambda c, r, t: {"unit": c.units[t].pk, "period_end": "2026-06-30"}),
    "recognition:candidates_approve": PageCase(
        everyone("405", "G A A2 B"), lambda c, r, t: f"/recognition/candidates/{_c(c, t)['list'].pk}/approve/",
        prepare=prepare, post=table("""
                                                    G     A     A2    B
        district                                    302   302   302   302
        street                                      302   302   302   404
        street_b                                    404   404   404   302
        community,socialworker,teamleader,observer  403   403   404   404
        community_b                                 404   404   404   403
        grid                                        403   404   404   404
        socialworker2                               403   403   403   404
        *                                           403   403   403   403
        """)),
    "recognition:certificates": PageCase(
        table("""
                                                     G     A     A2    B
        district                                     +     +     +     +
        street                                       +     +     +     -
        street_b,community_b                         -     -     -     +
        community                                    +     +     -     -
        mediator,volunteer,resident,merchant,norole  403   403   403   403
        *                                            -     -     -     -
        """), lambda c, r, t: "/recognition/certificates/", prepare=prepare,
        listed=lambda c, t: f"/recognition/certificates/{_c(c, t)['requested'].pk}/accept/"),
    "recognition:certificate_request": PageCase(
        everyone("405", "G A A2 B"), lambda c, r, t: "/recognition/certificates/request/", prepare=prepare,
        post=table("""
                                          G     A     A2    B
        district                          302   302   302   302
        street                            302   302   302   404
        street_b,community_b              404   404   404   302
        community                         302   302   404   404
        grid                              403   404   404   404
        socialworker,teamleader,observer  403   403   404   404
        socialworker2                     403   403   403   404
        *                                 403   403   403   403
        """), body=lambda c, r, t: {"volunteer": _c(c, t)["v"].pk},
        empty_post=None),  # the volunteer is in the body; with none it is the caller's own request
    "recognition:certificate_accept": PageCase(
        everyone("405", "G A A2 B"), lambda c, r, t: f"/recognition/certificates/{_c(c, t)['requested'].pk}/accept/",
        prepare=prepare, post=table("""
                                          G     A     A2    B
        district                          302   302   302   302
        street                            302   302   302   404
        street_b,community_b              404   404   404   302
        community                         302   302   404   404
        grid                              403   404   404   404
        socialworker,teamleader,observer  403   403   404   404
        socialworker2                     403   403   403   404
        *                                 403   403   403   403
        """)),
    "recognition:certificate_issue": PageCase(
        everyone("405", "G A A2 B"), lambda c, r, t: f"/recognition/certificates/{_c(c, t)['accepted'].pk}/issue/",
        prepare=prepare, post=table("""
                                          G     A     A2    B
        district                          302   302   302   302
        street                            302   302   302   404
        street_b,community_b              404   404   404   302
        community                         302   302   404   404
        grid                              403   404   404   404
        socialworker,teamleader,observer  403   403   404   404
        socialworker2                     403   403   403   404
        *                                 403   403   403   403
        """),
        body=lambda c, r, t: {f"i{_c(c, t)['accepted'].pk}-person_in_charge": "王建华",
                              f"i{_c(c, t)['accepted'].pk}-contact": "0634-6012345"}),
    "recognition:certificate_revoke": PageCase(
        everyone("405", "G A A2 B"), lambda c, r, t: f"/recognition/certificates/{_c(c, t)['issued'].pk}/revoke/",
        prepare=prepare, post=table("""
                                          G     A     A2    B
        district                          302   302   302   302
        street                            302   302   302   404
        street_b,community_b              404   404   404   302
        community                         302   302   404   404
        grid                              403   404   404   404
        socialworker,teamleader,observer  403   403   404   404
        socialworker2                     403   403   403   404
        *                                 403   403   403   403
        """), body=lambda c, r, t: {"reason": "信息有误"}),
    "recognition:certificate_pdf": PageCase(
        table("""
                                                    G     A     A2    B
        district                                    200   200   200   200
        street,socialworker2                        200   200   200   404
        street_b,community_b                        404   404   404   200
        community,socialworker,teamleader,observer  200   200   404   404
        grid                                        200   404   404   404
        *                                           403   403   403   403
        """), lambda c, r, t: f"/recognition/certificates/{_c(c, t)['issued'].pk}/pdf/",
        prepare=prepare),
    "recognition:verify": PageCase(
        table("""
           G     A     A2    B
        *  200   200   200   200
        """), lambda c, r, t: f"/recognition/verify/{_c(c, t)['issued'].verify_code}/", anon="200",
        prepare=prepare),
    "recognition:honours": PageCase(
        table("""
                                                     G     A     A2    B
        mediator,volunteer,resident,merchant,norole  403   403   403   403
        *                                            200   200   200   200
        """), lambda c, r, t: "/recognition/honours/", prepare=prepare, post=table("""
                              G     A     A2    B
        district              400   302   302   302
        street                400   302   302   400
        street_b,community_b  400   400   400   302
        community             400   302   400   400
        *                     403   403   403   403
        """),
        anon_post="login", body=lambda c, r, t: {"unit": c.units[t].pk, "year": 2025, "title": "优秀志愿者", "top": 3}),
}
