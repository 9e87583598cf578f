from django.urls import path

from registry.views import imports, workers

app_name = "registry"

urlpatterns = [
    path("register/", workers.register, name="register"),
    path("register/done/", workers.registered, name="registered"),
    path("staff/registry/pending/", workers.pending, name="pending"),
    path("staff/registry/workers/<int:worker_id>/confirm/", workers.confirm, name="confirm"),
    path("staff/registry/import/", imports.start, name="import_start"),
    path("staff/registry/import/template.xlsx", imports.template, name="import_template"),
    path("staff/registry/import/<int:job_id>/", imports.job, name="import_job"),
    path("staff/registry/import/<int:job_id>/commit/", imports.commit, name="import_commit"),
]
