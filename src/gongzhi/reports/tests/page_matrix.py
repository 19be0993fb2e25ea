"""Page-matrix rows for the reports pages (dashboard, its xlsx, team reports)."""

from __future__ import annotations

from gongzhi.core.testing.matrix import PageCase, table

UNITS = "G A A2 B"

PAGES = {
    "reports:dashboard": PageCase(table("""
                                         G     A     A2    B
        district                         200   200   200   200
        street,socialworker2             200   200   200   404
        street_b,community_b             404   404   404   200
        community,socialworker,observer  200   200   404   404
        grid                             200   404   404   404
        *                                403   403   403   403
        """), lambda c, r, t: f"/reports/?unit={c.units[t].pk}"),
    "reports:export": PageCase(table("""
                                         G     A     A2    B
        district                         200   200   200   200
        street,socialworker2             200   200   200   404
        street_b,community_b             404   404   404   200
        community,socialworker,observer  200   200   404   404
        grid                             200   404   404   404
        *                                403   403   403   403
        """), lambda c, r, t: f"/reports/export.xlsx?unit={c.units[t].pk}",
                               anon="login"),
    "reports:teams": PageCase(table("""
                                                    G     A     A2    B
        district                                    +     +     +     +
        street,socialworker2                        +     +     +     -
        street_b,community_b                        -     -     -     +
        community,socialworker,teamleader,observer  +     +     -     -
        grid                                        +     -     -     -
        *                                           403   403   403   403
        """), lambda c, r, t: "/reports/teams/",
                              listed=lambda c, t: f'/reports/teams/{c.teams[t].pk}/'),
    "reports:team": PageCase(table("""
                                                    G     A     A2    B
        district                                    200   200   200   200
        street,socialworker2                        200   200   200   404
        street_b,community_b                        404   404   404   200
        community,socialworker,teamleader,observer  200   200   404   404
        grid                                        200   404   404   404
        *                                           403   403   403   403
        """), lambda c, r, t: f"/reports/teams/{c.teams[t].pk}/"),
}
