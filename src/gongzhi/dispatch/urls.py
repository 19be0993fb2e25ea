from django.urls import path

from . import views

app_name = "dispatch"

urlpatterns = [
    path("", views.board, name="board"),
    path("orders/", views.order_list, name="orders"),
    path("orders/new/", views.order_new, name="new"),
    path("orders/<int:pk>/", views.order_detail, name="detail"),
    path("orders/<int:pk>/take/", views.take, name="take"),
    path("orders/<int:pk>/<str:action>/", views.act, name="act"),
    path("figures/", views.figures, name="figures"),
]
