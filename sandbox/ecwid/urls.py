"""Emulated Ecwid under /sandbox/ecwid/: the REST API (`api/v3`), the OAuth host (`my`) and the store's
control panel (`store`). A portal connection's base URLs point at the first two."""

from django.urls import path, re_path

from sandbox.ecwid import api, oauth, pages

app_name = "ecwid"

API = "api/v3/<str:store_id>"

urlpatterns = [
    path(f"{API}/profile", api.profile, name="api-profile"),
    path(f"{API}/orders", api.order_list, name="api-orders"),
    path(f"{API}/orders/<str:order_id>", api.order_detail, name="api-order"),
    path(f"{API}/products", api.product_list, name="api-products"),
    path(f"{API}/products/<str:product_id>", api.product_detail, name="api-product"),
    path(f"{API}/products/<str:product_id>/inventory", api.product_inventory, name="api-product-inventory"),
    path(f"{API}/products/<str:product_id>/combinations", api.combination_list, name="api-combinations"),
    path(
        f"{API}/products/<str:product_id>/combinations/<str:combination_id>",
        api.combination_detail,
        name="api-combination",
    ),
    path(
        f"{API}/products/<str:product_id>/combinations/<str:combination_id>/inventory",
        api.combination_inventory,
        name="api-combination-inventory",
    ),
    re_path(r"^api/(?P<rest>.*)$", api.not_found),
    path("my/api/oauth/authorize", oauth.authorize, name="oauth-authorize"),
    path("my/api/oauth/token", oauth.token, name="oauth-token"),
    path("store/", pages.orders, name="store"),
    path("store/orders/<str:order_id>/", pages.order, name="order"),
    path("store/products/", pages.products, name="products"),
    path("store/app/", pages.custom_app, name="custom-app"),
]
