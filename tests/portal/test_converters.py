"""The converters of the codes in addresses (portal.converters): a station's QR token, a tracking
or pickup code, an area's division code and a photo's file name match what they can be, in every
way a person may type a tracking code, and nothing else, so an address with a NUL or another stray
character is a 404 before any view runs (it was a 500 on PostgreSQL, which refuses a NUL in a
query)."""

import re
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse

from feedback.models import new_tracking_code, photo_path
from portal.converters import (
    AreaCodeConverter,
    FileNameConverter,
    ReadableCodeConverter,
    StationTokenConverter,
)
from stations.models import new_token

STRAYS = ["\x00", "建设路\x00口", "建设路", "<script>", "%", "'", "a.b", "a/b"]


def matches(converter, value):
    return re.fullmatch(converter.regex, value) is not None


def test_a_station_token_matches_every_token_a_station_is_given_and_no_stray_character():
    for _ in range(200):
        assert matches(StationTokenConverter, new_token())
    for stray in [*STRAYS, "a b", "a" * 33]:
        assert not matches(StationTokenConverter, stray), stray


def test_a_tracking_code_matches_however_it_is_typed_and_reaches_the_view_as_stored():
    converter = ReadableCodeConverter()
    for _ in range(200):
        code = new_tracking_code()
        wide = "".join(chr(ord(character) + 0xFEE0) for character in code)
        for typed in [code, code.lower(), f"{code[:5]}-{code[5:]}", f" {code} ", wide.lower()]:
            assert matches(converter, typed), typed
            assert converter.to_python(typed) == code
        ideographic = f"\u3000{wide[:5]}－{wide[5:]}"  # with the input method's space and dash
        assert matches(converter, ideographic) and converter.to_python(ideographic) == code
        assert converter.to_url(code) == code


@pytest.mark.parametrize("stray", [*STRAYS, "O", "I", "L", "0", "1", "ABC\tDEF"])
def test_a_tracking_code_matches_no_character_a_code_cannot_have(stray):
    assert not matches(ReadableCodeConverter, stray)


def test_an_area_code_is_6_9_or_12_digits_and_nothing_else():
    for code in ["411400", "411402001", "411402001001"]:
        assert matches(AreaCodeConverter, code)
    for stray in [*STRAYS, "41140", "4114020", "4114020010011", "411402\x00", "４１１４００"]:
        assert not matches(AreaCodeConverter, stray), stray


def test_a_file_name_matches_every_photo_name_and_no_folder_or_stray_character():
    for _ in range(200):
        name = photo_path(None, "photo.jpg").rsplit("/", 1)[1]
        assert matches(FileNameConverter, name)
    assert matches(FileNameConverter, "0a1b_AbC123x.jpg")  # the storage's suffix on a clash
    strays = [stray for stray in STRAYS if stray != "a.b"]  # a.b is a file name
    for stray in [*strays, "../x.jpg", "x.jpg\x00", "feedback/x.jpg", "x"]:
        assert not matches(FileNameConverter, stray), stray


def address(name, value, *args):
    return reverse(name, args=["XXXX", *args]).replace("XXXX", quote(value, safe=""))


@pytest.mark.django_db
@pytest.mark.parametrize("stray", STRAYS[:5])
def test_an_address_with_a_stray_character_in_its_code_is_a_404(
    client, station_a, suggestion_a, stray
):
    for name in [
        "stations:landing",
        "stations:check_in",
        "feedback:station_suggest",
        "points:station_leaderboard",
        "feedback:track",
        "feedback:rate",
        "feedback:reopen",
    ]:
        for response in (client.get(address(name, stray)), client.post(address(name, stray))):
            assert response.status_code == 404, name
    for name in ["feedback:open311_request", "feedback:open311_token"]:
        assert client.get(address(name, stray, "json")).status_code == 404


@pytest.mark.django_db
def test_a_right_code_in_any_form_still_opens_its_page(client, station_a, suggestion_a):
    code = suggestion_a.tracking_code
    wide = "".join(chr(ord(character) + 0xFEE0) for character in code)
    assert client.get(reverse("stations:landing", args=[station_a.token])).status_code == 200
    for typed in [code, code.lower(), f"{code[:5]}-{code[5:]}", f"\u3000{wide[:5]}－{wide[5:]}"]:
        assert client.get(address("feedback:track", typed)).status_code == 200, typed
    public_id = suggestion_a.public_id
    response = client.get(address("feedback:open311_request", public_id.lower(), "json"))
    assert response.status_code == 200
    assert response.json()[0]["service_request_id"] == public_id


@pytest.mark.django_db
@pytest.mark.parametrize("stray", ["\x00", "411402\x00", "建设路", "<script>"])
def test_a_stray_character_in_an_area_code_pickup_code_or_photo_name_is_a_404_for_everyone(
    rider_client, staff_a, stray
):
    """These were 500s on PostgreSQL for a signed-in rider or staff member: the NUL reached the
    query."""
    staff = Client()
    staff.force_login(staff_a)
    value = quote(stray, safe="")
    for person, path in [
        (staff, reverse("area_detail", args=["411400"]).replace("411400", value)),
        (staff, reverse("stations:posters", args=["411400"]).replace("411400", value)),
        (staff, reverse("feedback:photo", args=["x.jpg"]).replace("x.jpg", value)),
        (rider_client, reverse("points:redeemed", args=["ABCDEF"]).replace("ABCDEF", value)),
    ]:
        assert person.get(path).status_code == 404, path
