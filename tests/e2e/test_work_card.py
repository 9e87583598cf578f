"""The work card on a phone in each state of the registration, and what the station or merchant
who scans it sees: 工作证有效 only once the community confirmed the rider."""

import pytest
from playwright.sync_api import expect

from points import card
from registry.models import Worker
from tests.e2e.conftest import PHONE, screenshot
from tests.e2e.riders import sign_in_rider_on
from tests.factories import WorkerFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

QR_CODE = "img.work-card-qr"


def fits_the_phone(page):
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.mark.parametrize(
    ("status", "says", "has_code", "verify_says", "name_shown"),
    [
        ("confirmed", "工作证有效", True, "工作证有效", True),
        ("pending", "待社区确认", True, "待社区确认", True),
        ("left", "工作证无效", False, "工作证无效", False),
    ],
)
def test_the_card_and_its_check_say_the_registrations_state(
    new_page, live_server, tree, status, says, has_code, verify_says, name_shown
):
    rider = WorkerFactory(name="孙丽", mobile="13800000009", area=tree.community_a)
    token, _until = card.token_for(rider)  # a code shown before the state below was set
    Worker.objects.filter(pk=rider.pk).update(status=status)

    page = sign_in_rider_on(new_page(PHONE), live_server, rider)
    page.goto("/me/card/")
    assert page.get_by_test_id("card-standing").inner_text() == says
    expect(page.get_by_role("heading", name="孙丽")).to_be_visible()
    assert page.locator(QR_CODE).count() == (1 if has_code else 0)
    assert fits_the_phone(page)
    screenshot(page, f"work-card-{status}-360")

    merchant = new_page(PHONE)
    merchant.goto(f"/card/{token}/")
    expect(merchant.get_by_role("heading", name=verify_says)).to_be_visible()
    assert (merchant.get_by_text("孙丽").count() == 1) is name_shown
    assert merchant.get_by_text("13800000009").count() == 0
    assert fits_the_phone(merchant)
    screenshot(merchant, f"work-card-verify-{status}-360")
