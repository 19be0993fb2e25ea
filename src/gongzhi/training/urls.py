from django.urls import path

from . import views

app_name = "training"

urlpatterns = [
    path("", views.course_list, name="list"),
    path("mine/", views.my_training, name="mine"),
    path("courses/<int:pk>/", views.course_detail, name="course"),
    path("sessions/<int:pk>/", views.session_detail, name="session"),
    path("sessions/<int:pk>/enrol/", views.session_enrol, name="enrol"),
    path("sessions/<int:pk>/cancel/", views.session_cancel, name="cancel"),
    path("sessions/<int:pk>/attendance/", views.session_attendance, name="attendance"),
]
