from django.urls import include, path

from syncapp import oauth, views

app_name = "syncapp"

urlpatterns = [
    path("oauth/<str:platform>/callback/", oauth.oauth_callback, name="oauth-callback"),
    path("", include("syncapp.urls_webhooks")),
    # "/" is the dashboard once portal/urls.py drops its redirect to the admin; "/dashboard/" always is.
    path("", views.dashboard, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("orders/detail/", views.OrderDetailListView.as_view(), name="order-detail-list"),
    path("orders/sales/", views.SalesOrderListView.as_view(), name="sales-order-list"),
    path("records/resync/", views.resync, name="resync"),
    path("records/<int:pk>/", views.record_detail, name="record"),
    path("records/<int:pk>/compare/", views.compare, name="compare"),
]
