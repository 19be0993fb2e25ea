"""Pages of the hours app (mounted at /hours/)."""

from django.urls import path

from . import views

app_name = "hours"

urlpatterns = [
    path("", views.organiser, name="organiser"),
    path("activities/<int:pk>/", views.activity, name="activity"),
    path("activities/<int:pk>/confirm/", views.confirm, name="confirm"),
    path("activities/<int:pk>/qr/", views.qr, name="qr"),
    path("activities/<int:pk>/qr/image/", views.qr_image, name="qr_image"),
    path("activities/<int:pk>/batch/", views.batch, name="batch"),
    path("activities/<int:pk>/back-entry/", views.back_entry, name="back_entry"),
    path("activities/<int:pk>/geo/", views.geo, name="geo"),
    path("attendances/<int:pk>/checkout/", views.set_checkout, name="set_checkout"),
    path("checkin/<str:token>/", views.checkin, name="checkin"),
    path("records/<int:pk>/", views.record, name="record"),
    path("records/<int:pk>/correct/", views.record_correct, name="record_correct"),
    path("records/<int:pk>/revoke/", views.record_revoke, name="record_revoke"),
    path("me/", views.mine, name="mine"),
    path("me/records/<int:pk>/dispute/", views.dispute_open, name="dispute_open"),
    path("volunteers/<int:pk>/", views.volunteer, name="volunteer"),
    path("disputes/", views.disputes, name="disputes"),
    path("disputes/<int:pk>/resolve/", views.dispute_resolve, name="dispute_resolve"),
]
