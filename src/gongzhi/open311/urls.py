"""``/open311/v2/``: GeoReport v2 resources with an optional ``.xml``/``.json`` suffix, and the API-key page."""

from django.urls import path, re_path

from . import openapi, views

app_name = "open311"

FMT = r"(?:\.(?P<fmt>[A-Za-z0-9]+))?"
ID = r"[^/.]+"

urlpatterns = [
    path("keys/", views.keys, name="keys"),
    path("keys/<int:pk>/revoke/", views.key_revoke, name="key_revoke"),
    path("openapi.json", openapi.serve, name="openapi"),
    re_path(rf"^discovery{FMT}$", views.discovery, name="discovery"),
    re_path(rf"^services{FMT}$", views.services_list, name="services"),
    re_path(rf"^services/(?P<code>{ID}){FMT}$", views.service_definition, name="service"),
    re_path(rf"^requests/updates{FMT}$", views.updates, name="request_updates"),
    re_path(rf"^servicerequestupdates{FMT}$", views.updates, name="updates"),
    re_path(rf"^requests{FMT}$", views.requests_, name="requests"),
    re_path(rf"^requests/(?P<request_id>{ID}){FMT}$", views.request_detail, name="request"),
    re_path(rf"^tokens/(?P<token>{ID}){FMT}$", views.token, name="token"),
    re_path(r"^(?P<rest>.*?)(?:\.(?P<fmt>json|xml))?$", views.unknown, name="unknown"),
]
