from django.urls import path

from registry.views import care, consent, enterprises, imports, review, rosters, sign_in, workers

app_name = "registry"

urlpatterns = [
    # The rider's one identity: their mobile proven by a texted code (registry.riders).
    path("me/sign-in/", sign_in.sign_in, name="sign_in"),
    path("me/sign-in/code/", sign_in.sign_in_code, name="sign_in_code"),
    path("me/sign-out/", sign_in.sign_out, name="sign_out"),
    path("register/", workers.register, name="register"),
    path("register/code/", workers.register_code, name="register_code"),
    path("register/done/", workers.registered, name="registered"),
    path("register/withdraw/", consent.withdraw, name="withdraw"),
    path("register/withdraw/done/", consent.withdrawn, name="withdrawn"),
    path("staff/registry/pending/", workers.pending, name="pending"),
    path("staff/registry/pending/<int:worker_id>/", review.review, name="review"),
    path("staff/registry/workers/<int:worker_id>/confirm/", workers.confirm, name="confirm"),
    path("staff/registry/workers/<int:worker_id>/refuse/", review.refuse, name="refuse"),
    path("staff/registry/workers/<int:worker_id>/duplicate/", review.duplicate, name="duplicate"),
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
    path("staff/registry/workers/<int:worker_id>/", rosters.worker_detail, name="worker_detail"),
    path("staff/registry/workers/<int:worker_id>/edit/", rosters.worker_edit, name="worker_edit"),
    path(
        "staff/registry/workers/<int:worker_id>/leave/", rosters.worker_leave, name="worker_leave"
    ),
    path(
        "staff/registry/workers/<int:worker_id>/withdraw-consent/",
        rosters.worker_withdraw_consent,
        name="worker_withdraw_consent",
    ),
    path(
        "staff/registry/workers/<int:worker_id>/anonymise/",
        rosters.worker_anonymise,
        name="worker_anonymise",
    ),
    path("staff/registry/enterprises/", enterprises.enterprises, name="enterprises"),
    path(
        "staff/registry/enterprises/export.xlsx",
        enterprises.enterprises_export,
        name="enterprises_export",
    ),
    path("staff/registry/enterprises/new/", enterprises.enterprise_add, name="enterprise_add"),
    path(
        "staff/registry/enterprises/<int:enterprise_id>/edit/",
        enterprises.enterprise_edit,
        name="enterprise_edit",
    ),
    path("staff/registry/care/", care.care_visits, name="care_visits"),
    path("staff/registry/workers/<int:worker_id>/care/new/", care.care_new, name="care_new"),
    path("staff/registry/care/<int:visit_id>/visit/", care.care_visit, name="care_visit"),
    path("staff/registry/import/", imports.start, name="import_start"),
    path("staff/registry/import/template.xlsx", imports.template, name="import_template"),
    path("staff/registry/import/<int:job_id>/", imports.job, name="import_job"),
    path("staff/registry/import/<int:job_id>/commit/", imports.commit, name="import_commit"),
]
