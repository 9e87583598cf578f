"""Every URL of the project × every persona → the status each must get.

A new URL pattern fails `test_every_url_pattern_is_in_the_matrix` until it has a row here, so no
view escapes the check. Objects of another area answer 404, never 403, so nothing about them leaks.
"""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.template.backends.django import Template
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from feedback.models import SuggestionPhoto, TaskPhoto
from points import checkin
from points.card import token_for
from points.models import EntryKind, Reward, SignUp, VolunteerTeam
from points.services import certificates
from points.services.activities import sign_up
from points.services.ledger import award
from points.services.rewards import redeem
from portal.inbox import notify
from portal.models import ExportJob
from registry.models import Application, ImportJob
from tests.factories import (
    ActivityFactory,
    CareVisitFactory,
    RecruitmentCallFactory,
    StationPhotoFactory,
    SuggestionFactory,
    TaskFactory,
    WorkerFactory,
    WorkerRoleFactory,
)
from tests.riders import sign_in_rider

PERSONAS = ["anonymous", "rider", "staff_a", "staff_b", "handler", "official", "administrator"]
LOGIN = "login redirect"
SIGN_IN = "rider sign-in redirect"


def expect(default, **overrides):
    """The status each persona gets. A rider signed in on their phone is not staff: unless a row
    says otherwise, they get what anonymous gets."""
    overrides.setdefault("rider", overrides.get("anonymous", default))
    return {persona: overrides.get(persona, default) for persona in PERSONAS}


STAFF = expect(200, anonymous=LOGIN)
READERS = expect(200, anonymous=LOGIN, handler=403)  # portal.roles.READERS
KEEPERS = expect(200, anonymous=LOGIN, handler=403, official=403)  # portal.roles.KEEPERS
# An object in community A, for readers / keepers; its sibling community's staff get 404.
A_READERS = expect(200, anonymous=LOGIN, staff_b=404, handler=403)
A_KEEPERS = expect(200, anonymous=LOGIN, staff_b=404, handler=403, official=403)
A_KEEPERS_POST = expect(302, anonymous=LOGIN, staff_b=404, handler=403, official=403)
# A department task's handlers (hank) and administrators, posting an empty form.
WORKERS_POST = expect(403, anonymous=LOGIN, handler=302, administrator=302)

# A rider's own pages: staff users are not riders, so everyone without a rider session signs in.
RIDER_PAGE = expect(SIGN_IN, rider=200)

# (url name, object in the URL (a fixture or an area of the tree) or None, method,
#  expected status per persona)
MATRIX = [
    ("home", None, "get", expect(200)),
    ("healthz", None, "get", expect(200)),
    ("login", None, "get", expect(302, anonymous=200)),
    ("logout", None, "get", expect(405)),
    # The sign-in's later steps (tests/portal/test_second_factor.py): a staff session here has
    # passed them all, so the code and enrolment pages send it on.
    ("second_factor", None, "get", expect(302, anonymous=LOGIN)),
    ("second_factor_text", None, "get", expect(405)),
    ("second_factor_text", None, "post", expect(302, anonymous=LOGIN)),
    ("second_factor_enrol", None, "get", expect(302, anonymous=LOGIN)),
    ("password_change", None, "get", STAFF),
    ("set_language", None, "get", expect(302)),
    ("staff_home", None, "get", STAFF),
    ("my_area", None, "get", expect(200, anonymous=LOGIN, handler=403)),
    # An area in community A: its own staff and those above it, not the sibling community.
    (
        "area_detail",
        "community_a",
        "get",
        expect(200, anonymous=LOGIN, staff_b=404, handler=403),
    ),
    # An area in the other district: only the administrator.
    (
        "area_detail",
        "community_c",
        "get",
        expect(404, anonymous=LOGIN, handler=403, administrator=200),
    ),
    ("audit_log", None, "get", expect(403, anonymous=LOGIN, administrator=200)),
    ("audit_log_export", None, "get", expect(403, anonymous=LOGIN, administrator=200)),
    # Staff accounts: administrators only.
    ("accounts", None, "get", expect(403, anonymous=LOGIN, administrator=200)),
    ("account_review", None, "get", expect(405)),
    ("account_review", None, "post", expect(403, anonymous=LOGIN, administrator=302)),
    ("account_disable", "staff_b", "get", expect(403, anonymous=LOGIN, administrator=200)),
    # (an empty reason: the form again)
    ("account_disable", "staff_b", "post", expect(403, anonymous=LOGIN, administrator=200)),
    ("account_enable", "staff_b", "get", expect(405)),
    # (an active account: refused, back to the list)
    ("account_enable", "staff_b", "post", expect(403, anonymous=LOGIN, administrator=302)),
    # The dashboard of the user's own area (other areas: tests/dashboard/test_views.py).
    ("dashboard:summary", None, "get", READERS),
    ("dashboard:export", None, "get", READERS),
    # The rates and the monthly ranking of the user's own area (other areas: tests/dashboard/
    # test_rates.py).
    ("dashboard:rates", None, "get", READERS),
    ("dashboard:ranking", None, "get", READERS),
    ("registry:register", None, "get", expect(200)),
    # Without a registration waiting in the session the code page sends back to the form.
    ("registry:register_code", None, "get", expect(302)),
    ("registry:registered", None, "get", expect(200)),
    # Withdrawing consent is the signed-in rider's own; a POST without one changes nothing.
    ("registry:withdraw", None, "get", RIDER_PAGE),
    ("registry:withdrawn", None, "get", expect(200)),
    ("registry:pending", None, "get", expect(200, anonymous=LOGIN, handler=403, official=403)),
    # A registration opened from the queue; the sibling community's staff get 404.
    ("registry:review", "worker_a", "get", A_KEEPERS),
    (
        "registry:review",
        "worker_c",
        "get",
        expect(404, anonymous=LOGIN, handler=403, official=403, administrator=200),
    ),
    # Refusing without a reason, or a duplicate without the worker it repeats, goes back to the
    # registration with a message.
    *[
        row
        for name in ["registry:refuse", "registry:duplicate"]
        for row in [
            (name, "worker_a", "get", expect(405)),
            (name, "worker_a", "post", A_KEEPERS_POST),
            (
                name,
                "worker_c",
                "post",
                expect(404, anonymous=LOGIN, handler=403, official=403, administrator=302),
            ),
        ]
    ],
    ("registry:confirm", "worker_a", "get", expect(405)),
    (
        "registry:confirm",
        "worker_a",
        "post",
        expect(302, anonymous=LOGIN, staff_b=404, handler=403, official=403),
    ),
    (
        "registry:confirm",
        "worker_c",
        "post",
        expect(404, anonymous=LOGIN, handler=403, official=403, administrator=302),
    ),
    *[
        (name, None, "get", READERS)
        for name in [
            "registry:workers",
            "registry:party_members",
            "registry:mobile_party_members",
            "registry:workers_export",
            "registry:party_members_export",
            "registry:mobile_party_members_export",
            "registry:enterprises",
            "registry:enterprises_export",
        ]
    ],
    ("registry:worker_add", None, "get", KEEPERS),
    ("registry:enterprise_add", None, "get", KEEPERS),
    ("registry:worker_detail", "worker_a", "get", A_READERS),
    (
        "registry:worker_detail",
        "worker_c",
        "get",
        expect(404, anonymous=LOGIN, handler=403, administrator=200),
    ),
    ("registry:worker_edit", "worker_a", "get", A_KEEPERS),
    (
        "registry:worker_edit",
        "worker_c",
        "get",
        expect(404, anonymous=LOGIN, handler=403, official=403, administrator=200),
    ),
    ("registry:enterprise_edit", "enterprise_a", "get", A_KEEPERS),
    ("registry:worker_leave", "worker_a", "get", expect(405)),
    ("registry:worker_leave", "worker_a", "post", A_KEEPERS_POST),
    ("registry:worker_withdraw_consent", "worker_a", "post", A_KEEPERS_POST),
    (
        "registry:worker_anonymise",
        "worker_a",
        "post",
        expect(403, anonymous=LOGIN, administrator=302),
    ),
    # A background export is its requester's alone (staff_a's here): everyone else gets 404.
    ("export_job", "export_job_a", "get", expect(404, anonymous=LOGIN, staff_a=200)),
    ("export_download", "export_job_a", "get", expect(404, anonymous=LOGIN, staff_a=200)),
    ("export_again", "export_job_a", "get", expect(405)),
    # A file still there is not made again: back to its page.
    ("export_again", "export_job_a", "post", expect(404, anonymous=LOGIN, staff_a=302)),
    ("inbox", None, "get", STAFF),
    ("inbox_read", "notification_a", "get", expect(405)),
    # Only the recipient opens a message; to everyone else it does not exist.
    ("inbox_read", "notification_a", "post", expect(404, anonymous=LOGIN, staff_a=302)),
    ("inbox_read_all", None, "get", expect(405)),
    ("inbox_read_all", None, "post", expect(302, anonymous=LOGIN)),
    ("registry:care_visits", None, "get", KEEPERS),
    ("registry:care_new", "worker_a", "get", A_KEEPERS),
    (
        "registry:care_new",
        "worker_c",
        "get",
        expect(404, anonymous=LOGIN, handler=403, official=403, administrator=200),
    ),
    ("registry:care_visit", "care_visit_a", "get", A_KEEPERS),
    # An empty form is redisplayed with its errors, to those who may record the visit.
    ("registry:care_visit", "care_visit_a", "post", A_KEEPERS),
    ("registry:import_start", None, "get", expect(200, anonymous=LOGIN, handler=403, official=403)),
    (
        "registry:import_template",
        None,
        "get",
        expect(200, anonymous=LOGIN, handler=403, official=403),
    ),
    (
        "registry:import_job",
        "import_job_a",
        "get",
        expect(200, anonymous=LOGIN, staff_b=404, handler=403, official=403),
    ),
    ("registry:import_commit", "import_job_a", "get", expect(405)),
    (
        "registry:import_commit",
        "import_job_a",
        "post",
        expect(302, anonymous=LOGIN, staff_b=404, handler=403, official=403),
    ),
    # 招募令 and appointments: staff in scope decide (refused or empty decisions go back to the
    # call with a message); riders answer a call on its page by its public code.
    ("registry:calls", None, "get", READERS),
    ("registry:call_new", None, "get", KEEPERS),
    ("registry:call_new", None, "post", KEEPERS),
    ("registry:call", "call_a", "get", A_READERS),
    (
        "registry:call",
        "call_c",
        "get",
        expect(404, anonymous=LOGIN, handler=403, administrator=200),
    ),
    *[
        row
        for name in ["registry:accept", "registry:decline"]
        for row in [
            (name, "application_a", "get", expect(405)),
            (name, "application_a", "post", A_KEEPERS_POST),
            (
                name,
                "application_c",
                "post",
                expect(404, anonymous=LOGIN, handler=403, official=403, administrator=302),
            ),
        ]
    ],
    ("registry:appointments_expiring", None, "get", READERS),
    ("registry:appointment_end", "appointment_a", "get", expect(405)),
    ("registry:appointment_end", "appointment_a", "post", A_KEEPERS_POST),
    (
        "registry:appointment_end",
        "appointment_c",
        "post",
        expect(404, anonymous=LOGIN, handler=403, official=403, administrator=302),
    ),
    ("registry:apply", "call_code_a", "get", expect(SIGN_IN, rider=200)),
    ("registry:apply", "call_code_a", "post", expect(SIGN_IN, rider=200)),
    ("stations:list", None, "get", READERS),
    ("stations:add", None, "get", KEEPERS),
    ("stations:detail", "station_a", "get", A_READERS),
    ("stations:edit", "station_a", "get", A_KEEPERS),
    ("stations:qr_png", "station_a", "get", A_READERS),
    ("stations:qr_svg", "station_a", "get", A_READERS),
    ("stations:poster", "station_a", "get", A_READERS),
    ("stations:posters", "community_a", "get", A_READERS),
    (
        "stations:posters",
        "community_c",
        "get",
        expect(404, anonymous=LOGIN, handler=403, administrator=200),
    ),
    # Refused or empty forms go back to the station's page with a message.
    *[
        row
        for name in ["stations:rotate", "stations:standard", "stations:photo_add"]
        for row in [
            (name, "station_a", "get", expect(405)),
            (name, "station_a", "post", A_KEEPERS_POST),
        ]
    ],
    ("stations:photo_delete", "station_photo_a", "get", expect(405)),
    ("stations:photo_delete", "station_photo_a", "post", A_KEEPERS_POST),
    # The friendly map and its markers are public.
    ("stations:map", None, "get", expect(200)),
    ("stations:map_data", None, "get", expect(200)),
    # A station's QR code: public, for riders.
    ("stations:landing", "station_token_a", "get", expect(200)),
    ("stations:check_in", "station_token_a", "get", expect(200)),
    # An empty form: asked for the mobile again; the signed-in rider's tap checks in.
    ("stations:check_in", "station_token_a", "post", expect(200, rider=302)),
    # Riders sign in by texted code; without a mobile in the session the code page sends the
    # visitor back to the first step; an empty form shows its error.
    # A rider already signed in goes on to 我的.
    ("registry:sign_in", None, "get", expect(200, rider=302)),
    ("registry:sign_in", None, "post", expect(200, rider=302)),
    ("registry:sign_in_code", None, "get", expect(302)),
    ("registry:sign_out", None, "get", expect(405)),
    ("registry:sign_out", None, "post", expect(302)),
    ("points:me", None, "get", RIDER_PAGE),
    ("points:card", None, "get", RIDER_PAGE),
    # A work card's QR code: public, for the station or merchant who scans it.
    ("points:verify", "work_card_token", "get", expect(200)),
    # A volunteer service certificate: the rider opens their own; another rider's is a 404. Its
    # QR code opens the public check; an unknown serial number is a 404 that says so.
    ("points:my_certificate", "serial_a", "get", RIDER_PAGE),
    ("points:my_certificate", "serial_c", "get", expect(SIGN_IN, rider=404)),
    ("points:certificate_verify", "serial_a", "get", expect(200)),
    ("points:certificate_verify", "unknown_serial", "get", expect(404)),
    ("feedback:queue", None, "get", READERS),
    ("feedback:suggestions", None, "get", READERS),
    ("feedback:suggestions_export", None, "get", READERS),
    ("feedback:enter", None, "get", KEEPERS),
    # An empty form is shown again with its errors.
    ("feedback:enter", None, "post", KEEPERS),
    ("feedback:suggestion", "suggestion_a", "get", A_READERS),
    (
        "feedback:suggestion",
        "suggestion_c",
        "get",
        expect(404, anonymous=LOGIN, handler=403, administrator=200),
    ),
    # An empty assessment form goes back to the suggestion's page with its errors.
    *[
        row
        for name in [
            "feedback:accept",
            "feedback:reject",
            "feedback:duplicate",
            "feedback:merge",
            "feedback:transfer",
        ]
        for row in [
            (name, "suggestion_a", "get", expect(405)),
            (name, "suggestion_a", "post", A_KEEPERS),
            (
                name,
                "suggestion_c",
                "post",
                expect(404, anonymous=LOGIN, handler=403, official=403, administrator=200),
            ),
        ]
    ],
    # The issue type, in any state: an empty form goes back to the page with a message.
    ("feedback:issue_type", "suggestion_a", "get", expect(405)),
    ("feedback:issue_type", "suggestion_a", "post", A_KEEPERS_POST),
    (
        "feedback:issue_type",
        "suggestion_c",
        "post",
        expect(404, anonymous=LOGIN, handler=403, official=403, administrator=302),
    ),
    # 差评整改台账: officials read it; community staff record what was done (an empty form goes
    # back to the ledger with a message).
    ("feedback:ledger", None, "get", READERS),
    ("feedback:ledger_export", None, "get", READERS),
    ("feedback:rectify", "suggestion_a", "get", expect(405)),
    ("feedback:rectify", "suggestion_a", "post", A_KEEPERS_POST),
    (
        "feedback:rectify",
        "suggestion_c",
        "post",
        expect(404, anonymous=LOGIN, handler=403, official=403, administrator=302),
    ),
    ("feedback:hide_photo", "suggestion_photo_a", "get", expect(405)),
    ("feedback:hide_photo", "suggestion_photo_a", "post", A_KEEPERS_POST),
    # A photo's file: staff in scope, the handlers of a task on it; anyone else 404, never a
    # sign-in page or 403 (tests/feedback/test_photo_files.py).
    (
        "feedback:photo",
        "suggestion_photo_file_a",
        "get",
        expect(404, staff_a=200, official=200, administrator=200),
    ),
    (
        "feedback:photo",
        "task_photo_file_a",
        "get",
        expect(404, staff_a=200, handler=200, official=200, administrator=200),
    ),
    # The rider's suggestion form and tracking page: public. Without a community the form first
    # asks for one; posts without their fields show the form again with its errors.
    ("feedback:suggest", None, "get", expect(200)),
    ("feedback:station_suggest", "station_token_a", "get", expect(200)),
    ("feedback:station_suggest", "station_token_a", "post", expect(200)),
    # 我也遇到了 on a published report open near station A: anyone reads it and is asked for a
    # mobile (a post without one shows the form again); a signed-in rider's post counts them and
    # goes back to the station. An unpublished report is not found, whoever asks.
    ("feedback:support", "open_report_a", "get", expect(200)),
    ("feedback:support", "open_report_a", "post", expect(200, rider=302)),
    ("feedback:support", "unpublished_report_a", "get", expect(404)),
    ("feedback:support", "unpublished_report_a", "post", expect(404)),
    # A result photo shown where riders scan: anyone, once published; otherwise nobody.
    ("feedback:done_photo", "published_result_photo", "get", expect(200)),
    ("feedback:done_photo", "unpublished_result_photo", "get", expect(404)),
    ("feedback:track_lookup", None, "get", expect(200)),
    ("feedback:track", "tracking_code_a", "get", expect(200)),
    ("feedback:track_photo", "tracked_photo_file_a", "get", expect(200)),
    *[
        row
        for name in ["feedback:rate", "feedback:reopen"]
        for row in [
            (name, "tracking_code_a", "get", expect(405)),
            (name, "tracking_code_a", "post", expect(200)),
        ]
    ],
    # Whoever holds the tracking code stops its texts; then back to the tracking page.
    ("feedback:stop_texts", "tracking_code_a", "get", expect(405)),
    ("feedback:stop_texts", "tracking_code_a", "post", expect(302)),
    # Open311 GeoReport v2 is public; posting a request needs an API key, whoever is logged in.
    *[
        (name, "open311_xml", "get", expect(200))
        for name in [
            "feedback:open311_discovery",
            "feedback:open311_services",
            "feedback:open311_requests",
        ]
    ],
    ("feedback:open311_requests", "open311_xml", "post", expect(403)),
    ("feedback:open311_service", "open311_service_hazard", "get", expect(200)),
    ("feedback:open311_request", "open311_request_a", "get", expect(200)),
    ("feedback:open311_token", "open311_request_a", "get", expect(200)),
    # 任务分解 on the suggestion page: empty forms go back to it with a message.
    *[
        row
        for name in ["feedback:add_task", "feedback:resolve"]
        for row in [
            (name, "accepted_suggestion_a", "get", expect(405)),
            (name, "accepted_suggestion_a", "post", A_KEEPERS_POST),
        ]
    ],
    # 回访 of a resolved suggestion: its community's staff; an empty form is shown again.
    ("feedback:callback", "resolved_suggestion_a", "get", A_KEEPERS),
    ("feedback:callback", "resolved_suggestion_a", "post", A_KEEPERS),
    (
        "feedback:callback",
        "resolved_suggestion_c",
        "get",
        expect(404, anonymous=LOGIN, handler=403, official=403, administrator=200),
    ),
    (
        "feedback:callback",
        "resolved_suggestion_c",
        "post",
        expect(404, anonymous=LOGIN, handler=403, official=403, administrator=200),
    ),
    # The public summary: community staff approve it (an empty form is shown again) or stop
    # showing it (not published: back to the page with a message).
    ("feedback:publish_summary", "accepted_suggestion_a", "get", expect(405)),
    ("feedback:publish_summary", "accepted_suggestion_a", "post", A_KEEPERS),
    ("feedback:withdraw_summary", "accepted_suggestion_a", "get", expect(405)),
    ("feedback:withdraw_summary", "accepted_suggestion_a", "post", A_KEEPERS_POST),
    ("feedback:tasks", None, "get", STAFF),
    # A handler exports their departments' tasks, other staff those of their scope.
    ("feedback:tasks_export", None, "get", STAFF),
    ("feedback:departments", None, "get", READERS),
    # Department X's task in community A: hank handles X; the sibling community's staff get 404.
    ("feedback:task", "task_a", "get", expect(200, anonymous=LOGIN, staff_b=404)),
    # Department Y's task in community A: not hank's.
    ("feedback:task", "task_y_a", "get", expect(200, anonymous=LOGIN, staff_b=404, handler=404)),
    # Only the task's department handlers and administrators write on it; other staff read it.
    *[
        row
        for name in ["feedback:task_note", "feedback:task_done"]
        for row in [
            (name, "task_a", "get", expect(405)),
            (name, "task_a", "post", WORKERS_POST),
            (name, "task_y_a", "post", {**WORKERS_POST, "handler": 404}),
        ]
    ],
    # The department desk: 签收, 退单, 延期 and reading the 督办 notices are the handlers' (empty
    # forms go back to the task with a message).
    *[
        row
        for name in [
            "feedback:task_acknowledge",
            "feedback:task_return",
            "feedback:task_extension",
            "feedback:task_supervisions_seen",
        ]
        for row in [
            (name, "task_a", "get", expect(405)),
            (name, "task_a", "post", WORKERS_POST),
            (name, "task_y_a", "post", {**WORKERS_POST, "handler": 404}),
        ]
    ],
    # Deciding an extension: the staff of the suggestion's area or above.
    ("feedback:task_extension_decide", "task_a", "get", expect(405)),
    ("feedback:task_extension_decide", "task_a", "post", A_KEEPERS_POST),
    # 督办: staff and officials whose scope holds the task; from outside it, 404.
    ("feedback:task_supervise", "task_a", "get", expect(405)),
    (
        "feedback:task_supervise",
        "task_a",
        "post",
        expect(302, anonymous=LOGIN, staff_b=404, handler=403),
    ),
    (
        "feedback:task_supervise",
        "task_c",
        "post",
        expect(404, anonymous=LOGIN, handler=403, administrator=302),
    ),
    # Closing a suggestion whose tasks came back, and showing a result photo to the submitter.
    ("feedback:close_returned", "accepted_suggestion_a", "get", expect(405)),
    ("feedback:close_returned", "accepted_suggestion_a", "post", A_KEEPERS_POST),
    ("feedback:task_photo_publish", "result_photo_a", "get", expect(405)),
    ("feedback:task_photo_publish", "result_photo_a", "post", A_KEEPERS_POST),
    # Volunteer teams and activities: community staff keep those of their scope, officials read.
    ("points:teams", None, "get", READERS),
    ("points:team_add", None, "get", KEEPERS),
    # An empty form is shown again with its errors.
    ("points:team_add", None, "post", KEEPERS),
    ("points:team", "team_a", "get", A_READERS),
    ("points:team", "team_c", "get", expect(404, anonymous=LOGIN, handler=403, administrator=200)),
    *[
        row
        for name in ["points:team_member_add", "points:team_member_remove"]
        for row in [
            (name, "team_a_worker_a", "get", expect(405)),
            (name, "team_a_worker_a", "post", A_KEEPERS_POST),
        ]
    ],
    # Community C's worker is not a candidate for community A's team, whoever asks.
    (
        "points:team_member_add",
        "team_a_worker_c",
        "post",
        expect(404, anonymous=LOGIN, handler=403, official=403),
    ),
    ("points:activities", None, "get", READERS),
    ("points:activity_add", None, "get", KEEPERS),
    ("points:activity_add", None, "post", KEEPERS),
    ("points:activity", "activity_a", "get", A_READERS),
    (
        "points:activity",
        "activity_c",
        "get",
        expect(404, anonymous=LOGIN, handler=403, administrator=200),
    ),
    ("points:activity_edit", "activity_a", "get", A_KEEPERS),
    ("points:activity_edit", "activity_a", "post", A_KEEPERS),
    (
        "points:activity_edit",
        "activity_c",
        "get",
        expect(404, anonymous=LOGIN, handler=403, official=403, administrator=200),
    ),
    ("points:activity_attendance", "activity_a", "get", expect(405)),
    # Nothing ticked: back to the activity's page with a message.
    ("points:activity_attendance", "activity_a", "post", A_KEEPERS_POST),
    # The check-in screen (the rotating QR code) and the hours of a sign-up (an empty form is
    # shown again, 400).
    ("points:activity_check_in", "activity_a", "get", A_KEEPERS),
    (
        "points:activity_check_in",
        "activity_c",
        "get",
        expect(404, anonymous=LOGIN, handler=403, official=403, administrator=200),
    ),
    ("points:sign_up_hours", "sign_up_a", "get", A_KEEPERS),
    (
        "points:sign_up_hours",
        "sign_up_a",
        "post",
        {**A_KEEPERS, "staff_a": 400, "administrator": 400},
    ),
    (
        "points:sign_up_hours",
        "sign_up_c",
        "get",
        expect(404, anonymous=LOGIN, handler=403, official=403, administrator=200),
    ),
    # The rider's side is public; signing up needs a signed-in rider: everyone else is sent to
    # the sign-in page.
    ("points:activities_public", None, "get", expect(200)),
    ("points:activity_public", "activity_a", "get", expect(200)),
    ("points:activity_sign_up", "activity_a", "get", expect(405)),
    ("points:activity_sign_up", "activity_a", "post", expect(302)),
    # Rating an activity: a POST back to its page (a rider who did not attend is told so there).
    ("points:activity_rate", "activity_a", "get", expect(405)),
    ("points:activity_rate", "activity_a", "post", expect(302)),
    # A full activity's waiting list: joining and leaving are POSTs back to the activity's page
    # (a rider of an activity with places left, or not waiting, is told so there).
    ("points:activity_wait", "activity_a", "get", expect(405)),
    ("points:activity_wait", "activity_a", "post", expect(302)),
    ("points:activity_leave_waiting_list", "activity_a", "get", expect(405)),
    ("points:activity_leave_waiting_list", "activity_a", "post", expect(302)),
    # Giving a place back: GET asks, POST does it; a rider without a sign-up is told so on the
    # activity's page.
    ("points:activity_cancel_sign_up", "activity_a", "get", expect(SIGN_IN, rider=302)),
    ("points:activity_cancel_sign_up", "activity_a", "post", expect(SIGN_IN, rider=302)),
    ("points:activity_cancel_sign_up", "signed_up_activity_a", "get", expect(SIGN_IN, rider=200)),
    ("points:activity_cancel_sign_up", "signed_up_activity_a", "post", expect(SIGN_IN, rider=302)),
    # The check-in screen's code opens the scan page for signed-in riders (without a place, it
    # says so); signing in or out is a POST that goes back to the activity's page.
    ("points:activity_scan", "check_in_token_a", "get", expect(SIGN_IN, rider=200)),
    ("points:activity_scan", "check_in_token_a", "post", expect(SIGN_IN, rider=302)),
    # Points: a worker's points and the manual adjustment (an empty form is shown again, 400).
    ("points:worker", "worker_a", "get", A_READERS),
    (
        "points:worker",
        "worker_c",
        "get",
        expect(404, anonymous=LOGIN, handler=403, administrator=200),
    ),
    ("points:adjust", "worker_a", "get", expect(405)),
    ("points:adjust", "worker_a", "post", {**A_KEEPERS, "staff_a": 400, "administrator": 400}),
    (
        "points:adjust",
        "worker_c",
        "post",
        expect(404, anonymous=LOGIN, handler=403, official=403, administrator=400),
    ),
    # Certificates for staff: issued from the page of a worker in scope (an empty form is shown
    # again, 400), read by officials, revoked with a reason (an empty reason: the form again).
    ("points:certificate_issue", "worker_a", "get", A_KEEPERS),
    (
        "points:certificate_issue",
        "worker_a",
        "post",
        {**A_KEEPERS, "staff_a": 400, "administrator": 400},
    ),
    (
        "points:certificate_issue",
        "worker_c",
        "get",
        expect(404, anonymous=LOGIN, handler=403, official=403, administrator=200),
    ),
    ("points:certificate", "certificate_a", "get", A_READERS),
    (
        "points:certificate",
        "certificate_c",
        "get",
        expect(404, anonymous=LOGIN, handler=403, administrator=200),
    ),
    ("points:certificate_revoke", "certificate_a", "get", A_KEEPERS),
    (
        "points:certificate_revoke",
        "certificate_a",
        "post",
        {**A_KEEPERS, "staff_a": 400, "administrator": 400},
    ),
    (
        "points:certificate_revoke",
        "certificate_c",
        "post",
        expect(404, anonymous=LOGIN, handler=403, official=403, administrator=400),
    ),
    ("points:leaderboard", None, "get", READERS),
    ("points:station_leaderboard", "station_token_a", "get", expect(200)),
    # 积分超市 for staff: officials read; an empty pickup code is asked for again.
    ("points:rewards", None, "get", READERS),
    ("points:reward_add", None, "get", KEEPERS),
    ("points:reward_edit", "reward_a", "get", A_KEEPERS),
    (
        "points:reward_edit",
        "reward_c",
        "get",
        expect(404, anonymous=LOGIN, handler=403, official=403, administrator=200),
    ),
    ("points:redemptions", None, "get", READERS),
    ("points:handover", None, "get", KEEPERS),
    ("points:handover", None, "post", KEEPERS),
    ("points:redemption_cancel", "redemption_a", "get", expect(405)),
    ("points:redemption_cancel", "redemption_a", "post", A_KEEPERS_POST),
    # The rider's shop: anyone browses; redeeming and the pickup code need a signed-in rider.
    ("points:shop", None, "get", expect(200)),
    # The confirmation page (GET) and its button (POST); without a reward, or an empty form,
    # back to the shop with a message.
    ("points:redeem", None, "get", expect(SIGN_IN, rider=302)),
    ("points:redeem", None, "post", expect(SIGN_IN, rider=302)),
    ("points:redeemed", "pickup_code_a", "get", RIDER_PAGE),
    # Another rider's pickup code does not exist for this one.
    ("points:redeemed", "pickup_code_c", "get", expect(SIGN_IN, rider=404)),
    # The rider cancels their own redemption: GET asks, POST does it; another rider's: 404.
    ("points:redeemed_cancel", "pickup_code_a", "get", RIDER_PAGE),
    ("points:redeemed_cancel", "pickup_code_a", "post", expect(SIGN_IN, rider=302)),
    ("points:redeemed_cancel", "pickup_code_c", "get", expect(SIGN_IN, rider=404)),
    ("points:redeemed_cancel", "pickup_code_c", "post", expect(SIGN_IN, rider=404)),
]


@pytest.fixture
def notification_a(staff_a):
    return notify(staff_a, "提醒", url="/staff/")


@pytest.fixture
def export_job_a(staff_a, media):
    """Staff A's roster export, written and waiting to be downloaded."""
    job = ExportJob.objects.create(
        user=staff_a,
        kind="registry.workers",
        title="Workers",
        filename="Workers.xlsx",
        status=ExportJob.Status.DONE,
        expires_at=timezone.now() + timedelta(hours=1),
    )
    job.file.save("a.xlsx", ContentFile(b"xlsx"))
    return job


@pytest.fixture
def call_a(tree):
    return RecruitmentCallFactory(area=tree.community_a)


@pytest.fixture
def call_c(tree):
    return RecruitmentCallFactory(area=tree.community_c)


@pytest.fixture
def call_code_a(call_a):
    return call_a.code


@pytest.fixture
def application_a(call_a, tree):
    worker = WorkerFactory(area=tree.community_a, status="confirmed")
    return Application.objects.create(call=call_a, worker=worker, message="我想报名")


@pytest.fixture
def application_c(call_c, worker_c):
    return Application.objects.create(call=call_c, worker=worker_c, message="我想报名")


@pytest.fixture
def appointment_a(worker_a):
    return WorkerRoleFactory(worker=worker_a)


@pytest.fixture
def appointment_c(worker_c):
    return WorkerRoleFactory(worker=worker_c)


@pytest.fixture
def care_visit_a(tree, staff_a):
    return CareVisitFactory(worker__area=tree.community_a, responsible=staff_a)


@pytest.fixture
def station_photo_a(station_a):
    return StationPhotoFactory(station=station_a)


@pytest.fixture
def suggestion_photo_a(suggestion_a, media):
    return SuggestionPhoto.objects.create(
        suggestion=suggestion_a,
        image=ContentFile(b"photo", name="a.jpg"),
        thumbnail=ContentFile(b"thumbnail", name="a-thumbnail.jpg"),
    )


@pytest.fixture
def suggestion_photo_file_a(suggestion_photo_a):
    return [suggestion_photo_a.thumbnail_file]


@pytest.fixture
def task_photo_file_a(task_a, media):
    photo = SuggestionPhoto.objects.create(
        suggestion=task_a.suggestion,
        image=ContentFile(b"photo", name="a.jpg"),
        thumbnail=ContentFile(b"thumbnail", name="a-thumbnail.jpg"),
    )
    return [photo.image_file]


@pytest.fixture
def tracked_photo_file_a(suggestion_photo_a):
    return [suggestion_photo_a.suggestion.tracking_code, suggestion_photo_a.image_file]


@pytest.fixture
def import_job_a(tree, staff_a):
    """A survey list of community A, read and waiting to be saved."""
    return ImportJob.objects.create(
        uploaded_by=staff_a, area=tree.community_a, original_name="a.xlsx", status="read"
    )


@pytest.fixture
def accepted_suggestion_a(tree):
    return SuggestionFactory(area=tree.community_a, state="accepted")


@pytest.fixture
def resolved_suggestion_a(tree):
    return SuggestionFactory(area=tree.community_a, state="resolved", mobile="13900000077")


@pytest.fixture
def resolved_suggestion_c(tree):
    return SuggestionFactory(area=tree.community_c, state="resolved", mobile="13900000078")


@pytest.fixture
def task_a(accepted_suggestion_a, department_x):
    return TaskFactory(suggestion=accepted_suggestion_a, department=department_x)


@pytest.fixture
def task_y_a(accepted_suggestion_a, department_y):
    return TaskFactory(suggestion=accepted_suggestion_a, department=department_y)


@pytest.fixture
def task_c(tree, department_x):
    suggestion = SuggestionFactory(area=tree.community_c, state="accepted")
    return TaskFactory(suggestion=suggestion, department=department_x)


@pytest.fixture
def result_photo_a(task_a, media):
    return TaskPhoto.objects.create(
        task=task_a,
        image=ContentFile(b"photo", name="a.jpg"),
        thumbnail=ContentFile(b"thumb", name="a.jpg"),
        state="ready",
    )


@pytest.fixture
def team_a(tree):
    return VolunteerTeam.objects.create(name="骑聚三营", area=tree.community_a)


@pytest.fixture
def team_c(tree):
    return VolunteerTeam.objects.create(name="文化路志愿队", area=tree.community_c)


@pytest.fixture
def team_a_worker_a(team_a, worker_a):
    return [team_a.id, worker_a.id]


@pytest.fixture
def team_a_worker_c(team_a, worker_c):
    return [team_a.id, worker_c.id]


@pytest.fixture
def activity_a(tree):
    return ActivityFactory(area=tree.community_a)


@pytest.fixture
def signed_up_activity_a(activity_a, worker_a):
    """An activity of community A that the rider has a place at."""
    sign_up(activity_a, worker_a)
    return activity_a


@pytest.fixture
def sign_up_a(activity_a, worker_a):
    """A rider's place at an activity of community A: the activity and the sign-up."""
    return [activity_a.id, sign_up(activity_a, worker_a).id]


@pytest.fixture
def sign_up_c(activity_c, worker_c):
    return [activity_c.id, sign_up(activity_c, worker_c).id]


@pytest.fixture
def check_in_token_a(activity_a):
    """A fresh code of the check-in screen of an activity of community A."""
    return [activity_a.id, checkin.token_for(activity_a)]


@pytest.fixture
def activity_c(tree):
    return ActivityFactory(area=tree.community_c)


@pytest.fixture
def reward_a(tree):
    return Reward.objects.create(area=tree.community_a, name="雨伞", price=30, stock=5)


@pytest.fixture
def reward_c(tree):
    return Reward.objects.create(area=tree.community_c, name="毛巾", price=10, stock=5)


@pytest.fixture
def redemption_a(reward_a, worker_a):
    award(worker_a, 30, EntryKind.ACTIVITY)
    return redeem(reward_a, worker_a)


@pytest.fixture
def pickup_code_c(reward_c, worker_c):
    award(worker_c, 10, EntryKind.ACTIVITY)
    return redeem(reward_c, worker_c).pickup_code


@pytest.fixture
def pickup_code_a(redemption_a):
    """A rider's pickup code (public URLs carry the code, not the id)."""
    return redemption_a.pickup_code


@pytest.fixture
def station_token_a(station_a):
    """The QR token of a station in community A (public URLs carry the token, not the id)."""
    return station_a.token


@pytest.fixture
def open_report_a(station_a):
    """A report accepted at station A whose public summary staff approved."""
    report = SuggestionFactory(
        area=station_a.area,
        station=station_a,
        state="accepted",
        public_summary="井盖松动",
        summary_approved_at=timezone.now(),
    )
    return [station_a.token, report.public_id]


def _result_photo(station_a, department_x, published):
    suggestion = SuggestionFactory(
        area=station_a.area,
        station=station_a,
        state="resolved",
        resolved_at=timezone.now(),
        public_summary="路灯修好了",
        summary_approved_at=timezone.now(),
    )
    task = TaskFactory(suggestion=suggestion, department=department_x, state="done")
    photo = TaskPhoto.objects.create(
        task=task,
        image=ContentFile(b"photo", name="r.jpg"),
        thumbnail=ContentFile(b"thumbnail", name="r-thumbnail.jpg"),
        state="ready",
        published=published,
    )
    return [photo.thumbnail_file]


@pytest.fixture
def published_result_photo(station_a, department_x):
    return _result_photo(station_a, department_x, published=True)


@pytest.fixture
def unpublished_result_photo(station_a, department_x):
    return _result_photo(station_a, department_x, published=False)


@pytest.fixture
def unpublished_report_a(station_a):
    report = SuggestionFactory(area=station_a.area, station=station_a, state="accepted")
    return [station_a.token, report.public_id]


@pytest.fixture
def tracking_code_a(suggestion_a):
    """The tracking code of a suggestion in community A (the public key to it)."""
    return suggestion_a.tracking_code


@pytest.fixture
def work_card_token(worker_a):
    """A fresh work card token of a rider of community A."""
    return token_for(worker_a)[0]


def _certificate(worker):
    """A volunteer service certificate for two hours the worker served yesterday."""
    starts = timezone.now() - timedelta(days=1)
    activity = ActivityFactory(
        area=worker.area,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        sign_up_deadline=starts - timedelta(hours=1),
    )
    SignUp.objects.create(activity=activity, worker=worker, attended_at=starts, minutes=120)
    today = timezone.localdate()
    return certificates.issue(worker, today - timedelta(days=7), today, by=None)[0]


@pytest.fixture
def certificate_a(worker_a):
    return _certificate(worker_a)


@pytest.fixture
def certificate_c(worker_c):
    return _certificate(worker_c)


@pytest.fixture
def serial_a(certificate_a):
    """The serial number of the rider's certificate (public URLs carry it, not the id)."""
    return certificate_a.serial


@pytest.fixture
def serial_c(certificate_c):
    return certificate_c.serial


@pytest.fixture
def unknown_serial():
    return "ZZZZZZZZZZ"


@pytest.fixture
def open311_xml():
    """The arguments of an Open311 resource's URL: its format."""
    return ["xml"]


@pytest.fixture
def open311_service_hazard():
    return ["hazard", "json"]


@pytest.fixture
def open311_request_a(suggestion_a):
    return [suggestion_a.public_id, "xml"]


def sign_in_as(client, request, persona):
    if persona == "rider":
        sign_in_rider(client, request.getfixturevalue("worker_a"))
    elif persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))


def url_args(request, tree, obj):
    """The URL's arguments for a row's object: an area of the tree, or a fixture's value (the
    arguments as a list, or one object (its id) or string)."""
    if obj is None:
        return []
    if hasattr(tree, obj):
        return [getattr(tree, obj).code]
    value = request.getfixturevalue(obj)
    return value if isinstance(value, list) else [getattr(value, "id", value)]


def named_patterns(patterns, namespace=""):
    """(name, pattern) of every named URL pattern of the project, with its namespace."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue  # Django's own admin checks is_staff and model permissions itself
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from named_patterns(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", pattern


def test_every_url_pattern_is_in_the_matrix():
    names = {name for name, pattern in named_patterns(get_resolver().url_patterns)}
    assert names == {row[0] for row in MATRIX}


def assert_security_headers(response, signed_in):
    """What every answer carries (tests/portal/test_headers.py adds production's HSTS and
    cookie flags): no inline or outside script, no framing, no sniffing, no referrer to other
    sites, and nothing kept by a browser or proxy once someone is signed in."""
    policy = dict(rule.split(" ", 1) for rule in response["Content-Security-Policy"].split("; "))
    assert policy["script-src"] == "'self'" and policy["frame-ancestors"] == "'none'"
    assert not [source for rule in policy.values() for source in rule.split() if "." in source]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    if signed_in:
        assert "no-store" in response["Cache-Control"]


CASES = [
    pytest.param(
        name, obj, method, persona, expected[persona], id=f"{name}-{obj}-{method}-{persona}"
    )
    for name, obj, method, expected in MATRIX
    for persona in PERSONAS
]

# Most of a page's time is its template, and the status never waits for it: a view (or the 403
# and 404 handlers) decides the status, then renders. So the matrix skips rendering (as pretix's
# does), except where a template could still change the status by raising: each row renders its
# page in full for the first persona that gets one (200, or 400 for a form shown again), and so
# also checks the headers of a rendered page. The pages themselves are the views' own tests.
PAGES = (200, 400)
RENDERED = {
    (name, obj, method, next(persona for persona in PERSONAS if expected[persona] in PAGES))
    for name, obj, method, expected in MATRIX
    if set(expected.values()) & set(PAGES)
}


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "obj", "method", "persona", "expected"), CASES)
def test_permission_matrix(
    client, request, monkeypatch, tree, name, obj, method, persona, expected
):
    if (name, obj, method, persona) not in RENDERED:
        monkeypatch.setattr(Template, "render", lambda *args, **kwargs: "")
    sign_in_as(client, request, persona)
    url = reverse(name, args=url_args(request, tree, obj))
    response = getattr(client, method)(url)
    assert_security_headers(response, signed_in=persona != "anonymous")
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    elif expected == SIGN_IN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("registry:sign_in"))
    else:
        assert response.status_code == expected


# The Open311 API: its clients are programs that post with an API key, not browsers with a
# session; only its requests resource takes a POST.
CSRF_EXEMPT = {
    "feedback:open311_discovery",
    "feedback:open311_services",
    "feedback:open311_service",
    "feedback:open311_requests",
    "feedback:open311_request",
    "feedback:open311_token",
}


def acting_persona(expected):
    """The persona a POST row lets through (or the administrator if it lets no one through)."""
    for persona in PERSONAS:
        if expected[persona] not in (LOGIN, SIGN_IN, 403, 404, 405):
            return persona
    return "administrator"


CSRF_CASES = [
    pytest.param(name, obj, acting_persona(expected), id=f"{name}-{obj}")
    for name, obj, method, expected in MATRIX
    if method == "post" and name not in CSRF_EXEMPT
]


def test_only_the_open311_api_is_exempt_from_csrf():
    exempt = {
        name
        for name, pattern in named_patterns(get_resolver().url_patterns)
        if getattr(pattern.callback, "csrf_exempt", False)
    }
    assert exempt == CSRF_EXEMPT


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "obj", "persona"), CSRF_CASES)
def test_every_state_changing_view_needs_the_csrf_token(request, tree, name, obj, persona):
    """Posted by the persona the row lets through, without the form's token: refused by the CSRF
    check before the view runs, so another site cannot make a signed-in browser act."""
    client = Client(enforce_csrf_checks=True)
    sign_in_as(client, request, persona)
    response = client.post(reverse(name, args=url_args(request, tree, obj)))
    assert response.status_code == 403
    assert "CSRF" in response.text
