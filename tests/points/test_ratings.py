"""Attendees rate an activity once it is over (issue 20, point 4): 1-5 and a few words, once;
its organisers see the average and the comments on the staff activity page."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from points.models import Activity, ActivityRating, SignUp
from points.services import activities
from points.services.activities import ActivityError
from tests.factories import ActivityFactory, WorkerFactory
from tests.riders import sign_in_rider

pytestmark = pytest.mark.django_db


@pytest.fixture
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def over(tree):
    """An activity that ended an hour ago."""
    starts = timezone.now() - timedelta(hours=3)
    return ActivityFactory(
        area=tree.community_a,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        sign_up_deadline=starts - timedelta(hours=1),
    )


def attendee(activity, name="孙丽", mobile="13800000031", attended=True):
    worker = WorkerFactory(name=name, mobile=mobile, area=activity.area, status="confirmed")
    SignUp.objects.create(
        activity=activity, worker=worker, attended_at=activity.starts_at if attended else None
    )
    return worker


def test_an_attendee_rates_an_activity_once(over):
    worker = attendee(over)
    rating = activities.rate(over, worker, 4, "  组织得很好 ")
    assert rating.stars == 4 and rating.comment == "组织得很好"
    with pytest.raises(ActivityError) as refused:
        activities.rate(over, worker, 5)
    assert refused.value.code == "rated"
    assert ActivityRating.objects.get().stars == 4


@pytest.mark.parametrize("stars", [0, 6])
def test_it_refuses_stars_outside_one_to_five(over, stars):
    with pytest.raises(ActivityError) as refused:
        activities.rate(over, attendee(over), stars)
    assert refused.value.code == "stars"


def test_only_attendees_rate(over):
    with pytest.raises(ActivityError) as refused:
        activities.rate(over, attendee(over, attended=False), 5)
    assert refused.value.code == "not_attended"


def test_an_activity_is_rated_once_it_is_over(over):
    worker = attendee(over)
    Activity.objects.filter(pk=over.pk).update(ends_at=timezone.now() + timedelta(hours=1))
    over.refresh_from_db()
    with pytest.raises(ActivityError) as refused:
        activities.rate(over, worker, 5)
    assert refused.value.code == "not_over"


def test_the_rider_rates_from_the_activity_page_and_organisers_see_it(
    english, over, staff_a, django_assert_max_num_queries
):
    worker = attendee(over)
    sign_in_rider(english, worker)
    url = reverse("points:activity_public", args=[over.pk])
    assert "Rate the activity" in english.get(url).text
    refused = english.post(reverse("points:activity_rate", args=[over.pk]), {"stars": "9"})
    assert refused.status_code == 302 and not ActivityRating.objects.exists()
    response = english.post(
        reverse("points:activity_rate", args=[over.pk]),
        {"stars": "5", "comment": "热姜茶很暖"},
        follow=True,
    )
    assert "Thank you for rating the activity." in response.text
    assert "You rated it 5 stars." in response.text

    attendee(over, "王二", "13800000032")
    english.force_login(staff_a)
    with django_assert_max_num_queries(15):
        page = english.get(reverse("points:activity", args=[over.pk])).text
    assert "5.0 of 5, from 1 attendee" in page and "热姜茶很暖" in page
