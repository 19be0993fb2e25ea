"""Page-matrix row for the access-log page (R-P3: who read whose personal data)."""

from __future__ import annotations

from gongzhi.core.testing.matrix import PageCase, table

PAGES = {
    "privacy:access_log": PageCase(table("""
                  G     A     A2    B
        district  +     +     +     +
        street    +     +     +     -
        street_b  -     -     -     +
        *         403   403   403   403
        """), lambda c, r, t: "/privacy/access-log/",
                                   listed=lambda c, t: c.people[t].name),
}
