from django.urls import path

from . import views

app_name = "recognition"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("volunteers/<int:pk>/", views.volunteer, name="volunteer"),
    path("volunteers/<int:pk>/ratings/", views.rating_record, name="rate"),
    path("candidates/", views.candidates, name="candidates"),
    path("candidates/publish/", views.candidates_publish, name="candidates_publish"),
    path("candidates/<int:pk>/approve/", views.candidates_approve, name="candidates_approve"),
    path("certificates/", views.certificates, name="certificates"),
    path("certificates/request/", views.certificate_request, name="certificate_request"),
    path("certificates/<int:pk>/accept/", views.certificate_accept, name="certificate_accept"),
    path("certificates/<int:pk>/issue/", views.certificate_issue, name="certificate_issue"),
    path("certificates/<int:pk>/revoke/", views.certificate_revoke, name="certificate_revoke"),
    path("certificates/<int:pk>/pdf/", views.certificate_pdf, name="certificate_pdf"),
    path("verify/<str:code>/", views.verify, name="verify"),
    path("honours/", views.honours, name="honours"),
]
