from django.urls import path

from registry import views

app_name = "registry"

urlpatterns = [
    path("register/", views.register, name="register"),
    path("register/done/", views.registered, name="registered"),
    path("staff/registry/pending/", views.pending, name="pending"),
    path("staff/registry/workers/<int:worker_id>/confirm/", views.confirm, name="confirm"),
]
