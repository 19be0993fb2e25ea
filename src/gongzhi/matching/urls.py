from django.urls import path

from . import views

app_name = "matching"

urlpatterns = [
    path("", views.home, name="home"),
    path("needs/", views.need_list, name="needs"),
    path("needs/new/", views.need_create, name="need_create"),
    path("needs/<int:pk>/", views.need_detail, name="need_detail"),
    path("needs/<int:pk>/match/", views.need_match, name="need_match"),
    path("needs/<int:pk>/close/", views.need_close, name="need_close"),
    path("needs/<int:pk>/propose/", views.match_propose, name="match_propose"),
    path("resources/", views.resource_list, name="resources"),
    path("resources/new/", views.resource_create, name="resource_create"),
    path("resources/<int:pk>/", views.resource_detail, name="resource_detail"),
    path("resources/<int:pk>/withdraw/", views.resource_withdraw, name="resource_withdraw"),
    path("projects/", views.project_list, name="projects"),
    path("projects/new/", views.project_create, name="project_create"),
    path("projects/<int:pk>/", views.project_detail, name="project_detail"),
    path("projects/<int:pk>/<slug:action>/", views.project_status, name="project_status"),
    path("matches/<int:pk>/<slug:action>/", views.match_transition, name="match_transition"),
]
