"""Page-matrix rows for the shell pages (home, login, logout, language switch) and ops' health probes."""

from __future__ import annotations

from gongzhi.core.testing.matrix import PageCase, everyone

PAGES = {
    "web:home": PageCase(everyone("200"), lambda c, r, t: "/"),
    "web:login": PageCase(everyone("302"), lambda c, r, t: "/login/", anon="200", post=everyone("302"), anon_post="200",
                          body=lambda c, r, t: {"username": "t-nobody", "password": "wrong-password"},
                          writes=False),  # a logged-in caller is sent on: nothing to write
    "web:logout": PageCase(everyone("405"), lambda c, r, t: "/logout/", anon="405", post=everyone("login"),
                          fresh_clients=True, may_write=True),
    "set_language": PageCase(everyone("302"), lambda c, r, t: "/i18n/setlang/", anon="302", post=everyone("302"),
                             anon_post="302", body=lambda c, r, t: {"language": "zh-hans", "next": "/"},
                             writes=False),  # the choice is a cookie
    "ops:healthz": PageCase(everyone("200"), lambda c, r, t: "/healthz", anon="200"),
    "ops:readyz": PageCase(everyone("200"), lambda c, r, t: "/readyz", anon="200"),
}
