from django.urls import include, path

from points.views import activities, card, certificates, ledger, me, rider_activities, shop
from points.views import rewards as reward_views

app_name = "points"

team_urls = [
    path("", activities.team, name="team"),
    path("members/<int:worker_pk>/add/", activities.team_member_add, name="team_member_add"),
    path(
        "members/<int:worker_pk>/remove/",
        activities.team_member_remove,
        name="team_member_remove",
    ),
]

activity_urls = [
    path("", activities.activity_detail, name="activity"),
    path("edit/", activities.activity_edit, name="activity_edit"),
    path("attendance/", activities.activity_attendance, name="activity_attendance"),
    path("check-in/", activities.activity_check_in, name="activity_check_in"),
    path("sign-ups/<int:signup_pk>/hours/", activities.sign_up_hours, name="sign_up_hours"),
]

# The same activity as a rider sees it.
rider_activity_urls = [
    path("", rider_activities.activity_public, name="activity_public"),
    path("sign-up/", rider_activities.activity_sign_up, name="activity_sign_up"),
    path("cancel/", rider_activities.activity_cancel_sign_up, name="activity_cancel_sign_up"),
    # An attendee's rating once it is over.
    path("rate/", rider_activities.activity_rate, name="activity_rate"),
    # A full activity's waiting list: first come, first served.
    path("wait/", rider_activities.activity_wait, name="activity_wait"),
    path(
        "wait/leave/",
        rider_activities.activity_leave_waiting_list,
        name="activity_leave_waiting_list",
    ),
    # The check-in screen's rotating QR code opens this: sign in at the start, out at the end.
    path("scan/<str:token>/", rider_activities.activity_scan, name="activity_scan"),
]

worker_points_urls = [
    path("", ledger.worker_points, name="worker"),
    path("adjust/", ledger.adjust_points, name="adjust"),
    path("certificates/new/", certificates.certificate_issue, name="certificate_issue"),
]

certificate_urls = [
    path("", certificates.certificate, name="certificate"),
    path("revoke/", certificates.certificate_revoke, name="certificate_revoke"),
]

# A rider's redemption, by its pickup code.
redemption_urls = [
    path("", shop.redeemed, name="redeemed"),
    path("cancel/", shop.redeemed_cancel, name="redeemed_cancel"),
]

urlpatterns = [
    # Riders (signed in by registry:sign_in): their page and their work card.
    path("me/", me.me, name="me"),
    path("me/card/", card.card, name="card"),
    # Public: a station or merchant scans the card's QR code.
    path("card/<str:token>/", card.verify, name="verify"),
    # Volunteer service certificates: the rider's own, and the public check its QR code opens.
    path(
        "me/certificates/<readable_code:serial>/",
        certificates.my_certificate,
        name="my_certificate",
    ),
    path(
        "certificates/<readable_code:serial>/",
        certificates.certificate_verify,
        name="certificate_verify",
    ),
    # Volunteer teams and activities: staff pages, then the rider's.
    path("staff/teams/", activities.teams, name="teams"),
    path("staff/teams/new/", activities.team_add, name="team_add"),
    path("staff/teams/<int:pk>/", include(team_urls)),
    path("staff/activities/", activities.activity_list, name="activities"),
    path("staff/activities/new/", activities.activity_add, name="activity_add"),
    path("staff/activities/<int:pk>/", include(activity_urls)),
    path("activities/", rider_activities.activities_public, name="activities_public"),
    path("activities/<int:pk>/", include(rider_activity_urls)),
    # The ledger: a worker's points for staff, the monthly leaderboard.
    path("staff/points/workers/<int:pk>/", include(worker_points_urls)),
    path("staff/points/certificates/<int:pk>/", include(certificate_urls)),
    path("staff/points/leaderboard/", ledger.staff_leaderboard, name="leaderboard"),
    path(
        "s/<station_token:token>/leaderboard/",
        ledger.station_leaderboard,
        name="station_leaderboard",
    ),
    # 积分超市: staff keep the rewards and hand them over; riders redeem them.
    path("staff/points/rewards/", reward_views.reward_list, name="rewards"),
    path("staff/points/rewards/new/", reward_views.reward_add, name="reward_add"),
    path("staff/points/rewards/<int:pk>/edit/", reward_views.reward_edit, name="reward_edit"),
    path("staff/points/redemptions/", reward_views.redemption_list, name="redemptions"),
    path("staff/points/handover/", reward_views.handover, name="handover"),
    path(
        "staff/points/redemptions/<int:pk>/cancel/",
        reward_views.redemption_cancel,
        name="redemption_cancel",
    ),
    path("shop/", shop.shop, name="shop"),
    path("shop/redeem/", shop.redeem, name="redeem"),
    path("shop/redeemed/<readable_code:code>/", include(redemption_urls)),
]
