from django.urls import include, path

from registry.views import (
    care,
    consent,
    enterprises,
    imports,
    recruitment,
    review,
    rosters,
    sign_in,
    workers,
)

app_name = "registry"

# What staff do to one worker: the record, deciding a registration, the care visits due.
worker_urls = [
    path("", rosters.worker_detail, name="worker_detail"),
    path("edit/", rosters.worker_edit, name="worker_edit"),
    path("leave/", rosters.worker_leave, name="worker_leave"),
    path("withdraw-consent/", rosters.worker_withdraw_consent, name="worker_withdraw_consent"),
    path("anonymise/", rosters.worker_anonymise, name="worker_anonymise"),
    path("confirm/", workers.confirm, name="confirm"),
    path("refuse/", review.refuse, name="refuse"),
    path("duplicate/", review.duplicate, name="duplicate"),
    path("care/new/", care.care_new, name="care_new"),
]

import_job_urls = [
    path("", imports.job, name="import_job"),
    path("commit/", imports.commit, name="import_commit"),
]

urlpatterns = [
    # The rider's one identity: their mobile proven by a texted code (registry.services.riders).
    path("me/sign-in/", sign_in.sign_in, name="sign_in"),
    path("me/sign-in/code/", sign_in.sign_in_code, name="sign_in_code"),
    path("me/sign-out/", sign_in.sign_out, name="sign_out"),
    path("register/", workers.register, name="register"),
    path("register/code/", workers.register_code, name="register_code"),
    path("register/done/", workers.registered, name="registered"),
    path("register/withdraw/", consent.withdraw, name="withdraw"),
    path("register/withdraw/done/", consent.withdrawn, name="withdrawn"),
    path("staff/registry/pending/", workers.pending, name="pending"),
    path("staff/registry/pending/<int:pk>/", review.review, name="review"),
    path("staff/registry/workers/", rosters.roster, {"roster": "workers"}, name="workers"),
    path(
        "staff/registry/party-members/",
        rosters.roster,
        {"roster": "party_members"},
        name="party_members",
    ),
    path(
        "staff/registry/mobile-party-members/",
        rosters.roster,
        {"roster": "mobile_party_members"},
        name="mobile_party_members",
    ),
    path(
        "staff/registry/workers/export.xlsx",
        rosters.roster_export,
        {"roster": "workers"},
        name="workers_export",
    ),
    path(
        "staff/registry/party-members/export.xlsx",
        rosters.roster_export,
        {"roster": "party_members"},
        name="party_members_export",
    ),
    path(
        "staff/registry/mobile-party-members/export.xlsx",
        rosters.roster_export,
        {"roster": "mobile_party_members"},
        name="mobile_party_members_export",
    ),
    path("staff/registry/workers/new/", rosters.worker_add, name="worker_add"),
    path("staff/registry/workers/<int:pk>/", include(worker_urls)),
    path("staff/registry/enterprises/", enterprises.enterprises, name="enterprises"),
    path(
        "staff/registry/enterprises/export.xlsx",
        enterprises.enterprises_export,
        name="enterprises_export",
    ),
    path("staff/registry/enterprises/new/", enterprises.enterprise_add, name="enterprise_add"),
    path(
        "staff/registry/enterprises/<int:pk>/edit/",
        enterprises.enterprise_edit,
        name="enterprise_edit",
    ),
    path("staff/registry/care/", care.care_visits, name="care_visits"),
    path("staff/registry/care/<int:pk>/visit/", care.care_visit, name="care_visit"),
    # 招募令 and appointed roles.
    path("calls/<str:code>/", recruitment.apply, name="apply"),
    path("staff/registry/calls/", recruitment.calls, name="calls"),
    path("staff/registry/calls/new/", recruitment.call_new, name="call_new"),
    path("staff/registry/calls/<int:pk>/", recruitment.call, name="call"),
    path("staff/registry/applications/<int:pk>/accept/", recruitment.accept, name="accept"),
    path("staff/registry/applications/<int:pk>/decline/", recruitment.decline, name="decline"),
    path(
        "staff/registry/appointments/expiring/",
        recruitment.expiring,
        name="appointments_expiring",
    ),
    path(
        "staff/registry/appointments/<int:pk>/end/",
        recruitment.end_appointment,
        name="appointment_end",
    ),
    path("staff/registry/import/", imports.start, name="import_start"),
    path("staff/registry/import/template.xlsx", imports.template, name="import_template"),
    path("staff/registry/import/<int:pk>/", include(import_job_urls)),
]
