from django.urls import path  # noqa: F401  (each part of the loop adds its own patterns)

app_name = "feedback"

urlpatterns = []
