"""Hostile codes in the address of the public pages that look something up by one: a station's
QR token, a community's or an area's division code. An unknown code is a page saying so (or the
first step of choosing a community), never a 500; PostgreSQL refuses a NUL in a query, so the
NUL cases below failed there (and, through tests.hostile.strategies, on SQLite too)."""

from urllib.parse import quote, urlencode

import pytest
from django.urls import reverse
from hypothesis import example, given
from hypothesis import strategies as st

from tests.hostile.strategies import (
    assert_never_raw,
    assert_no_server_error,
    counted,
    examples,
    hostile_client,
    hostile_text,
    html,
    outcome,
)

pytestmark = pytest.mark.django_db

STATION_PAGES = [
    "stations:landing",
    "stations:check_in",
    "feedback:station_suggest",
    "points:station_leaderboard",
]
CHOOSING_PAGES = [
    "registry:register",
    "feedback:suggest",
    "points:shop",
    "points:activities_public",
]
a_token = hostile_text.filter(lambda token: token not in ("", ".", ".."))


@examples(30)
@given(token=a_token)
@example(token="\x00")
@example(token="建设路\x00口")
def test_a_station_page_answers_any_token_in_its_address(station_a, token):
    form = "station pages (token in the address)"
    with counted(form):
        for name in STATION_PAGES:
            url = reverse(name, args=["TOKEN"]).replace("TOKEN", quote(token, safe=""))
            client = hostile_client()
            for response in (client.get(url), client.post(url, {"mobile": "13800000001"})):
                outcome(form, response)
                assert_no_server_error(response)
                assert response.status_code in (200, 302, 404, 405, 410)
                assert_never_raw(html(response), token)


@examples(30)
@given(community=st.one_of(st.none(), hostile_text), area=st.one_of(st.none(), hostile_text))
@example(community="\x00", area=None)
@example(community=None, area="\x00")
@example(community="411402001001\x00", area="4114\x0002")
def test_choosing_a_community_answers_any_code(tree, community, area):
    form = "community and area codes (register, suggest, shop, activities)"
    params = {"community": community, "area": area}
    query = urlencode({key: value for key, value in params.items() if value is not None})
    with counted(form):
        for name in CHOOSING_PAGES:
            response = hostile_client().get(f"{reverse(name)}?{query}")
            outcome(form, response)
            assert_no_server_error(response)
            assert response.status_code == 200
            assert_never_raw(html(response), community, area)
