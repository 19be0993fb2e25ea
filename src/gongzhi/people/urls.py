"""Pages for residents and volunteers. The import pages live in ``transfer_urls`` (mounted here when present)."""

from django.urls import include, path

from . import views

app_name = "people"

urlpatterns = [
    path("", views.person_list, name="list"),
    path("new/", views.person_create, name="create"),
    path("<int:pk>/", views.person_detail, name="detail"),
    path("<int:pk>/reveal/", views.person_reveal, name="reveal"),
    path("<int:pk>/edit/", views.person_edit, name="edit"),
    path("<int:pk>/volunteer/", views.volunteer_register, name="volunteer_register"),
    path("volunteers/", views.volunteer_list, name="volunteers"),
    path("volunteers/apply/", views.volunteer_apply, name="volunteer_apply"),
    path("volunteers/review/", views.review_queue, name="review_queue"),
    path("volunteers/<int:pk>/", views.volunteer_detail, name="volunteer"),
    path("volunteers/<int:pk>/review/", views.volunteer_review, name="volunteer_review"),
    path("volunteers/<int:pk>/suspend/", views.volunteer_suspend, name="volunteer_suspend"),
    path("volunteers/<int:pk>/reinstate/", views.volunteer_reinstate, name="volunteer_reinstate"),
    path("volunteers/<int:pk>/certificates/", views.certificate_add, name="certificate_add"),
]

try:  # the xlsx import/export pages (names people:import ...) may not be installed yet
    urlpatterns.append(path("", include("gongzhi.people.transfer_urls")))
except ModuleNotFoundError as exc:
    if exc.name != "gongzhi.people.transfer_urls":
        raise
