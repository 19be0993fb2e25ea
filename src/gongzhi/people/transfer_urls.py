"""xlsx import/export pages; included into the ``people`` namespace by ``people/urls.py``."""

from django.urls import path

from . import transfer_views as views

urlpatterns = [
    path("import/", views.import_page, name="import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("import/<int:pk>/", views.import_job_page, name="import_job"),
    path("import/<int:pk>/errors.xlsx", views.import_errors, name="import_errors"),
    path("export.xlsx", views.export, name="export"),
]
