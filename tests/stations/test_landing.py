import re
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from stations.models import Amenity, RetiredToken, Service, StationAmenity, new_token
from tests.factories import StationFactory
from tests.riders import sign_in_rider

pytestmark = pytest.mark.django_db

ALL_DAYS = range(7)


@pytest.fixture
def station(tree):
    station = StationFactory(
        name="建设路暖心驿站",
        area=tree.community_a,
        offer="小哥套餐 7折",
        services=["legal_aid"],
    )
    StationAmenity.objects.bulk_create(
        StationAmenity(station=station, amenity=amenity)
        for amenity in (Amenity.UMBRELLA, Amenity.DRINKING_WATER, Amenity.PHONE_CHARGING)
    )
    return station


def landing(client, station):
    return client.get(reverse("stations:landing", args=[station.token]))


def hours_around_now(before: int, after: int) -> dict:
    """Every day open from `before` hours before now to `after` hours after (negative: ago)."""
    now = timezone.localtime()
    start = (now + timedelta(hours=before)).strftime("%H:%M")
    end = (now + timedelta(hours=after)).strftime("%H:%M")
    return {str(day): [[start, end]] for day in ALL_DAYS}


def test_the_landing_page_shows_the_station_its_offer_and_its_amenities_in_words(client, station):
    response = landing(client, station)
    assert response.status_code == 200
    text = response.text
    assert "建设路暖心驿站" in text
    assert "建设路" in text
    assert "小哥套餐 7折" in text
    assert _("Offer for riders:") in text
    # Amenities in the standard order, each an icon beside its word.
    words = [
        str(a.label) for a in (Amenity.DRINKING_WATER, Amenity.PHONE_CHARGING, Amenity.UMBRELLA)
    ]
    assert re.search(".*".join(rf"<svg[^>]*><path[^>]*/></svg>{word}" for word in words), text)
    assert str(Service.LEGAL_AID.label) in text


def test_the_landing_page_takes_at_most_four_queries(
    client, station, django_assert_max_num_queries
):
    with django_assert_max_num_queries(4):
        assert landing(client, station).status_code == 200


def test_the_landing_page_has_no_script_and_weighs_under_30_kb_with_its_styles(client, station):
    html = landing(client, station).content
    assert b"<script" not in html.lower()
    stylesheets = re.findall(rb'<link rel="stylesheet" href="([^"]+)"', html)
    assert stylesheets  # its own small stylesheet, not Bootstrap
    total = len(html)
    for href in stylesheets:
        path = finders.find(href.decode().removeprefix("/" + settings.STATIC_URL.lstrip("/")))
        assert path, href
        with open(path, "rb") as file:
            total += len(file.read())
    assert total < 30 * 1024


def test_the_big_buttons_check_in_and_register_with_the_stations_community(client, station, tree):
    text = landing(client, station).text
    assert f'href="{reverse("stations:check_in", args=[station.token])}"' in text
    back = quote(reverse("stations:landing", args=[station.token]), safe="")
    register = f"{reverse('registry:register')}?community={tree.community_a.code}&amp;next={back}"
    assert f'href="{register}"' in text


def test_a_station_of_a_street_lets_the_rider_choose_the_community_there(client, tree):
    station = StationFactory(area=tree.street)
    text = landing(client, station).text
    assert f'href="{reverse("registry:register")}?area={tree.street.code}&amp;next=' in text


def test_suggestion_hazard_report_and_points_link_to_their_pages(client, station):
    text = landing(client, station).text
    suggest = reverse("feedback:station_suggest", args=[station.token])
    assert f'<a class="act" href="{suggest}">{_("Make a suggestion")}</a>' in text
    assert f'<a class="act" href="{suggest}?category=hazard">{_("Report a hazard")}</a>' in text
    assert f'<a class="act" href="{reverse("points:me")}">{_("My points")}</a>' in text


def test_it_says_open_now_inside_todays_hours(client, station):
    station.open_24h, station.hours = False, hours_around_now(-1, 1)
    station.save()
    text = landing(client, station).text
    assert _("Open now") in text
    assert _("Today:") in text


def test_it_says_closed_now_outside_todays_hours(client, station):
    station.open_24h, station.hours = False, hours_around_now(1, 2)
    station.save()
    assert _("Closed now") in landing(client, station).text


def test_a_temporarily_closed_station_says_so_and_why(client, station):
    station.temporarily_closed, station.closure_reason = True, "装修中"
    station.save()
    text = landing(client, station).text
    assert _("Temporarily closed") in text
    assert "装修中" in text
    assert _("Open now") not in text


def test_an_old_code_says_it_was_replaced_without_leading_to_the_station(client, station):
    RetiredToken.objects.create(token="old-token", station=station)
    response = client.get(reverse("stations:landing", args=["old-token"]))
    assert response.status_code == 410
    assert _("This code has been replaced") in response.text
    assert "建设路暖心驿站" in response.text
    assert station.token not in response.text


def test_an_old_code_of_the_check_in_page_says_the_same(client, station):
    RetiredToken.objects.create(token="old-token", station=station)
    response = client.get(reverse("stations:check_in", args=["old-token"]))
    assert response.status_code == 410


def test_an_unknown_code_is_a_friendly_not_found_page(client, station):
    response = client.get(reverse("stations:landing", args=["no-such-code"]))
    assert response.status_code == 404
    assert _("Code not recognised") in response.text


def test_for_a_few_seconds_the_next_rider_gets_the_page_without_a_query(
    client, station, django_assert_num_queries
):
    first = landing(client, station)
    with django_assert_num_queries(0):
        again = landing(client, station)
    assert again.content == first.content


def test_a_change_to_the_station_shows_at_once(client, station):
    landing(client, station)
    station.temporarily_closed = True
    station.save()
    StationAmenity.objects.create(station=station, amenity=Amenity.MICROWAVE)
    text = landing(client, station).text
    assert _("Temporarily closed") in text
    assert str(Amenity.MICROWAVE.label) in text


def test_a_replaced_code_is_refused_at_once_though_its_page_was_cached(client, station):
    old = station.token
    landing(client, station)
    station.token = new_token()
    station.save()
    RetiredToken.objects.create(token=old, station=station)
    assert client.get(reverse("stations:landing", args=[old])).status_code == 410
    assert landing(client, station).status_code == 200


def test_a_signed_in_riders_page_is_their_own_and_never_cached(
    client, station, worker_a, django_assert_max_num_queries
):
    assert "csrfmiddlewaretoken" not in landing(client, station).text  # cached for everyone
    rider = sign_in_rider(Client(), worker_a)
    with django_assert_max_num_queries(8):
        page = landing(rider, station).text
    assert 'name="csrfmiddlewaretoken"' in page  # the one-tap 报到 form
    assert f'action="{reverse("stations:check_in", args=[station.token])}"' in page
    again = landing(client, station).text
    assert "csrfmiddlewaretoken" not in again and worker_a.name not in again
