from django.urls import path

from . import views

app_name = "activities"

urlpatterns = [
    path("", views.activity_list, name="list"),
    path("new/", views.activity_create, name="create"),
    path("my/", views.my_signups, name="my"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar"),
    path("insurance/", views.insurance, name="insurance"),
    path("insurance/<int:pk>/roster.xlsx", views.insurance_roster, name="roster"),
    path("<int:pk>/", views.activity_detail, name="detail"),
    path("<int:pk>/edit/", views.activity_edit, name="edit"),
    path("<int:pk>/signup/", views.signup_create, name="signup"),
    path("<int:pk>/beneficiaries/", views.beneficiaries_record, name="beneficiaries"),
    path("<int:pk>/<slug:action>/", views.activity_transition, name="transition"),
    path("signups/<int:pk>/<slug:action>/", views.signup_action, name="signup_action"),
]
