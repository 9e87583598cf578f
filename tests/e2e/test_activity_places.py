"""An activity's places and rating on a 360 px phone (issue 20, point 4): the rider joins a full
activity's waiting list, sees their place in line, and has the place when the rider before them
gives theirs back; an attendee rates an activity that is over."""

from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from playwright.sync_api import expect

from points.models import SignUp
from points.services import activities
from tests.e2e.conftest import PHONE, screenshot
from tests.e2e.riders import sign_in_rider_on
from tests.factories import ActivityFactory, WorkerFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def no_blocking_violations(page):
    violations = [
        rule["id"]
        for rule in Axe().run(page).response["violations"]
        if rule["impact"] in ("critical", "serious")
    ]
    assert not violations


def test_a_rider_waits_for_a_full_activity_and_gets_the_place_given_back(
    new_page, live_server, tree
):
    activity = ActivityFactory(area=tree.community_a, capacity=1, title="夏送清凉")
    first = WorkerFactory(area=tree.community_a, status="confirmed", mobile="13800000021")
    activities.sign_up(activity, first)
    rider = WorkerFactory(name="孙丽", area=tree.community_a, status="confirmed")

    phone = sign_in_rider_on(new_page(PHONE), live_server, rider)
    phone.goto(reverse("points:activity_public", args=[activity.pk]))
    no_blocking_violations(phone)
    phone.get_by_role("button", name=_("Join the waiting list")).click()
    expect(phone.get_by_role("button", name=_("Leave the waiting list"))).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    no_blocking_violations(phone)
    screenshot(phone, "activity-waiting-list-360")

    activities.cancel_sign_up(SignUp.objects.active().get(worker=first))
    phone.reload()
    expect(phone.get_by_text(_("You are signed up."))).to_be_visible()


def test_an_attendee_rates_the_activity_on_a_phone(new_page, live_server, tree):
    starts = timezone.now() - timedelta(hours=3)
    activity = ActivityFactory(
        area=tree.community_a,
        title="夏送清凉",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        sign_up_deadline=starts - timedelta(hours=1),
    )
    rider = WorkerFactory(name="孙丽", area=tree.community_a, status="confirmed")
    SignUp.objects.create(activity=activity, worker=rider, attended_at=starts)

    phone = sign_in_rider_on(new_page(PHONE), live_server, rider)
    phone.goto(reverse("points:activity_public", args=[activity.pk]))
    no_blocking_violations(phone)
    phone.locator("label[for=id_stars_0]").click()
    phone.locator("#id_comment").fill("热姜茶很暖")
    screenshot(phone, "activity-rate-360")
    phone.get_by_role("button", name=_("Rate the activity")).click()
    expect(phone.get_by_text(_("Thank you for rating the activity."))).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "activity-rated-360")
    assert activity.ratings.get().stars == 5
