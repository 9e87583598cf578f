"""QR codes: made for the station's token, decoding to its landing URL; rotation replaces them."""

from io import BytesIO

import pytest
import zxingcpp
from django.db import IntegrityError, transaction
from django.urls import reverse
from PIL import Image

from stations import services
from stations.models import RetiredToken, Station
from stations.tasks import make_qr_codes
from tests.factories import StationFactory
from tests.stations.test_staff_pages import details

pytestmark = pytest.mark.django_db


def decoded(image) -> str:
    with image.open("rb") as file:
        (symbol,) = zxingcpp.read_barcodes(Image.open(BytesIO(file.read())))
    return symbol.text


def test_the_qr_code_decodes_to_the_absolute_landing_url(station_a, settings):
    url = f"{settings.SITE_URL}/s/{station_a.token}/"
    assert services.landing_url(station_a) == url
    assert decoded(station_a.qr_png) == url
    with station_a.qr_svg.open("rb") as svg:
        assert svg.read().startswith(b"<?xml")
    assert station_a.qr_token == station_a.token


def test_a_station_staff_add_gets_its_qr_codes_when_the_save_commits(
    client, tree, staff_a, media, django_capture_on_commit_callbacks
):
    client.force_login(staff_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("stations:add"), details(tree.community_a))
    station = Station.objects.get()
    assert station.qr_token == station.token
    assert decoded(station.qr_png).endswith(f"/s/{station.token}/")
    assert station.created_by == staff_a


def test_making_the_codes_twice_does_nothing_the_second_time(station_a):
    made = (station_a.qr_png.name, station_a.qr_svg.name)
    make_qr_codes(station_a.pk)
    station_a.refresh_from_db()
    assert (station_a.qr_png.name, station_a.qr_svg.name) == made


def test_a_missing_file_is_made_again(station_a):
    station_a.qr_png.storage.delete(station_a.qr_png.name)
    make_qr_codes(station_a.pk)
    station_a.refresh_from_db()
    assert station_a.qr_png.storage.exists(station_a.qr_png.name)


def test_rotating_the_token_retires_the_old_one_and_replaces_the_codes(
    client, station_a, staff_a, django_capture_on_commit_callbacks
):
    old_token = station_a.token
    old_files = [station_a.qr_png.name, station_a.qr_svg.name]
    storage = station_a.qr_png.storage
    client.force_login(staff_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("stations:rotate", args=[station_a.id]), {"confirm": "on"})
    station = Station.objects.get(pk=station_a.pk)
    assert station.token != old_token
    retired = RetiredToken.objects.get(token=old_token)
    assert (retired.station, retired.retired_by) == (station, staff_a)
    assert station.qr_token == station.token
    assert decoded(station.qr_png) == services.landing_url(station)
    assert not any(storage.exists(name) for name in old_files)


def test_a_rotation_that_rolls_back_leaves_the_station_as_it_was(station_a, staff_a):
    old_token = station_a.token
    StationFactory(area=station_a.area, token="taken")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("stations.services.new_token", lambda: "taken")
        with pytest.raises(IntegrityError), transaction.atomic():
            services.rotate_token(station_a, by=staff_a)
    station_a.refresh_from_db()
    assert station_a.token == old_token
    assert not RetiredToken.objects.filter(token=old_token).exists()
