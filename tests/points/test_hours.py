"""Volunteer hours: signing in and out of an activity by its rotating QR code, the hours counted
within the activity's times, staff's corrections with a reason, and the rider's volunteer record
with its stars, on 我的 and on the staff page of the worker."""

import time
from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from points import checkin
from points.models import Activity, Entry, HoursAdjustment, SignUp, StarLevel
from points.selectors import volunteer_record
from points.services import activities, hours
from points.services.activities import ActivityError
from points.services.ledger import balance
from tests.factories import ActivityFactory, WorkerFactory
from tests.riders import sign_in_rider

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("star_levels")]


@pytest.fixture
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def rider(tree):
    return WorkerFactory(name="王骑手", status="confirmed", area=tree.community_a)


def running(activity, *, started_minutes_ago=60, length_minutes=120):
    """Move the activity to have started `started_minutes_ago` and to last `length_minutes`."""
    starts = timezone.now() - timedelta(minutes=started_minutes_ago)
    Activity.objects.filter(pk=activity.pk).update(
        starts_at=starts,
        ends_at=starts + timedelta(minutes=length_minutes),
        sign_up_deadline=starts - timedelta(hours=1),
    )
    activity.refresh_from_db()
    return activity


@pytest.fixture
def activity_a(tree, staff_a):
    return ActivityFactory(area=tree.community_a, created_by=staff_a, title="夏送清凉", points=5)


@pytest.fixture
def signup(activity_a, rider):
    signup = activities.sign_up(activity_a, rider)
    running(activity_a)
    return signup


def move_sign_in(signup, minutes_ago):
    SignUp.objects.filter(pk=signup.pk).update(
        signed_in_at=timezone.now() - timedelta(minutes=minutes_ago)
    )


def stale_token(activity):
    with mock.patch("django.core.signing.time.time", return_value=time.time() - 3 * 60):
        return checkin.token_for(activity)


def refused(call, *args, **kwargs) -> str:
    with pytest.raises(ActivityError) as refusal:
        call(*args, **kwargs)
    return refusal.value.code


# The token


def test_a_fresh_token_is_valid_for_its_activity_only(activity_a, tree):
    token = checkin.token_for(activity_a)
    assert checkin.read(token, activity_a) is checkin.Scan.VALID
    other = ActivityFactory(area=tree.community_a)
    assert checkin.read(token, other) is checkin.Scan.OTHER_ACTIVITY
    assert checkin.read(token + "x", activity_a) is checkin.Scan.INVALID
    assert checkin.read(stale_token(activity_a), activity_a) is checkin.Scan.STALE


# Signing in and out


def test_signing_in_records_attendance_and_awards_the_points_once(signup, activity_a, rider):
    token = checkin.token_for(activity_a)
    assert hours.sign_in(activity_a, rider, token) is True
    assert hours.sign_in(activity_a, rider, token) is False  # the same scan again
    signup.refresh_from_db()
    assert signup.signed_in_at and signup.attended_at and signup.marked_by is None
    assert balance(rider) == 5 and Entry.objects.count() == 1


def test_staff_ticking_attendance_after_the_scan_awards_nothing_more(signup, activity_a, staff_a):
    hours.sign_in(activity_a, signup.worker, checkin.token_for(activity_a))
    assert activities.mark_attendance(signup, by=staff_a) is False
    assert balance(signup.worker) == 5


def test_a_rider_ticked_by_staff_first_signs_in_without_a_second_award(signup, activity_a, staff_a):
    activities.mark_attendance(signup, by=staff_a)
    assert hours.sign_in(activity_a, signup.worker, checkin.token_for(activity_a)) is True
    signup.refresh_from_db()
    assert signup.signed_in_at and signup.marked_by == staff_a
    assert Entry.objects.count() == 1


def test_the_hours_are_the_time_between_sign_in_and_sign_out(signup, activity_a, rider):
    hours.sign_in(activity_a, rider, checkin.token_for(activity_a))
    move_sign_in(signup, 45)
    assert hours.sign_out(activity_a, rider, checkin.token_for(activity_a)) is True
    signup.refresh_from_db()
    assert signup.minutes == 45 and signup.hours == 0.8


def test_the_hours_are_capped_by_the_activitys_length(activity_a, rider):
    signup = activities.sign_up(activity_a, rider)
    running(activity_a, started_minutes_ago=150, length_minutes=120)  # ended half an hour ago
    SignUp.objects.filter(pk=signup.pk).update(
        signed_in_at=timezone.now() - timedelta(minutes=180), attended_at=timezone.now()
    )
    hours.sign_out(activity_a, rider, checkin.token_for(activity_a))
    signup.refresh_from_db()
    assert signup.minutes == 120


def test_a_replayed_sign_out_changes_nothing(signup, activity_a, rider):
    token = checkin.token_for(activity_a)
    hours.sign_in(activity_a, rider, token)
    move_sign_in(signup, 30)
    assert hours.sign_out(activity_a, rider, token) is True
    signup.refresh_from_db()
    out, minutes = signup.signed_out_at, signup.minutes
    assert hours.sign_out(activity_a, rider, token) is False
    signup.refresh_from_db()
    assert (signup.signed_out_at, signup.minutes) == (out, minutes)


def test_sign_out_without_sign_in_is_refused(signup, activity_a, rider):
    assert refused(hours.sign_out, activity_a, rider, checkin.token_for(activity_a)) == (
        "not_signed_in"
    )
    signup.refresh_from_db()
    assert signup.signed_out_at is None and signup.minutes is None


def test_a_stale_code_is_refused(signup, activity_a, rider):
    assert refused(hours.sign_in, activity_a, rider, stale_token(activity_a)) == "stale"
    assert not SignUp.objects.filter(signed_in_at__isnull=False).exists()


def test_another_activitys_code_is_refused(signup, activity_a, rider, tree):
    other = ActivityFactory(area=tree.community_a)
    assert refused(hours.sign_in, activity_a, rider, checkin.token_for(other)) == ("other_activity")
    assert refused(hours.sign_in, activity_a, rider, "made-up") == "invalid"


def test_a_rider_without_a_place_cannot_sign_in(activity_a, tree):
    running(activity_a)
    walk_in = WorkerFactory(area=tree.community_a)
    assert refused(hours.sign_in, activity_a, walk_in, checkin.token_for(activity_a)) == (
        "not_signed_up"
    )


def test_signing_in_opens_half_an_hour_before_the_start_and_closes_at_the_end(activity_a, rider):
    activities.sign_up(activity_a, rider)
    token = checkin.token_for(activity_a)
    running(activity_a, started_minutes_ago=-40)  # starts in 40 minutes
    assert refused(hours.sign_in, activity_a, rider, token) == "too_early"
    running(activity_a, started_minutes_ago=130, length_minutes=120)  # ended 10 minutes ago
    assert refused(hours.sign_in, activity_a, rider, token) == "over"
    running(activity_a, started_minutes_ago=-20)  # starts in 20 minutes
    assert hours.sign_in(activity_a, rider, token) is True


def test_signing_in_early_counts_from_the_start(activity_a, rider):
    signup = activities.sign_up(activity_a, rider)
    running(activity_a, started_minutes_ago=30, length_minutes=120)
    SignUp.objects.filter(pk=signup.pk).update(
        signed_in_at=timezone.now() - timedelta(minutes=50), attended_at=timezone.now()
    )
    hours.sign_out(activity_a, rider, checkin.token_for(activity_a))
    signup.refresh_from_db()
    assert signup.minutes == 30


# Staff adjust the hours


def test_staff_set_the_hours_with_a_reason_and_it_is_written_down(signup, activity_a, staff_a):
    hours.sign_in(activity_a, signup.worker, checkin.token_for(activity_a))
    hours.adjust_hours(signup, Decimal("1.5"), "忘记签退", by=staff_a)
    signup.refresh_from_db()
    assert signup.minutes == 90
    change = HoursAdjustment.objects.get()
    assert (change.minutes_before, change.minutes_after, change.reason, change.adjusted_by) == (
        None,
        90,
        "忘记签退",
        staff_a,
    )


def test_adjusting_hours_needs_a_reason_attendance_and_at_most_the_length(
    signup, activity_a, staff_a
):
    assert refused(hours.adjust_hours, signup, Decimal(1), "x", by=staff_a) == "not_attended"
    activities.mark_attendance(signup, by=staff_a)
    assert refused(hours.adjust_hours, signup, Decimal(1), "  ", by=staff_a) == "reason"
    assert refused(hours.adjust_hours, signup, Decimal(3), "加班", by=staff_a) == "too_many"
    signup.refresh_from_db()
    assert signup.minutes is None and not HoursAdjustment.objects.exists()


def test_a_rider_signing_out_keeps_the_hours_staff_set(signup, activity_a, rider, staff_a):
    hours.sign_in(activity_a, rider, checkin.token_for(activity_a))
    hours.adjust_hours(signup, Decimal(2), "提前到场布置", by=staff_a)
    hours.sign_out(activity_a, rider, checkin.token_for(activity_a))
    signup.refresh_from_db()
    assert signup.minutes == 120 and signup.signed_out_at


# The volunteer record and its stars


def served(worker, tree, minutes, when=None):
    activity = ActivityFactory(area=tree.community_a)
    signup = activities.sign_up(activity, worker)
    SignUp.objects.filter(pk=signup.pk).update(attended_at=timezone.now(), minutes=minutes)
    if when:
        Activity.objects.filter(pk=activity.pk).update(
            starts_at=when, ends_at=when + timedelta(hours=2), sign_up_deadline=when
        )
    return activity


def test_the_stars_follow_the_national_standard_by_default(rider, tree):
    assert list(StarLevel.objects.values_list("stars", "hours")) == [
        (1, 100),
        (2, 300),
        (3, 600),
        (4, 1000),
        (5, 1500),
    ]
    served(rider, tree, 99 * 60)
    record = volunteer_record(rider)
    assert (record["stars"], record["total_hours"], record["to_next"]) == (0, 99.0, 1.0)
    served(rider, tree, 60)
    record = volunteer_record(rider)
    assert (record["stars"], record["next_level"].stars, record["to_next"]) == (1, 2, 200.0)


def test_administrators_thresholds_decide_the_stars(rider, tree, client, administrator):
    served(rider, tree, 10 * 60)
    client.force_login(administrator)
    level = StarLevel.objects.get(stars=1)
    response = client.post(
        reverse("admin:points_starlevel_change", args=[level.pk]), {"stars": 1, "hours": 10}
    )
    assert response.status_code == 302
    assert volunteer_record(rider)["stars"] == 1


def test_the_record_adds_the_hours_by_year_and_leaves_out_other_riders(rider, tree):
    last_year = timezone.now().replace(month=6, day=1) - timedelta(days=365)
    served(rider, tree, 120, when=last_year)
    served(rider, tree, 90)
    served(rider, tree, 30)
    served(WorkerFactory(area=tree.community_a), tree, 600)
    record = volunteer_record(rider)
    assert record["total_hours"] == 4.0
    assert [(y["year"], y["hours"]) for y in record["years"]] == [
        (timezone.localdate().year, 2.0),
        (last_year.year, 2.0),
    ]
    assert len(record["activities"]) == 3


def test_my_page_shows_the_hours_and_stars(english, rider, tree, django_assert_max_num_queries):
    served(rider, tree, 100 * 60)
    sign_in_rider(english, rider)
    with django_assert_max_num_queries(20):
        response = english.get(reverse("points:me"))
    assert "Volunteer record" in response.text
    assert "1-star volunteer" in response.text and "100.0 hours" in response.text


def test_the_staff_worker_page_shows_the_record(
    english, rider, tree, staff_a, django_assert_max_num_queries
):
    served(rider, tree, 150 * 60)
    english.force_login(staff_a)
    with django_assert_max_num_queries(30):
        response = english.get(reverse("registry:worker_detail", args=[rider.pk]))
    assert "Volunteer record" in response.text and "1-star volunteer" in response.text


# The pages


def test_the_check_in_screen_shows_a_fresh_code_and_reloads_each_minute(
    client, activity_a, staff_a, django_assert_max_num_queries
):
    client.force_login(staff_a)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("points:activity_check_in", args=[activity_a.pk]))
    assert response.status_code == 200
    assert response["Refresh"] == "60"
    assert "no-store" in response["Cache-Control"]
    assert "data:image/svg+xml;base64," in response.text


def test_staff_of_another_community_get_no_check_in_screen(client, activity_a, staff_b):
    client.force_login(staff_b)
    response = client.get(reverse("points:activity_check_in", args=[activity_a.pk]))
    assert response.status_code == 404


def scan_url(activity, token=None):
    return reverse("points:activity_scan", args=[activity.pk, token or checkin.token_for(activity)])


def test_a_rider_scans_signs_in_then_out_and_sees_the_hours(
    english, signup, activity_a, rider, django_assert_max_num_queries
):
    sign_in_rider(english, rider)
    with django_assert_max_num_queries(10):
        page = english.get(scan_url(activity_a))
    assert page.status_code == 200 and 'value="in"' in page.text
    response = english.post(scan_url(activity_a), {"action": "in"}, follow=True)
    assert "You are signed in." in response.text
    move_sign_in(signup, 60)
    assert 'value="out"' in english.get(scan_url(activity_a)).text
    response = english.post(scan_url(activity_a), {"action": "out"}, follow=True)
    assert "You are signed out." in response.text and "1.0 hours counted" in response.text
    again = english.post(scan_url(activity_a), {"action": "out"}, follow=True)
    assert "You had signed out already." in again.text


def test_a_stale_scan_is_refused_in_the_riders_language(client, signup, activity_a, rider):
    sign_in_rider(client, rider)
    page = client.get(scan_url(activity_a, stale_token(activity_a)))
    assert page.status_code == 410
    assert "二维码已过期" in page.text
    response = client.post(
        scan_url(activity_a, stale_token(activity_a)), {"action": "in"}, follow=True
    )
    assert "二维码已过期" in response.text
    assert not SignUp.objects.filter(signed_in_at__isnull=False).exists()


def test_sign_out_without_sign_in_is_refused_on_the_page(english, signup, activity_a, rider):
    sign_in_rider(english, rider)
    response = english.post(scan_url(activity_a), {"action": "out"}, follow=True)
    assert "You have not signed in to this activity" in response.text


def test_a_rider_of_another_community_without_a_place_is_refused(english, activity_a, tree):
    running(activity_a)
    stranger = WorkerFactory(area=tree.community_b)
    sign_in_rider(english, stranger)
    assert "sign up first" in english.get(scan_url(activity_a)).text
    response = english.post(scan_url(activity_a), {"action": "in"}, follow=True)
    assert "You have no place at this activity" in response.text
    assert not SignUp.objects.exists()


def test_a_scan_without_a_rider_session_goes_to_sign_in(client, activity_a):
    response = client.get(scan_url(activity_a))
    assert response.status_code == 302 and reverse("registry:sign_in") in response.url


def test_staff_adjust_hours_with_a_reason_on_the_page(english, signup, activity_a, staff_a):
    activities.mark_attendance(signup, by=staff_a)
    english.force_login(staff_a)
    url = reverse("points:sign_up_hours", args=[activity_a.pk, signup.pk])
    assert english.post(url, {"hours": "1.5", "reason": ""}).status_code == 400
    too_many = english.post(url, {"hours": "5", "reason": "加班"})
    assert too_many.status_code == 400 and "more than the activity" in too_many.text
    response = english.post(url, {"hours": "1.5", "reason": "忘记签退"})
    assert response.status_code == 302
    signup.refresh_from_db()
    assert signup.minutes == 90
    assert "忘记签退" in english.get(url).text


def test_staff_of_another_community_cannot_adjust_hours(client, signup, activity_a, staff_b):
    client.force_login(staff_b)
    url = reverse("points:sign_up_hours", args=[activity_a.pk, signup.pk])
    assert client.post(url, {"hours": "1", "reason": "x"}).status_code == 404
