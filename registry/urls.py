from django.urls import path

from registry.views import care, workers

app_name = "registry"

urlpatterns = [
    path("register/", workers.register, name="register"),
    path("register/done/", workers.registered, name="registered"),
    path("staff/registry/pending/", workers.pending, name="pending"),
    path("staff/registry/workers/<int:worker_id>/confirm/", workers.confirm, name="confirm"),
    path("staff/registry/care/", care.care_visits, name="care_visits"),
    path("staff/registry/workers/<int:worker_id>/care/new/", care.care_new, name="care_new"),
    path("staff/registry/care/<int:visit_id>/visit/", care.care_visit, name="care_visit"),
]
