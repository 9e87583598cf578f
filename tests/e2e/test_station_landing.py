import pytest
from django.utils.translation import gettext as _
from playwright.sync_api import expect

from stations.models import Amenity, RetiredToken, StationAmenity
from tests.e2e.conftest import DESKTOP, PHONE, screenshot
from tests.factories import StationFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def station(tree):
    station = StationFactory(
        name="建设路暖心驿站",
        area=tree.community_a,
        offer="小哥套餐 7折，热水免费",
        services=["legal_aid", "social_security"],
    )
    StationAmenity.objects.bulk_create(
        StationAmenity(station=station, amenity=amenity) for amenity in Amenity.values
    )
    return station


def test_a_rider_scans_the_code_on_a_phone(new_page, station):
    page = new_page(PHONE)
    page.goto(f"/s/{station.token}/")
    expect(page.get_by_role("heading", name="建设路暖心驿站")).to_be_visible()
    expect(page.get_by_text(_("Open now"))).to_be_visible()
    expect(page.get_by_text("小哥套餐 7折，热水免费")).to_be_visible()
    expect(page.get_by_role("link", name=_("Make a suggestion"))).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # Every button is a comfortable touch target.
    for box in page.locator(".act").evaluate_all("els => els.map(e => e.offsetHeight)"):
        assert box >= 48
    screenshot(page, "station-landing-360")

    # Checking in, signed in or not: tests/e2e/test_rider_journeys.py.


def test_the_landing_page_on_a_desktop(new_page, station):
    page = new_page(DESKTOP)
    page.goto(f"/s/{station.token}/")
    screenshot(page, "station-landing-1280")


def test_old_and_unknown_codes_say_what_to_do(new_page, station):
    RetiredToken.objects.create(token="old-token", station=station)
    page = new_page(PHONE)
    page.goto("/s/old-token/")
    expect(page.get_by_role("heading", name=_("This code has been replaced"))).to_be_visible()
    screenshot(page, "station-replaced-360")
    page.goto("/s/no-such-code/")
    expect(page.get_by_role("heading", name=_("Code not recognised"))).to_be_visible()
    screenshot(page, "station-unknown-360")
