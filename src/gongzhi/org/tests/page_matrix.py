"""Page-matrix rows for the org pages (units, organisations, team members): see reliability/test_page_matrix.py."""

from __future__ import annotations

from gongzhi.core.testing.matrix import PageCase, everyone, table
from gongzhi.people.models import TeamMembership


def _unit(c, r, t):
    return c.units[t].pk


def _new_member(c, r, t):
    """Inside the savepoint: the volunteer of unit t is active, so the team can take them."""
    c.volunteers[t].__class__.objects.filter(pk=c.volunteers[t].pk).update(status="active")
    return {"volunteer": c.volunteers[t].pk, "role": "member"}


def _member(c, r, t):
    TeamMembership.objects.create(team=c.teams[t], person=c.volunteers[t].person, joined_on="2025-01-01")
    return f"/org/orgs/{c.teams[t].pk}/members/{c.volunteers[t].person_id}/remove/"


NEW_GRID_CODE = {"G": "370117001001001009", "A": "370117001001002", "A2": "370117001002001", "B": "370117002001001"}

PAGES = {
    # the tree page shows the roots the caller may see; their children come lazily from org:children (below)
    "org:tree": PageCase(table("""
                -
        norole  403
        *       200
        """), lambda c, r, t: "/org/"),
    "org:unit": PageCase(table("""
                                       G     A     A2    B
        district                       200   200   200   200
        street,socialworker2,mediator  200   200   200   404
        street_b,community_b           404   404   404   200
        grid                           200   404   404   404
        norole                         403   403   403   403
        *                              200   200   404   404
        """), lambda c, r, t: f"/org/units/{_unit(c, r, t)}/"),
    "org:children": PageCase(table("""
                                       G     A     A2    B
        district                       200   200   200   200
        street,socialworker2,mediator  200   200   200   404
        street_b,community_b           404   404   404   200
        grid                           200   404   404   404
        norole                         403   403   403   403
        *                              200   200   404   404
        """), lambda c, r, t: f"/org/units/{_unit(c, r, t)}/children/",
                             anon="login"),
    # nothing is created below a grid (G: 400); a community worker adds no units (community_b at B: 403)
    "org:unit_create": PageCase(
        table("""
                                G     A     A2    B
        district                400   200   200   200
        street                  400   200   200   404
        street_b                404   404   404   200
        community_b             404   404   404   403
        grid                    403   404   404   404
        socialworker2,mediator  403   403   403   404
        norole                  403   403   403   403
        *                       403   403   404   404
        """), lambda c, r, t: f"/org/units/{_unit(c, r, t)}/units/new/",
        post=table("""
                                G     A     A2    B
        district                400   302   302   302
        street                  400   302   302   404
        street_b                404   404   404   302
        community_b             404   404   404   403
        grid                    403   404   404   404
        socialworker2,mediator  403   403   403   404
        norole                  403   403   403   403
        *                       403   403   404   404
        """),
        body=lambda c, r, t: {"kind": "grid", "code": NEW_GRID_CODE[t], "name": "新网格"}),
    "org:org_create": PageCase(
        table("""
                                G     A     A2    B
        district                200   200   200   200
        street                  200   200   200   404
        street_b,community_b    404   404   404   200
        community               200   200   404   404
        grid                    403   404   404   404
        socialworker2,mediator  403   403   403   404
        norole                  403   403   403   403
        *                       403   403   404   404
        """), lambda c, r, t: f"/org/units/{_unit(c, r, t)}/orgs/new/",
        post=table("""
                                G     A     A2    B
        district                302   302   302   302
        street                  302   302   302   404
        street_b,community_b    404   404   404   302
        community               302   302   404   404
        grid                    403   404   404   404
        socialworker2,mediator  403   403   403   404
        norole                  403   403   403   403
        *                       403   403   404   404
        """),
        body=lambda c, r, t: {"name": "新社会组织", "kind": "social_org"}),
    "org:org": PageCase(table("""
                                       G     A     A2    B
        district                       200   200   200   200
        street,socialworker2,mediator  200   200   200   404
        street_b,community_b           404   404   404   200
        grid                           200   404   404   404
        norole                         403   403   403   403
        *                              200   200   404   404
        """), lambda c, r, t: f"/org/orgs/{c.teams[t].pk}/"),
    "org:member_candidates": PageCase(table("""
                                G     A     A2    B
        district                200   200   200   200
        street                  200   200   200   404
        street_b,community_b    404   404   404   200
        community               200   200   404   404
        grid                    403   404   404   404
        socialworker2,mediator  403   403   403   404
        teamleader              403   200   404   404
        norole                  403   403   403   403
        *                       403   403   404   404
        """),
                                      lambda c, r, t: f"/org/orgs/{c.teams[t].pk}/members/search/?q=周",
                                      anon="login"),
    "org:member_add": PageCase(
        everyone("405", "G A A2 B"), lambda c, r, t: f"/org/orgs/{c.teams[t].pk}/members/",
        post=table("""
                                G     A     A2    B
        district                302   302   302   302
        street                  302   302   302   404
        street_b,community_b    404   404   404   302
        community               302   302   404   404
        grid                    403   404   404   404
        socialworker2,mediator  403   403   403   404
        teamleader              403   302   404   404
        norole                  403   403   403   403
        *                       403   403   404   404
        """), body=_new_member),
    "org:member_remove": PageCase(everyone("405", "G A A2 B"), _member, post=table("""
                                G     A     A2    B
        district                302   302   302   302
        street                  302   302   302   404
        street_b,community_b    404   404   404   302
        community               302   302   404   404
        grid                    403   404   404   404
        socialworker2,mediator  403   403   403   404
        teamleader              403   302   404   404
        norole                  403   403   403   403
        *                       403   403   404   404
        """),
                                  anon_post="login"),
}
