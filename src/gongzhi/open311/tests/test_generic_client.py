"""An Open311 client written the way existing ones are (URL + ".format", form-encoded POST, only urllib) runs its
usual sequence against a real server: discovery → services → definition → POST → token → request, unchanged."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from xml.etree import ElementTree as ET

import pytest

from gongzhi.appeals.models import Appeal
from gongzhi.open311 import services


class Open311Client:
    """GeoReport v2 over urllib: the root address, an optional jurisdiction and api_key, XML or JSON."""

    def __init__(self, root: str, *, jurisdiction: str | None = None, api_key: str | None = None,
                 output_format: str = "json"):
        self.root, self.jurisdiction, self.api_key, self.fmt = root.rstrip("/"), jurisdiction, api_key, output_format

    def _url(self, resource: str, params: dict | None = None) -> str:
        params = {k: v for k, v in (params or {}).items() if v is not None}
        if self.jurisdiction:
            params["jurisdiction_id"] = self.jurisdiction
        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        return f"{self.root}/{resource}.{self.fmt}{query}"

    def _read(self, response):
        body = response.read()
        if self.fmt == "json":
            return json.loads(body)
        return ET.fromstring(body)

    def get(self, resource: str, **params):
        with urllib.request.urlopen(self._url(resource, params), timeout=10) as r:
            return self._read(r)

    def discovery(self):
        return self.get("discovery")

    def services(self):
        return self.get("services")

    def definition(self, code: str):
        return self.get(f"services/{code}")

    def post_request(self, **fields):
        data = {"api_key": self.api_key, **fields}
        if self.jurisdiction:
            data["jurisdiction_id"] = self.jurisdiction
        request = urllib.request.Request(self._url("requests").split("?")[0],
                                         data=urllib.parse.urlencode(data).encode("utf-8"), method="POST",
                                         headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
        with urllib.request.urlopen(request, timeout=10) as r:
            return self._read(r)

    def token(self, token: str):
        return self.get(f"tokens/{token}")

    def request(self, service_request_id: str):
        return self.get(f"requests/{service_request_id}")

    def requests(self, **filters):
        return self.get("requests", **filters)


# live_server flushes the database afterwards; serialized_rollback restores the migration-seeded categories
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_json_client_files_and_follows_a_request(live_server, world):
    _, key = services.api_client_issue(name="App", unit=world.district, actor=world.user("district"))
    api = Open311Client(f"{live_server.url}/open311/v2", jurisdiction="370117", api_key=key)

    endpoint = api.discovery()["endpoints"][0]
    assert "application/json" in endpoint["formats"]
    api.root = endpoint["url"].replace("http://testserver", live_server.url)
    service = next(s for s in api.services() if s["service_name"] == "水电维修")
    attributes = api.definition(service["service_code"])["attributes"] if service["metadata"] else []
    fields = {f"attribute[{a['code']}]": a["values"][0]["key"] for a in attributes if a["datatype"] == "singlevaluelist"}
    answer = api.post_request(service_code=service["service_code"], lat="36.06", long="117.81",
                              address_string="永兴路8号", description="水管漏水", first_name="秀英", last_name="王",
                              **fields)[0]
    request_id = answer.get("service_request_id") or api.token(answer["token"])[0]["service_request_id"]
    mine = api.request(request_id)[0]
    assert mine["status"] == "open" and mine["service_code"] == service["service_code"]
    assert mine["description"] == "水管漏水" and Appeal.objects.get().number == request_id
    assert [r["service_request_id"] for r in api.requests(status="open")] == [request_id]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_xml_client_does_the_same_and_reads_errors(live_server, world):
    _, key = services.api_client_issue(name="App", unit=world.district, actor=world.user("district"))
    api = Open311Client(f"{live_server.url}/open311/v2", api_key=key, output_format="xml")
    codes = [s.findtext("service_code") for s in api.services().iter("service")]
    assert "C01" in codes
    token = api.post_request(service_code="C01", address_string="永兴路12号", description="路灯不亮").findtext(
        "request/token")
    request_id = api.token(token).findtext("request/service_request_id")
    assert api.request(request_id).findtext("request/status") == "open"
    with pytest.raises(urllib.error.HTTPError) as err:
        Open311Client(api.root, api_key="wrong", output_format="xml").post_request(
            service_code="C01", address_string="x", description="y")
    assert err.value.code == 403
    error = ET.fromstring(err.value.read()).find("error")
    assert error.findtext("code") == "403" and error.findtext("description")
