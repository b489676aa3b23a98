from django.urls import include, path

from sandbox import views

app_name = "sandbox"

urlpatterns = [
    path("", views.home, name="home"),
    path("faults/", views.faults_page, name="faults"),
    path("faults.json", views.faults_json, name="faults-json"),
    path("tiktok/", include("sandbox.tiktok.urls")),
    path("ecwid/", include("sandbox.ecwid.urls")),
]
