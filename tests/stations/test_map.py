"""The public friendly map: the list with its filters, distance sort, markers and tile settings."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from django.urls import reverse

from portal.settings import CONTENT_SECURITY_POLICY, tile_image_sources
from stations.models import StationAmenity
from tests.factories import StationFactory

pytestmark = pytest.mark.django_db

MAP = reverse("stations:map")
DATA = reverse("stations:map_data")
# Monday 23 November 2026, 10:00 in Shanghai.
MONDAY_MORNING = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def station(area, amenities=(), **fields):
    made = StationFactory(area=area, **fields)
    for amenity in amenities:
        StationAmenity.objects.create(station=made, amenity=amenity)
    return made


def listed(client, **params):
    """The names on the list page, in order, read in English."""
    response = client.get(MAP, params, headers={"accept-language": "en"})
    assert response.status_code == 200
    return [s.name for s in response.context["page"].object_list]


def markers(client, **params):
    response = client.get(DATA, params)
    assert response.status_code == 200
    return response.json()["stations"]


@pytest.fixture
def monday_morning(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.now", lambda: MONDAY_MORNING)


# The list


def test_anyone_sees_a_station_with_its_kind_area_address_amenities_and_state(client, tree):
    station(
        tree.community_a,
        ["drinking_water", "phone_charging"],
        name="建设路暖新驿站",
        address="建设路12号",
        contact_phone="13800000009",
    )
    response = client.get(MAP, headers={"accept-language": "en"})
    assert response.status_code == 200
    text = response.text
    assert "建设路暖新驿站" in text
    assert "Warm-heart station" in text
    assert "建设路社区 · 建设路12号" in text
    assert "Drinking water · Phone charging" in text
    assert "Open now" in text
    assert "13800000009" not in text


def test_a_merchant_is_shown_with_its_offer(client, tree):
    station(tree.community_a, name="老王面馆", kind="merchant", offer="小哥套餐 7折")
    text = client.get(MAP, headers={"accept-language": "en"}).text
    assert "Friendly merchant" in text
    assert "Offer for riders:</span> 小哥套餐 7折" in text


def test_the_kind_filter_narrows_the_list(client, tree):
    station(tree.community_a, name="驿站", kind="warm_station")
    station(tree.community_a, name="面馆", kind="merchant")
    assert listed(client, kind="merchant") == ["面馆"]


def test_the_amenity_filter_narrows_the_list(client, tree):
    station(tree.community_a, ["toilet", "microwave"], name="有微波炉")
    station(tree.community_a, ["toilet"], name="只有厕所")
    assert listed(client, amenity="microwave") == ["有微波炉"]
    assert listed(client, amenity="toilet") == ["只有厕所", "有微波炉"]


def test_the_area_filter_takes_a_district_street_or_community_code(client, tree):
    station(tree.community_a, name="A站")
    station(tree.community_b, name="B站")
    station(tree.community_c, name="C站")
    assert listed(client, area=tree.district.code) == ["A站", "B站"]
    assert listed(client, area=tree.street.code) == ["A站", "B站"]
    assert listed(client, area=tree.community_b.code) == ["B站"]
    assert listed(client, area=tree.other_district.code) == ["C站"]


def test_the_area_drop_down_offers_only_districts_and_streets_that_have_stations(client, tree):
    station(tree.community_a)
    form = client.get(MAP).context["form"]
    assert [label for code, label in form.fields["area"].widget.choices][1:] == [
        "梁园区",
        "梁园区 · 平原街道",
    ]


def test_an_unknown_filter_value_is_ignored(client, tree):
    station(tree.community_a, name="A站")
    assert listed(client, kind="casino", amenity="pool", area="999999") == ["A站"]


def test_open_now_leaves_out_stations_closed_by_their_hours_or_temporarily(
    client, tree, monday_morning
):
    station(tree.community_a, name="全天", open_24h=True)
    station(tree.community_a, name="白天", open_24h=False, hours={"0": [["08:00", "20:00"]]})
    station(tree.community_a, name="晚上", open_24h=False, hours={"0": [["18:00", "22:00"]]})
    station(tree.community_a, name="周日通宵", open_24h=False, hours={"6": [["22:00", "11:00"]]})
    station(tree.community_a, name="暂停", open_24h=True, temporarily_closed=True)
    assert listed(client, open_now="on") == ["全天", "周日通宵", "白天"]
    text = client.get(MAP, headers={"accept-language": "en"}).text
    assert text.count("Closed now") == 1
    assert text.count("Temporarily closed") == 1


def test_the_list_is_paged_by_thirty(client, tree):
    StationFactory.create_batch(31, area=tree.community_a)
    assert len(listed(client)) == 30
    assert len(listed(client, page=2)) == 1


# Distance


def test_with_the_visitors_location_the_nearest_station_comes_first(client, tree):
    station(tree.community_a, name="远", latitude="34.500000", longitude="115.700000")
    station(tree.community_a, name="近", latitude="34.415000", longitude="115.656000")
    station(tree.community_a, name="没有坐标", latitude=None, longitude=None)
    station(tree.community_a, name="中", latitude="34.430000", longitude="115.660000")
    assert listed(client, lat="34.414", lng="115.656") == ["近", "中", "远", "没有坐标"]
    text = client.get(MAP, {"lat": "34.414", "lng": "115.656"}, headers={"accept-language": "en"})
    assert "111 m" in text.text  # 0.001° of latitude
    assert "10.4 km" in text.text
    assert "Stop sorting by distance" in text.text


@pytest.mark.parametrize(
    "params",
    [{"lat": "north", "lng": "115.6"}, {"lat": "200", "lng": "115.6"}, {"lat": "34.4"}],
)
def test_a_bad_or_half_location_is_ignored(client, tree, params):
    station(tree.community_a, name="B站", latitude="34.5", longitude="115.7")
    station(tree.community_a, name="A站", latitude="34.4", longitude="115.6")
    assert listed(client, **params) == ["A站", "B站"]


# Markers


def test_the_markers_carry_public_facts_and_no_contact(client, tree, monday_morning):
    made = station(
        tree.community_a,
        ["drinking_water"],
        name="老王面馆",
        kind="merchant",
        address="建设路1号",
        latitude="34.414000",
        longitude="115.656000",
        offer="免费热水",
        contact_name="王师傅",
        contact_phone="13800000009",
    )
    station(tree.community_a, name="没有坐标", latitude=None, longitude=None)
    response = client.get(DATA, headers={"accept-language": "en"})
    assert response.json() == {
        "stations": [
            {
                "name": "老王面馆",
                "kind": "Friendly merchant",
                "address": "建设路1号",
                "lat": 34.414,
                "lng": 115.656,
                "open_now": True,
                "amenities": ["Drinking water"],
                "offer": "免费热水",
                "url": reverse("stations:landing", args=[made.token]),
            }
        ]
    }
    assert "13800000009" not in response.text
    assert "王师傅" not in response.text


def test_the_markers_follow_the_same_filters(client, tree):
    station(tree.community_a, ["wifi"], name="A站", kind="merchant")
    station(tree.community_c, ["wifi"], name="C站", kind="merchant")
    station(tree.community_a, name="驿站")
    assert [m["name"] for m in markers(client, kind="merchant", area=tree.district.code)] == ["A站"]
    assert [m["name"] for m in markers(client, amenity="wifi")] == ["A站", "C站"]


@pytest.mark.parametrize("url", [MAP, DATA])
def test_the_list_and_markers_cost_the_same_queries_for_5_or_40_stations(
    client, tree, django_assert_num_queries, url
):
    def add(count):
        for made in StationFactory.create_batch(count, area=tree.community_a, kind="merchant"):
            StationAmenity.objects.create(station=made, amenity="wifi")
            StationAmenity.objects.create(station=made, amenity="toilet")

    add(5)
    params = {"kind": "merchant", "open_now": "on", "lat": "34.4", "lng": "115.6"}
    # the form's area choices, the stations with their areas, the amenities; on the page also
    # what was done near its stations (feedback, through portal.slots)
    expected = 4 if url == MAP else 2
    with django_assert_num_queries(expected):
        client.get(url, params)
    add(35)
    with django_assert_num_queries(expected):
        client.get(url, params)


# The map and its tiles


def test_without_a_tile_url_the_page_says_the_map_is_unavailable(client, tree, settings):
    settings.MAP_TILE_URL = ""
    text = client.get(MAP, headers={"accept-language": "en"}).text
    assert "The map is unavailable; the list below still works." in text
    assert 'id="station-map"' not in text
    assert "leaflet.js" not in text


def test_with_a_tile_url_the_map_gets_its_settings_through_data_attributes(client, tree, settings):
    settings.MAP_TILE_URL = "https://webrd0{s}.is.autonavi.com/appmaptile?x={x}&y={y}&z={z}"
    settings.MAP_TILE_SUBDOMAINS = "1234"
    text = client.get(MAP, {"kind": "merchant"}).text
    assert (
        'data-tiles="https://webrd0{s}.is.autonavi.com/appmaptile?x={x}&amp;y={y}&amp;z={z}"'
        in (text)
    )
    assert 'data-subdomains="1234"' in text
    assert f'data-markers="{DATA}?kind=merchant"' in text
    assert "vendor/leaflet/leaflet.js" in text
    assert "<script>" not in text  # the CSP allows no inline script


@pytest.mark.parametrize(
    ("tile_url", "sources"),
    [
        ("", []),
        ("/tiles/{z}/{x}/{y}.png", []),
        ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", ["https://tile.openstreetmap.org"]),
        (
            "https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png",
            ["https://*.tile.openstreetmap.org"],
        ),
        ("https://webrd0{s}.is.autonavi.com/appmaptile?x={x}", ["https://*.is.autonavi.com"]),
        ("https://t{s}.tianditu.gov.cn/vec_w/wmts?tk=KEY", ["https://*.tianditu.gov.cn"]),
        ("http://tiles.intranet:8080/{z}/{x}/{y}.png", ["http://tiles.intranet:8080"]),
    ],
)
def test_the_csp_image_sources_allow_the_tile_host(tile_url, sources):
    assert tile_image_sources(tile_url) == sources


@pytest.mark.parametrize("tile_url", ["tile.openstreetmap.org/{z}", "https://{s}.com/{z}.png"])
def test_a_tile_url_without_a_scheme_or_with_a_placeholder_domain_stops_start_up(tile_url):
    with pytest.raises(ImproperlyConfigured):
        tile_image_sources(tile_url)


def test_the_csp_header_includes_the_tile_host(client, tree):
    directives = CONTENT_SECURITY_POLICY["DIRECTIVES"]
    policy = {
        "DIRECTIVES": {
            **directives,
            "img-src": [*directives["img-src"], *tile_image_sources("https://t{s}.x.cn/{z}")],
        }
    }
    with override_settings(CONTENT_SECURITY_POLICY=policy):
        header = client.get(MAP)["Content-Security-Policy"]
    assert "img-src 'self' data: https://*.x.cn" in header


def test_the_home_page_links_to_the_map(client, tree):
    assert f'href="{MAP}"' in client.get(reverse("home")).text
