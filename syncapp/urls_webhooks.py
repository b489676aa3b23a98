from django.urls import path

from syncapp import webhooks

urlpatterns = [
    path("webhooks/tiktok/", webhooks.tiktok_webhook, name="tiktok-webhook"),
]
