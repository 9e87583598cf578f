from django.urls import path

from registry.views import workers

app_name = "registry"

urlpatterns = [
    path("register/", workers.register, name="register"),
    path("register/done/", workers.registered, name="registered"),
    path("staff/registry/pending/", workers.pending, name="pending"),
    path("staff/registry/workers/<int:worker_id>/confirm/", workers.confirm, name="confirm"),
]
