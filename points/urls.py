from django.urls import path

from points.views import activities, card, me, rider_activities, sign_in

app_name = "points"

urlpatterns = [
    # Riders: sign-in by texted code, their page and their work card.
    path("me/sign-in/", sign_in.sign_in, name="sign_in"),
    path("me/sign-in/code/", sign_in.sign_in_code, name="sign_in_code"),
    path("me/sign-out/", sign_in.sign_out, name="sign_out"),
    path("me/", me.me, name="me"),
    path("me/card/", card.card, name="card"),
    # Public: a station or merchant scans the card's QR code.
    path("card/<str:token>/", card.verify, name="verify"),
    # Volunteer teams and activities: staff pages, then the rider's.
    path("staff/teams/", activities.teams, name="teams"),
    path("staff/teams/new/", activities.team_add, name="team_add"),
    path("staff/teams/<int:team_id>/", activities.team, name="team"),
    path(
        "staff/teams/<int:team_id>/members/<int:worker_id>/add/",
        activities.team_member_add,
        name="team_member_add",
    ),
    path(
        "staff/teams/<int:team_id>/members/<int:worker_id>/remove/",
        activities.team_member_remove,
        name="team_member_remove",
    ),
    path("staff/activities/", activities.activity_list, name="activities"),
    path("staff/activities/new/", activities.activity_add, name="activity_add"),
    path("staff/activities/<int:activity_id>/", activities.activity_detail, name="activity"),
    path(
        "staff/activities/<int:activity_id>/edit/", activities.activity_edit, name="activity_edit"
    ),
    path(
        "staff/activities/<int:activity_id>/attendance/",
        activities.activity_attendance,
        name="activity_attendance",
    ),
    path("activities/", rider_activities.activities_public, name="activities_public"),
    path("activities/<int:pk>/", rider_activities.activity_public, name="activity_public"),
    path(
        "activities/<int:pk>/sign-up/",
        rider_activities.activity_sign_up,
        name="activity_sign_up",
    ),
    path(
        "activities/<int:pk>/cancel/",
        rider_activities.activity_cancel_sign_up,
        name="activity_cancel_sign_up",
    ),
]
