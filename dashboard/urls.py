from django.urls import path

from dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("staff/dashboard/", views.summary, name="summary"),
    path("staff/dashboard/export.xlsx", views.summary_export, name="export"),
    path("staff/dashboard/rates/", views.rates, name="rates"),
    path("staff/dashboard/ranking/", views.ranking_page, name="ranking"),
]
