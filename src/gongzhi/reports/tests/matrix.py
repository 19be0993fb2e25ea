"""Scoping-matrix rows of the reports endpoints (collected by ``accounts/tests/test_scoping_matrix.py``).

Targets are the units G/A/A2/B (dashboards) and the teams of those units (team pages). ``reports.view`` is held by
admins, community and grid workers, social workers and observers; ``reports.view_teams`` adds team leaders.
"""

from __future__ import annotations

from gongzhi.core.testing.matrix import Case, ids, table

DASHBOARD = """
                                                  G    A    A2   B
district                                          200  200  200  200
street,socialworker2                              200  200  200  404
street_b,community_b                              404  404  404  200
community,socialworker,observer                   200  200  404  404
grid                                              200  404  404  404
*                                                 403  403  403  403
"""

TEAM = """
                                                  G    A    A2   B
district                                          200  200  200  200
street,socialworker2                              200  200  200  404
street_b,community_b                              404  404  404  200
community,socialworker,observer,teamleader        200  200  404  404
grid                                              200  404  404  404
*                                                 403  403  403  403
"""

TEAMS_LISTED = """
                                                  G    A    A2   B
district                                          +    +    +    +
street,socialworker2                              +    +    +    -
street_b,community_b                              -    -    -    +
community,socialworker,observer,teamleader        +    +    -    -
grid                                              +    -    -    -
*                                                 403  403  403  403
"""

CASES = {
    ("GET", "/api/v1/reports/dashboard"): Case(
        table(DASHBOARD), lambda c, r, t: (f"reports/dashboard?unit_id={c.units[t].pk}&period=all", None)),
    ("GET", "/api/v1/reports/dashboard.xlsx"): Case(
        table(DASHBOARD), lambda c, r, t: (f"reports/dashboard.xlsx?unit_id={c.units[t].pk}&period=2025", None)),
    ("GET", "/api/v1/reports/teams"): Case(
        table(TEAMS_LISTED), lambda c, r, t: ("reports/teams", None),
        lambda body, c, t: c.teams[t].pk in ids(body)),
    ("GET", "/api/v1/reports/teams/{team_id}"): Case(
        table(TEAM), lambda c, r, t: (f"reports/teams/{c.teams[t].pk}?period=2025", None)),
}
