from django.urls import path  # noqa: F401  (each part adds its own patterns)

app_name = "points"

urlpatterns = []
