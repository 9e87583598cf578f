"""Every rider page shares one look: it has the rider header, linking home, to 我的 and back to the
last station, and a description that WeChat shows when its link is shared (the templates each
rider page extends: tests/portal/test_templates.py)."""

import re

import pytest
from django.urls import reverse

from stations import last_station
from tests.factories import ActivityFactory, SuggestionFactory
from tests.riders import sign_in_rider

DESCRIPTION = re.compile(r'<meta name="description" content="([^"]*)">')


def description(response) -> str:
    found = DESCRIPTION.search(response.content.decode())
    assert found, "no description"
    return found.group(1)


def assert_rider_page(response, last_station_url=""):
    assert response.status_code == 200
    html = response.content.decode()
    header = html[html.index('<header class="rider-header">') : html.index("</header>")]
    assert f'href="{reverse("home")}"' in header
    assert f'href="{reverse("points:me")}"' in header
    if last_station_url:
        assert f'href="{last_station_url}"' in header
    else:
        assert "/s/" not in header
    text = description(response)
    assert len(text) >= 10
    assert "bootstrap.bundle" not in html  # no JavaScript of Bootstrap's on a rider page
    return html


@pytest.fixture
def pages(station_a, worker_a, client):
    """A path of each kind of rider page, with what it needs."""
    suggestion = SuggestionFactory(area=station_a.area)
    activity = ActivityFactory(area=station_a.area)
    return {
        "home": reverse("home"),
        "landing": reverse("stations:landing", args=[station_a.token]),
        "check_in": reverse("stations:check_in", args=[station_a.token]),
        "leaderboard": reverse("points:station_leaderboard", args=[station_a.token]),
        "map": reverse("stations:map"),
        "register": reverse("registry:register") + f"?community={station_a.area.code}",
        "choose_community": reverse("registry:register"),
        "registered": reverse("registry:registered"),
        "suggest": reverse("feedback:suggest") + f"?community={station_a.area.code}",
        "station_suggest": reverse("feedback:station_suggest", args=[station_a.token]),
        "track_lookup": reverse("feedback:track_lookup"),
        "track": reverse("feedback:track", args=[suggestion.tracking_code]),
        "activities": reverse("points:activities_public"),
        "activity": reverse("points:activity_public", args=[activity.pk]),
        "shop": reverse("points:shop") + f"?community={station_a.area.code}",
        "sign_in": reverse("registry:sign_in"),
    }


def test_every_rider_page_has_the_header_and_a_description(client, pages, station_a):
    client.get(pages["landing"])  # the phone has opened a station
    for name, path in pages.items():
        response = client.get(path)
        assert response.status_code == 200, name
        assert_rider_page(response, last_station_url=pages["landing"])


def test_a_signed_in_riders_pages_have_the_header_too(client, worker_a, station_a):
    sign_in_rider(client, worker_a)
    for path in [
        reverse("points:me"),
        reverse("points:card"),
        reverse("registry:withdraw"),
    ]:
        assert_rider_page(client.get(path))
    landing = reverse("stations:landing", args=[station_a.token])  # their own, not the cached one
    assert_rider_page(client.get(landing), last_station_url=landing)


def test_the_station_page_is_remembered_for_the_header_link_back(client, station_a):
    landing = reverse("stations:landing", args=[station_a.token])
    assert_rider_page(client.get(reverse("home")))  # no station yet: no link back
    response = client.get(landing)
    assert response.cookies[last_station.COOKIE].value == station_a.token
    assert response.cookies[last_station.COOKIE]["httponly"]
    assert_rider_page(client.get(reverse("stations:map")), last_station_url=landing)
    # From the landing page's cache too.
    assert client.get(landing).cookies[last_station.COOKIE].value == station_a.token


def test_the_cached_station_page_links_back_to_itself_whatever_the_visitor_saw_before(
    client, station_a, tree
):
    from tests.factories import StationFactory

    other = StationFactory(name="文化路驿站", area=tree.community_c)
    client.get(reverse("stations:landing", args=[other.token]))
    html = assert_rider_page(
        client.get(reverse("stations:landing", args=[station_a.token])),
        last_station_url=reverse("stations:landing", args=[station_a.token]),
    )
    assert other.token not in html
    assert "csrfmiddlewaretoken" not in html  # cached for every rider: nothing of one visitor's


def test_a_made_up_last_station_cookie_is_ignored(client, tree):
    client.cookies[last_station.COOKIE] = '"><script>'
    assert_rider_page(client.get(reverse("home")))


def test_the_station_page_describes_the_station(client, station_a):
    response = client.get(reverse("stations:landing", args=[station_a.token]))
    assert station_a.name in description(response)


def test_the_home_page_offers_riders_the_four_ways_in_and_staff_login_once(client, tree):
    html = client.get(reverse("home")).content.decode()
    for name in ["registry:register", "points:me", "feedback:suggest", "stations:map"]:
        assert f'href="{reverse(name)}"' in html, name
    assert html.count(f'href="{reverse("login")}"') == 1


def test_the_end_of_each_journey_links_onward(client, station_a, worker_a):
    """Registration done, check-in done, suggestion filed and tracking are no dead ends."""
    suggestion = SuggestionFactory(area=station_a.area)
    me = f'href="{reverse("points:me")}"'
    main = lambda html: html[html.index("<main") :]  # noqa: E731  (past the header's links)
    client.get(reverse("stations:landing", args=[station_a.token]))
    registered = client.get(reverse("registry:registered")).content.decode()
    assert me in main(registered)
    assert f'href="{reverse("stations:landing", args=[station_a.token])}"' in main(registered)
    tracked = client.get(reverse("feedback:track", args=[suggestion.tracking_code]))
    assert me in main(tracked.content.decode())
    assert f'href="{reverse("feedback:suggest")}"' in main(tracked.content.decode())
    sign_in_rider(client, worker_a)
    checked_in = client.post(
        reverse("stations:check_in", args=[station_a.token]), follow=True
    ).content.decode()
    assert "checked-in" in checked_in
    assert me in main(checked_in)
