"""The friendly map in the browser: no internet here, so the map is unavailable unless its tiles
come from the portal itself; the list works either way."""

import pytest
from playwright.sync_api import expect

from stations.models import StationAmenity
from tests.e2e.conftest import DESKTOP, PHONE, screenshot
from tests.factories import StationFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# A "tile server" on the portal's own origin: one small image for every tile.
LOCAL_TILES = "/static/vendor/leaflet/images/layers.png?z={z}&x={x}&y={y}"


@pytest.fixture
def stations(tree):
    made = [
        StationFactory(
            area=tree.community_a,
            name="建设路暖新驿站",
            address="建设路12号",
            latitude="34.430000",
            longitude="115.660000",
        ),
        StationFactory(
            area=tree.community_b,
            name="老王面馆",
            kind="merchant",
            address="平原路8号",
            offer="小哥套餐 7折，免费热水",
            latitude="34.415000",
            longitude="115.656000",
        ),
        StationFactory(
            area=tree.community_c,
            name="文化路户外劳动者驿站",
            kind="outdoor_workers",
            address="文化路3号",
            open_24h=False,
            hours={str(day): [["00:00", "00:01"]] for day in range(7)},
            latitude="34.380000",
            longitude="115.640000",
        ),
    ]
    for station in made:
        for amenity in ["drinking_water", "phone_charging", "microwave"]:
            StationAmenity.objects.create(station=station, amenity=amenity)
    return made


def watch_errors(page):
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda message: errors.append(message.text) if message.type == "error" else None,
    )
    return errors


@pytest.mark.parametrize(("viewport", "size"), [(PHONE, "360"), (DESKTOP, "1280")])
def test_without_tiles_the_page_says_the_map_is_unavailable_and_lists_the_stations(
    new_page, stations, settings, viewport, size
):
    settings.MAP_TILE_URL = ""
    page = new_page(viewport, locale="en-GB")
    errors = watch_errors(page)
    page.goto("/map/")
    expect(page.get_by_text("The map is unavailable; the list below still works.")).to_be_visible()
    assert page.locator(".station-list > li").count() == 3
    expect(page.get_by_text("小哥套餐 7折，免费热水")).to_be_visible()
    page.get_by_text("Filter", exact=True).click()
    page.get_by_label("Kind").select_option("merchant")
    page.get_by_role("button", name="Apply").click()
    assert page.locator(".station-list > li").count() == 1
    page.goto("/map/")
    screenshot(page, f"map-no-tiles-{size}")
    assert errors == []


def test_when_tiles_fail_to_load_the_page_says_so_and_the_list_stays(new_page, stations, settings):
    settings.MAP_TILE_URL = "/no-such-tiles/{z}/{x}/{y}.png"
    page = new_page(PHONE, locale="en-GB")
    page.goto("/map/")
    page.get_by_text("The map is unavailable; the list below still works.").wait_for()
    assert page.locator("#station-map").is_hidden()
    assert page.locator(".station-list > li").count() == 3
    screenshot(page, "map-tiles-fail-360")


@pytest.mark.parametrize(("viewport", "size"), [(PHONE, "360"), (DESKTOP, "1280")])
def test_with_tiles_the_map_shows_a_marker_per_station_and_a_merchants_offer(
    new_page, stations, settings, viewport, size
):
    settings.MAP_TILE_URL = LOCAL_TILES
    page = new_page(viewport, locale="en-GB")
    errors = watch_errors(page)
    page.goto("/map/")
    markers = page.locator(".leaflet-marker-icon")
    markers.nth(2).wait_for()
    assert markers.count() == 3
    assert page.get_by_text("The map is unavailable").is_hidden()
    page.locator('.leaflet-marker-icon[title="老王面馆"]').click()
    popup = page.locator(".leaflet-popup-content")
    popup.get_by_text("小哥套餐 7折，免费热水").wait_for()
    expect(popup.get_by_text("Open now")).to_be_visible()
    assert popup.get_by_role("link", name="老王面馆").get_attribute("href").startswith("/s/")
    # the popup has faded in and the map has panned to show it
    expect(page.locator(".leaflet-popup")).to_have_css("opacity", "1")
    page.wait_for_timeout(300)
    screenshot(page, f"map-with-tiles-{size}")
    assert errors == []


def test_sort_by_distance_asks_for_the_location_and_lists_the_nearest_first(
    new_page, stations, settings
):
    settings.MAP_TILE_URL = ""
    page = new_page(PHONE, locale="en-GB")
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": 34.3801, "longitude": 115.6401})
    page.goto("/map/")
    page.get_by_role("button", name="Sort by distance").click()
    page.wait_for_url("**lat=34.3801&lng=115.6401")
    names = page.locator(".station-list h2 a").all_inner_texts()
    assert names == ["文化路户外劳动者驿站", "老王面馆", "建设路暖新驿站"]
    expect(page.get_by_text("14 m")).to_be_visible()
    screenshot(page, "map-by-distance-360")
