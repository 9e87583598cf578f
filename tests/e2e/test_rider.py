"""A rider on a phone signs in with the texted code, reads their page and shows the work card;
the merchant who scans it sees that it is valid and whose it is."""

import pytest
from django.utils.translation import gettext as _
from playwright.sync_api import expect

from points.models import EntryKind
from points.services.ledger import award
from portal import qr
from tests import sms
from tests.e2e.conftest import PHONE, screenshot
from tests.factories import SuggestionFactory, WorkerFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def qr_urls(monkeypatch):
    urls, svg = [], qr.svg

    def recording_svg(url):
        urls.append(url)
        return svg(url)

    monkeypatch.setattr("points.views.card.qr.svg", recording_svg)
    return urls


def fits_the_phone(page):
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_rider_signs_in_with_the_code_and_a_merchant_verifies_the_work_card(
    new_page, tree, settings, qr_urls
):
    settings.SMS_BACKEND = "tests.sms.RecordingBackend"
    sms.outbox.clear()
    rider = WorkerFactory(
        name="孙丽", mobile="13800000009", area=tree.community_a, status="confirmed"
    )
    award(rider, 30, EntryKind.ACTIVITY, note="夏送清凉志愿服务")
    award(rider, 10, EntryKind.HAZARD_ACCEPTED, note="随手拍 井盖缺失")
    suggestion = SuggestionFactory(area=tree.community_a, worker=rider, category="hazard")

    page = new_page(PHONE)
    page.goto("/me/")
    page.get_by_label(_("Your mobile number")).fill("138 0000 0009")
    assert fits_the_phone(page)
    screenshot(page, "rider-sign-in-360")
    page.get_by_role("button", name=_("Text me a code")).click()

    page.get_by_label(_("The 6-digit code we texted you")).fill("000000")
    page.get_by_role("button", name=_("Continue"), exact=True).click()
    expect(page.locator(".invalid-feedback")).to_be_visible()
    assert fits_the_phone(page)
    screenshot(page, "rider-sign-in-code-360")
    page.get_by_label(_("The 6-digit code we texted you")).fill(sms.last_code(rider.mobile))
    page.get_by_role("button", name=_("Continue"), exact=True).click()

    page.wait_for_url("**/me/")
    assert page.locator(".stat-figure").inner_text() == "40"
    expect(page.get_by_text("夏送清凉志愿服务")).to_be_visible()
    expect(page.get_by_role("link", name=suggestion.tracking_code)).to_be_visible()
    assert fits_the_phone(page)
    screenshot(page, "rider-me-360")

    page.get_by_role("link", name=_("My work card")).click()
    expect(page.get_by_role("heading", name="孙丽")).to_be_visible()
    expect(
        page.get_by_role("img", name=_("QR code for a station or merchant to scan"))
    ).to_be_visible()
    assert fits_the_phone(page)
    screenshot(page, "rider-work-card-360")

    merchant = new_page(PHONE)
    merchant.goto(qr_urls[-1])
    expect(merchant.get_by_role("heading", name=_("Valid work card"))).to_be_visible()
    expect(merchant.get_by_text("138****0009")).to_be_visible()
    assert fits_the_phone(merchant)
    screenshot(merchant, "work-card-verified-360")
