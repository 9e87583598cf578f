"""Volunteer hours in a real browser (issue 20, points 1 and 2): staff open an activity's check-in
screen, a rider with a place scans its code on a phone to sign in and, later, to sign out, and
reads the hours counted and their stars on 我的."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from playwright.sync_api import expect

from points import checkin
from points.models import SignUp
from points.services.activities import sign_up
from tests.e2e.conftest import PHONE, screenshot
from tests.e2e.riders import sign_in_rider_on
from tests.e2e.staff import sign_in
from tests.factories import ActivityFactory, WorkerFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_rider_signs_in_and_out_by_the_screens_code_and_sees_hours_and_stars(
    new_page, live_server, tree, staff_a, star_levels
):
    now = timezone.now()
    rider = WorkerFactory(name="孙丽", area=tree.community_a, status="confirmed")
    # 98 hours already served: the 2 of today earn the first star (100 hours).
    before = ActivityFactory(
        area=tree.community_a,
        title="驿站春节值守",
        starts_at=now - timedelta(days=60),
        ends_at=now - timedelta(days=60) + timedelta(hours=98),
        sign_up_deadline=now - timedelta(days=61),
    )
    SignUp.objects.create(
        activity=before, worker=rider, attended_at=before.ends_at, minutes=98 * 60,
        signed_in_at=before.starts_at, signed_out_at=before.ends_at,
    )  # fmt: skip
    today = ActivityFactory(
        area=tree.community_a,
        title="驿站志愿值守",
        starts_at=now - timedelta(hours=3),
        ends_at=now + timedelta(hours=1),
        sign_up_deadline=now + timedelta(hours=1),
    )
    sign_up(today, rider)

    screen = new_page()
    sign_in(screen, staff_a.username)
    screen.goto(reverse("points:activity_check_in", args=[today.pk]))
    code = screen.get_by_role("img", name=_("QR code to sign in and out of this activity"))
    expect(code).to_be_visible()
    assert screen.evaluate("document.querySelector('img.work-card-qr').naturalWidth") > 0
    screenshot(screen, "activity-check-in-screen-1280")
    # What the camera reads off the screen: the scan page with the code's token.
    scanned = reverse("points:activity_scan", args=[today.pk, checkin.token_for(today)])

    phone = sign_in_rider_on(new_page(PHONE), live_server, rider)
    phone.goto(scanned)
    phone.get_by_role("button", name=_("Sign in to the activity")).click()
    expect(
        phone.get_by_text(_("You are signed in. Scan the code again when you leave."))
    ).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "activity-signed-in-360")

    # Two hours later (the sign-in moved back, as the clock cannot be), a new scan signs out.
    SignUp.objects.filter(activity=today).update(signed_in_at=now - timedelta(hours=2))
    phone.goto(reverse("points:activity_scan", args=[today.pk, checkin.token_for(today)]))
    phone.get_by_role("button", name=_("Sign out of the activity")).click()
    expect(phone.get_by_text(_("You are signed out. Thank you for your service!"))).to_be_visible()
    screenshot(phone, "activity-signed-out-360")

    phone.goto(reverse("points:me"))
    record = phone.locator(".volunteer-record")
    expect(record).to_contain_text("★☆☆☆☆")
    expect(record).to_contain_text("100")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "volunteer-record-360")
    assert SignUp.objects.get(activity=today).minutes == 120
