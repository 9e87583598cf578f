"""Volunteer teams and activities: sign-up at capacity, attendance earning points once, the
reminders of the evening before, the staff pages in scope and the rider's pages."""

from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from points.models import Activity, Entry, SignUp, TeamMember, VolunteerTeam
from points.selectors import my_activities
from points.services import activities
from points.services.activities import ActivityError
from points.services.ledger import balance
from points.tasks import remind_activities
from tests.factories import ActivityFactory, WorkerFactory
from tests.races import race
from tests.riders import sign_in_rider

pytestmark = pytest.mark.django_db

SENT = []


class Outbox:
    """An SMS backend that keeps the messages for the test to read."""

    def send(self, mobile, text):
        SENT.append((mobile, text))


@pytest.fixture(autouse=True)
def outbox(settings):
    settings.SMS_BACKEND = "tests.points.test_activities.Outbox"
    SENT.clear()
    return SENT


@pytest.fixture
def english(client, settings):
    """A client that reads the pages in English, the msgids these tests assert."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def rider(tree):
    return WorkerFactory(
        name="王骑手", mobile="13900001111", status="confirmed", area=tree.community_a
    )


@pytest.fixture
def activity_a(tree, staff_a):
    return ActivityFactory(area=tree.community_a, created_by=staff_a, title="夏送清凉")


def started(activity):
    """Move the activity to have begun an hour ago (attendance is marked from then)."""
    now = timezone.now()
    Activity.objects.filter(pk=activity.pk).update(
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=1),
        sign_up_deadline=now - timedelta(hours=2),
    )
    activity.refresh_from_db()
    return activity


def refusal(activity, worker):
    with pytest.raises(ActivityError) as refused:
        activities.sign_up(activity, worker)
    return refused.value.code


# Signing up


def test_a_rider_signs_up_and_takes_a_place(activity_a, rider):
    signup = activities.sign_up(activity_a, rider)
    activity_a.refresh_from_db()
    assert signup.worker == rider and signup.signed_up_at is not None
    assert activity_a.signed_up == 1 and activity_a.places_left == 9


def test_the_last_place_goes_once_and_then_the_activity_is_full(tree):
    activity = ActivityFactory(area=tree.community_a, capacity=1)
    first, second = WorkerFactory(area=tree.community_a), WorkerFactory(area=tree.community_a)
    activities.sign_up(activity, first)
    assert refusal(activity, second) == "full"
    activity.refresh_from_db()
    assert activity.signed_up == 1 == SignUp.objects.count()


def test_sign_up_closes_at_the_deadline(tree, rider):
    activity = ActivityFactory(area=tree.community_a)
    Activity.objects.filter(pk=activity.pk).update(
        sign_up_deadline=timezone.now() - timedelta(minutes=1)
    )
    assert refusal(activity, rider) == "closed"
    assert not SignUp.objects.exists()


def test_a_cancelled_activity_takes_no_sign_ups(tree, rider):
    activity = ActivityFactory(area=tree.community_a, cancelled=True)
    assert refusal(activity, rider) == "cancelled"


def test_signing_up_twice_is_refused_and_counts_once(activity_a, rider):
    activities.sign_up(activity_a, rider)
    assert refusal(activity_a, rider) == "twice"
    activity_a.refresh_from_db()
    assert activity_a.signed_up == 1 == SignUp.objects.count()


def test_signing_up_twice_at_a_full_activity_says_so(tree, rider):
    activity = ActivityFactory(area=tree.community_a, capacity=1)
    activities.sign_up(activity, rider)
    assert refusal(activity, rider) == "twice"


def test_a_rider_who_left_cannot_sign_up(activity_a, tree):
    assert refusal(activity_a, WorkerFactory(area=tree.community_a, status="left")) == "left"


def test_a_place_given_back_can_be_taken_again(tree, rider):
    activity = ActivityFactory(area=tree.community_a, capacity=1)
    activities.cancel_sign_up(activities.sign_up(activity, rider))
    activity.refresh_from_db()
    assert activity.signed_up == 0
    other = WorkerFactory(area=tree.community_a)
    activities.sign_up(activity, other)
    assert refusal(activity, rider) == "full"
    assert SignUp.objects.active().get().worker == other


def test_a_place_cannot_be_given_back_once_the_activity_started(activity_a, rider):
    signup = activities.sign_up(activity_a, rider)
    started(activity_a)
    with pytest.raises(ActivityError):
        activities.cancel_sign_up(signup)
    activity_a.refresh_from_db()
    assert activity_a.signed_up == 1


# Attendance


def test_attendance_awards_the_points_once(activity_a, rider, staff_a):
    signup = activities.sign_up(activity_a, rider)
    started(activity_a)
    assert activities.mark_attendance(signup, by=staff_a) is True
    assert activities.mark_attendance(signup, by=staff_a) is False
    entry = Entry.objects.get()
    assert (entry.worker, entry.amount, entry.kind, entry.recorded_by) == (
        rider,
        5,
        "activity",
        staff_a,
    )
    assert balance(rider) == 5
    signup.refresh_from_db()
    assert signup.attended and signup.marked_by == staff_a


def test_attendance_is_not_marked_before_the_activity_starts(activity_a, rider, staff_a):
    signup = activities.sign_up(activity_a, rider)
    with pytest.raises(ActivityError) as refused:
        activities.mark_attendance(signup, by=staff_a)
    assert refused.value.code == "not_started"
    assert not Entry.objects.exists()


def test_a_cancelled_sign_up_earns_nothing(activity_a, rider, staff_a):
    signup = activities.sign_up(activity_a, rider)
    activities.cancel_sign_up(signup)
    started(activity_a)
    with pytest.raises(ActivityError):
        activities.mark_attendance(signup, by=staff_a)
    assert balance(rider) == 0


def test_the_places_cannot_drop_below_the_riders_signed_up(tree, staff_a):
    activity = ActivityFactory(area=tree.community_a, capacity=3)
    for _ in range(2):
        activities.sign_up(activity, WorkerFactory(area=tree.community_a))
    activity.capacity = 1
    with pytest.raises(ActivityError):
        activities.save_activity(activity, by=staff_a)
    activity.refresh_from_db()
    assert activity.capacity == 3


def test_saving_a_stale_copy_keeps_the_count_of_sign_ups(activity_a, rider, staff_a):
    stale = Activity.objects.get(pk=activity_a.pk)
    activities.sign_up(activity_a, rider)
    stale.title = "冬送温暖"
    activities.save_activity(stale, by=staff_a)
    activity_a.refresh_from_db()
    assert (activity_a.title, activity_a.signed_up) == ("冬送温暖", 1)


# Reminders the evening before


def evening_before(activity):
    return activity.starts_at - timedelta(hours=15)


def test_riders_are_texted_the_evening_before_once(activity_a, rider, outbox):
    activities.sign_up(activity_a, rider)
    now = evening_before(activity_a)
    assert activities.remind(now) == 1
    assert activities.remind(now + timedelta(hours=1)) == 0
    [(mobile, text)] = outbox
    assert mobile == rider.mobile and "夏送清凉" in text and activity_a.place in text
    assert SignUp.objects.get().reminded_on == timezone.localdate(now)


def test_a_missed_evening_is_caught_up_before_the_activity(activity_a, rider, outbox):
    activities.sign_up(activity_a, rider)
    assert activities.remind(activity_a.starts_at - timedelta(hours=2)) == 1
    assert len(outbox) == 1


def test_no_reminder_too_early_too_late_or_for_given_back_places(tree, rider, outbox):
    later = ActivityFactory(area=tree.community_a)
    activities.sign_up(later, rider)
    assert activities.remind(later.starts_at - timedelta(days=3)) == 0
    assert activities.remind(later.starts_at + timedelta(minutes=1)) == 0
    given_back = ActivityFactory(area=tree.community_a)
    activities.cancel_sign_up(activities.sign_up(given_back, rider))
    cancelled = ActivityFactory(area=tree.community_a)
    activities.sign_up(cancelled, rider)
    Activity.objects.filter(pk=cancelled.pk).update(cancelled=True)
    SignUp.objects.filter(activity=later).update(reminded_on=timezone.localdate())
    assert activities.remind(evening_before(cancelled)) == 0
    assert outbox == []


def test_the_beat_task_reminds_from_the_database(activity_a, rider, outbox):
    activities.sign_up(activity_a, rider)
    Activity.objects.filter(pk=activity_a.pk).update(
        starts_at=timezone.now() + timedelta(hours=3), ends_at=timezone.now() + timedelta(hours=5)
    )
    assert remind_activities() == 1
    assert remind_activities() == 0
    assert len(outbox) == 1


def test_the_reminder_is_scheduled_every_evening():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="points.tasks.remind_activities")
    assert (task.crontab.hour, task.crontab.minute) == ("18", "0")


# Staff pages


def test_staff_see_the_activities_of_their_scope_only(client, tree, staff_a, staff_b):
    ActivityFactory(area=tree.community_a, title="建设路网格巡查")
    ActivityFactory(area=tree.community_b, title="平原路义诊")
    client.force_login(staff_b)
    response = client.get(reverse("points:activities"))
    assert [a.title for a in response.context["page"].object_list] == ["平原路义诊"]


def test_past_activities_are_listed_apart(client, tree, staff_a, activity_a):
    old = ActivityFactory(area=tree.community_a, title="去年冬送温暖")
    Activity.objects.filter(pk=old.pk).update(
        starts_at=timezone.now() - timedelta(days=300),
        ends_at=timezone.now() - timedelta(days=300) + timedelta(hours=2),
    )
    client.force_login(staff_a)
    coming = client.get(reverse("points:activities")).context["page"].object_list
    past = client.get(reverse("points:activities"), {"when": "past"}).context["page"].object_list
    assert [a.title for a in coming] == ["夏送清凉"]
    assert [a.title for a in past] == ["去年冬送温暖"]


def activity_form(area, **overrides):
    starts = timezone.localtime() + timedelta(days=3)
    data = {
        "title": "免费体检",
        "kind": "health_check",
        "area": area.id,
        "place": "建设路社区卫生服务站",
        "starts_at": starts.strftime("%Y-%m-%dT09:00"),
        "ends_at": starts.strftime("%Y-%m-%dT11:30"),
        "sign_up_deadline": starts.strftime("%Y-%m-%dT08:00"),
        "capacity": "30",
        "points": "10",
    }
    data.update(overrides)
    return data


def test_staff_add_an_activity(client, tree, staff_a):
    client.force_login(staff_a)
    response = client.post(reverse("points:activity_add"), activity_form(tree.community_a))
    activity = Activity.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("points:activity", args=[activity.id])
    assert (activity.title, activity.capacity, activity.points, activity.created_by) == (
        "免费体检",
        30,
        10,
        staff_a,
    )
    assert timezone.localtime(activity.starts_at).hour == 9


def test_the_place_defaults_to_the_chosen_station(client, tree, staff_a, station_a):
    client.force_login(staff_a)
    client.post(
        reverse("points:activity_add"),
        activity_form(tree.community_a, place="", station=station_a.id),
    )
    assert Activity.objects.get().place.startswith(station_a.name)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("ends_at", "2020-01-01T00:00"),
        ("sign_up_deadline", "2099-01-01T00:00"),
        ("capacity", "0"),
        ("points", "-5"),
        ("starts_at", "2020-01-01T09:00"),
        ("place", ""),
        ("starts_at", "明天"),
    ],
)
def test_a_bad_activity_is_refused_with_a_message(english, tree, staff_a, field, value):
    english.force_login(staff_a)
    response = english.post(
        reverse("points:activity_add"), activity_form(tree.community_a, **{field: value})
    )
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not Activity.objects.exists()


def test_staff_cannot_put_an_activity_in_another_community(client, tree, staff_a):
    client.force_login(staff_a)
    response = client.post(reverse("points:activity_add"), activity_form(tree.community_b))
    assert response.context["form"].errors["area"]
    assert not Activity.objects.exists()


def test_editing_below_the_riders_signed_up_says_why(english, tree, staff_a, rider):
    activity = ActivityFactory(area=tree.community_a, capacity=2)
    activities.sign_up(activity, rider)
    activities.sign_up(activity, WorkerFactory(area=tree.community_a))
    english.force_login(staff_a)
    local = timezone.localtime
    response = english.post(
        reverse("points:activity_edit", args=[activity.id]),
        activity_form(
            tree.community_a,
            capacity="1",
            starts_at=f"{local(activity.starts_at):%Y-%m-%dT%H:%M}",
            ends_at=f"{local(activity.ends_at):%Y-%m-%dT%H:%M}",
            sign_up_deadline=f"{local(activity.sign_up_deadline):%Y-%m-%dT%H:%M}",
        ),
    )
    assert "2 riders have signed up already" in response.context["form"].errors["capacity"][0]
    activity.refresh_from_db()
    assert (activity.capacity, activity.signed_up) == (2, 2)


def test_the_activity_page_lists_sign_ups_with_masked_mobiles(client, activity_a, rider, staff_a):
    activities.sign_up(activity_a, rider)
    client.force_login(staff_a)
    page = client.get(reverse("points:activity", args=[activity_a.id])).content.decode()
    assert "王骑手" in page and "139****1111" in page and rider.mobile not in page


def test_staff_tick_attendance_and_each_rider_earns_once(client, activity_a, staff_a, tree):
    riders = [WorkerFactory(area=tree.community_a) for _ in range(3)]
    signups = [activities.sign_up(activity_a, worker) for worker in riders]
    started(activity_a)
    client.force_login(staff_a)
    url = reverse("points:activity_attendance", args=[activity_a.id])
    ticked = {"sign_ups": [signups[0].id, signups[1].id]}
    first = client.post(url, ticked, follow=True)
    assert [m.level_tag for m in first.context["messages"]] == ["success"]
    again = client.post(url, ticked, follow=True)  # a second tap of the button
    assert [m.level_tag for m in again.context["messages"]] == ["info"]
    assert Entry.objects.count() == 2
    assert [balance(worker) for worker in riders] == [5, 5, 0]


def test_attendance_before_the_start_changes_nothing(english, activity_a, rider, staff_a):
    signup = activities.sign_up(activity_a, rider)
    english.force_login(staff_a)
    url = reverse("points:activity_attendance", args=[activity_a.id])
    response = english.post(url, {"sign_ups": [signup.id]}, follow=True)
    assert "once the activity has started" in response.content.decode()
    assert not Entry.objects.exists()


def test_attendance_of_another_activitys_sign_up_is_refused(
    english, tree, activity_a, rider, staff_a
):
    other = started(ActivityFactory(area=tree.community_a))
    foreign = activities.sign_up(activity_a, rider)
    english.force_login(staff_a)
    url = reverse("points:activity_attendance", args=[other.id])
    response = english.post(url, {"sign_ups": [foreign.id]}, follow=True)
    assert response.status_code == 200
    assert not Entry.objects.exists()


def test_staff_add_a_team_and_members_by_search(client, tree, staff_a, rider):
    client.force_login(staff_a)
    response = client.post(
        reverse("points:team_add"),
        {"name": "骑聚三营", "area": tree.community_a.id, "description": "外卖骑手志愿服务队"},
    )
    team = VolunteerTeam.objects.get()
    assert response["Location"] == reverse("points:team", args=[team.id])
    assert team.created_by == staff_a
    found = client.get(reverse("points:team", args=[team.id]), {"q": "1111"})
    assert list(found.context["matches"]) == [rider]
    client.post(reverse("points:team_member_add", args=[team.id, rider.id]))
    client.post(reverse("points:team_member_add", args=[team.id, rider.id]))
    member = TeamMember.objects.get()
    assert (member.worker, member.added_by) == (rider, staff_a)
    page = client.get(reverse("points:team", args=[team.id]), {"q": "1111"})
    assert list(page.context["matches"]) == []
    assert "139****1111" in page.content.decode()
    client.post(reverse("points:team_member_remove", args=[team.id, rider.id]))
    assert not TeamMember.objects.exists()


def test_a_worker_outside_the_team_area_cannot_be_added(client, tree, staff_a, worker_c):
    team = VolunteerTeam.objects.create(name="骑聚三营", area=tree.community_a)
    client.force_login(staff_a)
    found = client.get(reverse("points:team", args=[team.id]), {"q": "李四"})
    assert list(found.context["matches"]) == []
    response = client.post(reverse("points:team_member_add", args=[team.id, worker_c.id]))
    assert response.status_code == 404
    assert not TeamMember.objects.exists()


def test_a_team_name_is_unique_in_its_area(client, tree, staff_a):
    VolunteerTeam.objects.create(name="骑聚三营", area=tree.community_a)
    client.force_login(staff_a)
    response = client.post(
        reverse("points:team_add"), {"name": "骑聚三营", "area": tree.community_a.id}
    )
    assert response.status_code == 200 and response.context["form"].errors
    assert VolunteerTeam.objects.count() == 1


def test_officials_read_without_edit_buttons(client, activity_a, official):
    client.force_login(official)
    page = client.get(reverse("points:activity", args=[activity_a.id])).content.decode()
    assert reverse("points:activity_edit", args=[activity_a.id]) not in page
    listing = client.get(reverse("points:activities")).content.decode()
    assert reverse("points:activity_add") not in listing


def test_the_navigation_has_the_points_group(client, staff_a):
    client.force_login(staff_a)
    page = client.get(reverse("staff_home")).content.decode()
    assert reverse("points:activities") in page and reverse("points:teams") in page


@pytest.mark.parametrize("rows", [5, 50])
def test_the_list_pages_take_the_same_queries_for_5_or_50_rows(
    client, tree, staff_a, rows, django_assert_max_num_queries
):
    team = VolunteerTeam.objects.create(name="骑聚三营", area=tree.community_a)
    activity = started(ActivityFactory(area=tree.community_a, capacity=60, team=team))
    for n in range(rows):
        ActivityFactory(area=tree.community_a)
        VolunteerTeam.objects.create(name=f"队{n}", area=tree.community_a)
        worker = WorkerFactory(area=tree.community_a)
        SignUp.objects.create(activity=activity, worker=worker, reminded_on=timezone.localdate())
        TeamMember.objects.create(team=team, worker=worker)
    client.force_login(staff_a)
    urls = [
        reverse("points:activities"),
        reverse("points:teams"),
        reverse("points:activity", args=[activity.id]),
        reverse("points:team", args=[team.id]),
    ]
    for url in urls:
        with django_assert_max_num_queries(12):
            assert client.get(url).status_code == 200
    client.logout()
    for url in [
        reverse("points:activities_public"),
        reverse("points:activity_public", args=[activity.id]),
    ]:
        with django_assert_max_num_queries(6):
            assert client.get(url).status_code == 200


# The rider's pages


def test_a_signed_in_rider_sees_activities_of_their_community_and_above(client, tree, rider):
    for area, title in [
        (tree.community_a, "建设路"),
        (tree.street, "平原街道"),
        (tree.district, "梁园区"),
        (tree.community_b, "平原路"),
        (tree.community_c, "文化路"),
    ]:
        ActivityFactory(area=area, title=title)
    ActivityFactory(area=tree.community_a, title="取消了", cancelled=True)
    sign_in_rider(client, rider)
    response = client.get(reverse("points:activities_public"))
    titles = {a.title for a in response.context["page"].object_list}
    assert titles == {"建设路", "平原街道", "梁园区"}


def test_anyone_sees_all_coming_activities_or_a_communitys(client, tree):
    ActivityFactory(area=tree.community_a, title="建设路")
    ActivityFactory(area=tree.community_c, title="文化路")
    url = reverse("points:activities_public")
    everything = client.get(url).context["page"].object_list
    assert {a.title for a in everything} == {"建设路", "文化路"}
    only_c = client.get(url, {"community": tree.community_c.code}).context["page"].object_list
    assert [a.title for a in only_c] == ["文化路"]
    choose = client.get(url, {"choose": "1"})
    assert "portal/choose_community.html" in [t.name for t in choose.templates]


def test_the_public_page_shows_time_place_and_places_left(english, activity_a, rider):
    activities.sign_up(activity_a, rider)
    page = english.get(reverse("points:activity_public", args=[activity_a.id])).content.decode()
    assert "夏送清凉" in page and activity_a.place in page
    assert "9 / 10" in page
    assert reverse("points:activity_sign_up", args=[activity_a.id]) in page
    assert rider.name not in page


def test_a_signed_in_rider_signs_up_from_the_public_page(english, activity_a, rider):
    sign_in_rider(english, rider)
    url = reverse("points:activity_sign_up", args=[activity_a.id])
    response = english.post(url, follow=True)
    assert "You are signed up" in response.content.decode()
    assert SignUp.objects.get().worker == rider
    again = english.post(url, follow=True)
    assert "signed up for this activity already" in again.content.decode()
    assert SignUp.objects.count() == 1


def test_a_full_activity_says_so_and_offers_no_button(english, tree, rider):
    activity = ActivityFactory(area=tree.community_a, capacity=1)
    activities.sign_up(activity, WorkerFactory(area=tree.community_a))
    sign_in_rider(english, rider)
    page = english.get(reverse("points:activity_public", args=[activity.id])).content.decode()
    assert "This activity is full" in page
    assert reverse("points:activity_sign_up", args=[activity.id]) not in page
    response = english.post(reverse("points:activity_sign_up", args=[activity.id]), follow=True)
    assert "This activity is full" in response.content.decode()
    assert SignUp.objects.count() == 1


def test_a_rider_gives_their_place_back_after_confirming(english, activity_a, rider):
    activities.sign_up(activity_a, rider)
    sign_in_rider(english, rider)
    page = english.get(reverse("points:activity_public", args=[activity_a.id])).text
    url = reverse("points:activity_cancel_sign_up", args=[activity_a.id])
    assert f'href="{url}"' in page  # a link to the question, not a button that cancels
    question = english.get(url)
    assert question.status_code == 200
    assert "Give your place back?" in question.text and "夏送清凉" in question.text
    assert "Yes, give my place back" in question.text and "No, keep my place" in question.text
    assert SignUp.objects.active().count() == 1  # asking changes nothing
    response = english.post(url, follow=True)
    assert "You gave your place back" in response.text
    activity_a.refresh_from_db()
    assert activity_a.signed_up == 0


def test_the_question_is_in_plain_chinese(client, activity_a, rider):
    activities.sign_up(activity_a, rider)
    url = reverse("points:activity_cancel_sign_up", args=[activity_a.id])
    page = sign_in_rider(client, rider).get(url).text
    assert "确定取消报名吗？" in page and "确认取消报名" in page and "不取消，保留名额" in page


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_second_tap_or_no_sign_up_says_so_on_the_activitys_page(
    english, activity_a, rider, method
):
    signup = activities.sign_up(activity_a, rider)
    activities.cancel_sign_up(signup)
    sign_in_rider(english, rider)
    url = reverse("points:activity_cancel_sign_up", args=[activity_a.id])
    response = getattr(english, method)(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("points:activity_public", args=[activity_a.id])
    assert "You are not signed up for this activity." in response.text
    activity_a.refresh_from_db()
    assert activity_a.signed_up == 0


def test_another_riders_sign_up_cannot_be_given_back(english, tree, activity_a, rider):
    activities.sign_up(activity_a, rider)
    other = WorkerFactory(area=tree.community_a, status="confirmed")
    sign_in_rider(english, other)
    url = reverse("points:activity_cancel_sign_up", args=[activity_a.id])
    english.post(url)
    assert SignUp.objects.active().get().worker == rider
    activity_a.refresh_from_db()
    assert activity_a.signed_up == 1


def test_an_unknown_activity_is_not_found(english, rider):
    sign_in_rider(english, rider)
    assert english.get(reverse("points:activity_cancel_sign_up", args=[999999])).status_code == 404


def test_signing_up_needs_a_signed_in_rider(client, activity_a):
    response = client.post(reverse("points:activity_sign_up", args=[activity_a.id]))
    assert response.status_code == 302
    # Back to the activity's page after signing in, where the button is.
    next_page = urlencode({"next": reverse("points:activity_public", args=[activity_a.id])})
    assert response["Location"] == f"{reverse('registry:sign_in')}?{next_page}"
    assert not SignUp.objects.exists()


def test_my_activities_lists_coming_and_attended(rf, activity_a, rider, staff_a, tree):
    activities.sign_up(activity_a, rider)
    done = started(ActivityFactory(area=tree.community_a, title="网格巡查"))
    signup = SignUp.objects.create(activity=done, worker=rider)
    activities.mark_attendance(signup, by=staff_a)
    context = my_activities(rider)
    assert [s.activity for s in context["coming"]] == [done, activity_a]
    assert [s.activity for s in context["attended"]] == [done]
    html = render_to_string("points/_my_activities.html", context, request=rf.get("/me/"))
    assert "夏送清凉" in html and "+5" in html


# Concurrency on PostgreSQL


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_sixty_riders_at_once_take_exactly_the_ten_places(tree):
    activity = ActivityFactory(area=tree.community_a, capacity=10)
    workers = [WorkerFactory(area=tree.community_a) for _ in range(60)]
    outcomes = race(
        [
            lambda worker=worker: activities.sign_up(Activity.objects.get(pk=activity.pk), worker)
            for worker in workers
        ],
        refused=ActivityError,
    )
    assert outcomes.count("done") == 10 and outcomes.count("full") == 50
    activity.refresh_from_db()
    assert activity.signed_up == 10 == SignUp.objects.filter(activity=activity).count()
