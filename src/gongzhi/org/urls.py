"""Pages for the org tree, units and organisations."""

from django.urls import path

from . import views

app_name = "org"

urlpatterns = [
    path("", views.tree, name="tree"),
    path("units/<int:pk>/", views.unit_detail, name="unit"),
    path("units/<int:pk>/children/", views.children, name="children"),
    path("units/<int:pk>/units/new/", views.unit_create, name="unit_create"),
    path("units/<int:pk>/orgs/new/", views.org_create, name="org_create"),
    path("orgs/<int:pk>/", views.org_detail, name="org"),
    path("orgs/<int:pk>/members/search/", views.member_candidates, name="member_candidates"),
    path("orgs/<int:pk>/members/", views.member_add, name="member_add"),
    path("orgs/<int:pk>/members/<int:person_pk>/remove/", views.member_remove, name="member_remove"),
]
