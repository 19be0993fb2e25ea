"""Pages of the points app (mounted at /points/)."""

from django.urls import path

from . import views

app_name = "points"

urlpatterns = [
    path("", views.home, name="home"),
    path("people/<int:pk>/award/", views.award, name="award"),
    path("people/<int:pk>/deduct/", views.deduct, name="deduct"),
    path("deductions/", views.queue, name="queue"),
    path("deductions/<int:pk>/approve/", views.approve, name="approve"),
    path("deductions/<int:pk>/reject/", views.reject, name="reject"),
    path("deductions/<int:pk>/decide/", views.decide, name="decide"),
    path("rules/", views.rulesets, name="rulesets"),
    path("me/", views.mine, name="mine"),
    path("me/deductions/<int:pk>/appeal/", views.appeal, name="appeal"),
    path("board/<str:code>/<str:month>/", views.board, name="board"),
]
