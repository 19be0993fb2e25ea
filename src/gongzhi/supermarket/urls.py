from django.urls import path

from . import views

app_name = "supermarket"

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("member/", views.member, name="member"),
    path("member/qr/", views.member_qr, name="member_qr"),
    path("orders/", views.my_orders, name="orders"),
    path("items/<int:pk>/order/", views.order, name="order"),
    path("counter/", views.counter, name="counter"),
    path("counter/redeem/", views.counter_redeem, name="counter_redeem"),
    path("receipts/<int:pk>/", views.receipt, name="receipt"),
    path("receipts/<int:pk>/pickup/", views.pickup, name="pickup"),
    path("receipts/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("merchants/", views.merchants, name="merchants"),
    path("merchants/<int:pk>/", views.merchant, name="merchant"),
    path("merchants/<int:pk>/open/", views.merchant_open, name="merchant_open"),
    path("items/<int:pk>/stock/", views.item_stock, name="item_stock"),
    path("items/<int:pk>/shelf/", views.item_shelf, name="item_shelf"),
    path("settlement/", views.settlement, name="settlement"),
]
