app_name = "ecwid"

urlpatterns = []
