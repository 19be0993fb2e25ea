"""Page-matrix rows for Open311 (GeoReport v2: public GETs, key-authenticated POST) and its API-key page."""

from __future__ import annotations

from gongzhi.appeals.tests.matrix import prepare as appeals_prepare
from gongzhi.core.testing.matrix import PageCase, everyone, table
from gongzhi.open311 import services

UNITS = "G A A2 B"


def _key(c, r, t):
    client, _key = services.api_client_issue(name=f"矩阵{t}", unit=c.units[t], actor=c.users["district"])
    return f"/open311/v2/keys/{client.pk}/revoke/"


def _number(c, t):
    return c.cache["appeals"][t].number


PAGES = {
    # a key is issued for the district, a street or a community the admin manages: a grid (G) or a unit outside the
    # admin's is not among the choices (400 "请选择可提交的辖区", nothing written); issuing answers 200 with the key
    "open311:keys": PageCase(
        table("""
                                  G     A     A2    B
        district,street,street_b  200   200   200   200
        *                         403   403   403   403
        """), lambda c, r, t: "/open311/v2/keys/", post=table("""
                  G     A     A2    B
        district  400   200   200   200
        street    400   200   200   400
        street_b  400   400   400   200
        *         403   403   403   403
        """),
        body=lambda c, r, t: {"unit": c.units[t].pk, "name": "12345热线对接"}),
    "open311:key_revoke": PageCase(everyone("405", "G A A2 B"), _key, post=table("""
                  G     A     A2    B
        district  302   302   302   302
        street    302   302   302   404
        street_b  404   404   404   302
        *         403   403   403   403
        """)),
    "open311:openapi": PageCase(everyone("200"), lambda c, r, t: "/open311/v2/openapi.json", anon="200"),
    "open311:discovery": PageCase(everyone("200"), lambda c, r, t: "/open311/v2/discovery.json", anon="200"),
    "open311:services": PageCase(everyone("200"), lambda c, r, t: "/open311/v2/services.json", anon="200"),
    "open311:service": PageCase(everyone("200"), lambda c, r, t: "/open311/v2/services/C01.json", anon="200"),
    "open311:request_updates": PageCase(everyone("200"), lambda c, r, t: "/open311/v2/requests/updates.json",
                                        anon="200"),
    "open311:updates": PageCase(everyone("200"), lambda c, r, t: "/open311/v2/servicerequestupdates.json", anon="200"),
    "open311:requests": PageCase(
        everyone("200"), lambda c, r, t: "/open311/v2/requests.json", anon="200", post=everyone("403"), anon_post="403",
        body=lambda c, r, t: {"service_code": "C01", "description": "路灯不亮", "lat": "36.2", "long": "117.8"}),
    "open311:request": PageCase(table("""
           G     A     A2    B
        *  200   200   200   200
        """), lambda c, r, t: f"/open311/v2/requests/{_number(c, t)}.json",
                                anon="200", prepare=appeals_prepare),
    "open311:token": PageCase(everyone("404"), lambda c, r, t: "/open311/v2/tokens/no-such-token.json", anon="404"),
    "open311:unknown": PageCase(everyone("404"), lambda c, r, t: "/open311/v2/no/such/resource.json", anon="404",
                                post=everyone("404"), anon_post="404"),
}
