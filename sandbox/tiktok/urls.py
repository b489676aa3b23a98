app_name = "tiktok"

urlpatterns = []
