"""招募令 in the browser at 360 px, in English so the steps read the msgids: a rider answers a
call from the station's landing page and is appointed by the community's staff."""

import pytest
from playwright.sync_api import expect

from registry.models import WorkerRole
from tests.e2e.conftest import PHONE, screenshot
from tests.e2e.riders import sign_in_rider_on
from tests.e2e.staff import sign_in
from tests.factories import RecruitmentCallFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_rider_answers_a_call_and_is_appointed(
    new_page, live_server, tree, staff_a, rider, station_a
):
    call = RecruitmentCallFactory(area=tree.community_a, created_by=staff_a)
    page = sign_in_rider_on(new_page(PHONE, locale="en-GB"), live_server, rider)
    page.goto(f"/s/{station_a.token}/")
    expect(page.get_by_text("Recruiting now")).to_be_visible()
    page.get_by_role("link", name="Apply now").first.click()
    expect(page.get_by_text(call.duties)).to_be_visible()
    screenshot(page, "recruitment-apply-360")
    fits(page)
    page.get_by_label("A few words").fill("晚上在建设路一带跑单，熟悉这片")
    page.get_by_role("button", name="Send my application").click()
    expect(page.get_by_text("Your application is sent.")).to_be_visible()
    expect(page.get_by_text("Waiting for a decision")).to_be_visible()

    staff = new_page(PHONE, locale="en-GB")
    sign_in(staff, "alice")
    staff.goto(f"/staff/registry/calls/{call.pk}/")
    expect(staff.get_by_text("晚上在建设路一带跑单")).to_be_visible()
    screenshot(staff, "recruitment-call-360")
    fits(staff)
    staff.get_by_role("button", name="Accept and appoint").click()
    expect(staff.get_by_text(f"Accepted: {rider.name} is appointed.")).to_be_visible()

    page.goto("/me/")
    expect(page.get_by_text("Accepted and appointed")).to_be_visible()
    screenshot(page, "recruitment-me-360")
    assert WorkerRole.objects.get(worker=rider).role == call.role
