app_name = "syncapp"

urlpatterns = []
