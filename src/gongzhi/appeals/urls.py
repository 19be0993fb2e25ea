from django.urls import path

from . import views

app_name = "appeals"

urlpatterns = [
    path("", views.appeal_list, name="list"),
    path("report/", views.report, name="report"),
    path("mine/", views.mine, name="mine"),
    path("settings/", views.settings_page, name="settings"),
    path("public/", views.public, name="public"),
    path("<int:pk>/", views.appeal_detail, name="detail"),
    path("<int:pk>/<slug:action>/", views.appeal_transition, name="transition"),
]
