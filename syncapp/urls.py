from django.urls import include, path

from syncapp import oauth

app_name = "syncapp"

urlpatterns = [
    path("oauth/<str:platform>/callback/", oauth.oauth_callback, name="oauth-callback"),
    path("", include("syncapp.urls_webhooks")),
]
