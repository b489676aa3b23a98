"""Mounted at /sandbox/tiktok/: API host `open-api/`, auth host `auth/`, consent page, Seller Center."""

from django.urls import path, re_path

from sandbox.tiktok import api, views

app_name = "tiktok"

urlpatterns = [
    # API host = {origin}/sandbox/tiktok/open-api (the signed path is what follows it)
    path("open-api/<path:api_path>", api.open_api, name="open-api"),
    # The bare host answers like any unknown path: 36009009 in the envelope, not an HTML 404.
    re_path(r"^open-api/?$", api.open_api, {"api_path": ""}, name="open-api-root"),
    # Auth host = {origin}/sandbox/tiktok/auth
    path("auth/api/v2/token/get", api.token_get, name="token-get"),
    path("auth/api/v2/token/refresh", api.token_refresh, name="token-refresh"),
    # Consent page (the app's authorization link)
    path("services/open/authorize", views.authorize, name="authorize"),
    # Seller Center
    path("seller/", views.seller, name="seller"),
    path("seller/orders/new", views.create_order, name="seller-create-order"),
    path("seller/orders.json", views.orders_json, name="seller-orders-json"),
    path("seller/orders/<str:order_id>/", views.order_detail, name="seller-order"),
    path("seller/orders/<str:order_id>/status", views.change_status, name="seller-order-status"),
    path(
        "seller/orders/<str:order_id>/status.json", views.order_status_json, name="seller-order-status-json"
    ),
]
