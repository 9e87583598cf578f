"""A full activity's waiting list (issue 20, point 4): riders join it first come, first served;
a place given back goes to the first of them in the same transaction, and they are texted."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from points.models import Activity, SignUp, WaitingListEntry
from points.services import activities
from points.services.activities import ActivityError
from tests.factories import ActivityFactory, WorkerFactory
from tests.riders import sign_in_rider

pytestmark = pytest.mark.django_db


@pytest.fixture
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def rider(tree, name, mobile):
    return WorkerFactory(name=name, mobile=mobile, area=tree.community_a, status="confirmed")


@pytest.fixture
def full(tree):
    """An activity of one place, taken by 张一."""
    activity = ActivityFactory(area=tree.community_a, capacity=1, title="夏送清凉")
    activities.sign_up(activity, rider(tree, "张一", "13800000011"))
    return activity


@pytest.fixture
def second(tree):
    return rider(tree, "王二", "13800000012")


@pytest.fixture
def third(tree):
    return rider(tree, "李三", "13800000013")


def test_a_place_given_back_goes_to_the_first_waiting_rider_who_is_texted(
    full, second, third, texts, django_capture_on_commit_callbacks
):
    activities.join_waiting_list(full, second)
    activities.join_waiting_list(full, third)
    taken = SignUp.objects.active().get(activity=full)
    with django_capture_on_commit_callbacks(execute=True):
        activities.cancel_sign_up(taken)
    assert SignUp.objects.active().get(activity=full).worker == second
    full.refresh_from_db()
    assert full.signed_up == 1
    assert WaitingListEntry.objects.get(worker=second).promoted_at is not None
    assert WaitingListEntry.objects.waiting().get().worker == third
    assert len(texts) == 1 and texts[0][0] == second.mobile and "夏送清凉" in texts[0][1]


def test_without_anyone_waiting_the_place_is_free_again(full):
    activities.cancel_sign_up(SignUp.objects.active().get(activity=full))
    full.refresh_from_db()
    assert full.signed_up == 0 and full.places_left == 1


def test_a_rider_who_left_the_list_is_not_promoted(full, second, third):
    activities.join_waiting_list(full, second)
    activities.join_waiting_list(full, third)
    activities.leave_waiting_list(full, second)
    activities.cancel_sign_up(SignUp.objects.active().get(activity=full))
    assert SignUp.objects.active().get(activity=full).worker == third


@pytest.mark.parametrize(
    ("situation", "code"),
    [
        ("not_full", "not_full"),
        ("signed_up", "twice"),
        ("waiting", "waiting"),
        ("closed", "closed"),
    ],
)
def test_it_refuses_to_join_the_list_when_it_makes_no_sense(full, second, situation, code):
    if situation == "not_full":
        Activity.objects.filter(pk=full.pk).update(capacity=2)
    elif situation == "signed_up":
        Activity.objects.filter(pk=full.pk).update(capacity=2)
        activities.sign_up(full, second)
        Activity.objects.filter(pk=full.pk).update(capacity=2, signed_up=2)
    elif situation == "waiting":
        activities.join_waiting_list(full, second)
    else:
        Activity.objects.filter(pk=full.pk).update(
            sign_up_deadline=timezone.now() - timedelta(minutes=1)
        )
    with pytest.raises(ActivityError) as refused:
        activities.join_waiting_list(full, second)
    assert refused.value.code == code


def test_a_waiting_rider_who_signs_up_for_a_new_place_waits_no_longer(full, second, third):
    activities.join_waiting_list(full, second)
    Activity.objects.filter(pk=full.pk).update(capacity=2)
    signup = activities.sign_up(full, second)
    assert not WaitingListEntry.objects.waiting().exists()
    activities.cancel_sign_up(signup)  # their place is not given back to themselves
    assert not SignUp.objects.active().filter(worker=second).exists()


def test_leaving_a_list_one_is_not_on_is_refused(full, second):
    with pytest.raises(ActivityError) as refused:
        activities.leave_waiting_list(full, second)
    assert refused.value.code == "not_waiting"


def test_the_rider_joins_from_the_activity_page_and_sees_their_place_in_line(
    english, full, second, third, django_assert_max_num_queries
):
    activities.join_waiting_list(full, third)
    sign_in_rider(english, second)
    page = english.get(reverse("points:activity_public", args=[full.pk])).text
    assert "Join the waiting list" in page
    response = english.post(reverse("points:activity_wait", args=[full.pk]), follow=True)
    assert "You are on the waiting list." in response.text
    with django_assert_max_num_queries(8):
        page = english.get(reverse("points:activity_public", args=[full.pk])).text
    assert "You are number 2 on the waiting list." in page
    response = english.post(
        reverse("points:activity_leave_waiting_list", args=[full.pk]), follow=True
    )
    assert "You left the waiting list." in response.text
    assert not WaitingListEntry.objects.waiting().filter(worker=second).exists()


def test_organisers_see_the_waiting_list_in_order(english, full, second, third, staff_a):
    activities.join_waiting_list(full, third)
    activities.join_waiting_list(full, second)
    english.force_login(staff_a)
    page = english.get(reverse("points:activity", args=[full.pk])).text
    assert "Waiting list" in page and page.index("李三, 王二") > 0
