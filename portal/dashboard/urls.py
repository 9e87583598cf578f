from django.urls import path

from portal.dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("staff/dashboard/", views.summary, name="summary"),
    path("staff/dashboard/export.xlsx", views.summary_export, name="export"),
]
