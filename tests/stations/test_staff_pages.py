"""The staff pages of the stations: list, add and edit, detail, standard, photos, posters."""

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from stations import services
from stations.models import RetiredToken, StandardItem, Station, StationPhoto
from tests.factories import StationFactory, StationPhotoFactory

pytestmark = pytest.mark.django_db


def names(response):
    return [station.name for station in response.context["page"].object_list]


def details(area, **overrides) -> dict:
    """A complete add form: a merchant open 09:00–21:00 on weekdays."""
    data = {
        "name": "老商丘烩面馆",
        "kind": "merchant",
        "area": area.id,
        "address": "建设路18号",
        "latitude": "34.414212",
        "longitude": "115.656301",
        "amenities": ["drinking_water", "phone_charging"],
        "services": ["legal_aid"],
        "offer": "小哥套餐 7折",
        "contact_name": "王老板",
        "contact_phone": "0370-3216789",
        **{f"open_{day}": "09:00" for day in range(5)},
        **{f"close_{day}": "21:00" for day in range(5)},
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_staff_add_a_merchant_with_its_hours_amenities_and_offer(english, tree, staff_a, media):
    english.force_login(staff_a)
    response = english.post(reverse("stations:add"), details(tree.community_a), follow=True)
    assert "Added 老商丘烩面馆." in response.text
    station = Station.objects.get()
    assert station.hours == {str(day): [["09:00", "21:00"]] for day in range(5)}
    assert station.services == ["legal_aid"]
    assert sorted(station.amenities.values_list("amenity", flat=True)) == [
        "drinking_water",
        "phone_charging",
    ]
    assert (station.offer, station.contact_phone, station.created_by) == (
        "小哥套餐 7折",
        "03703216789",
        staff_a,
    )


def test_a_closing_time_before_the_opening_time_is_saved_as_open_past_midnight(
    english, tree, staff_a, media
):
    english.force_login(staff_a)
    english.post(
        reverse("stations:add"), details(tree.community_a, open_5="22:00", close_5="02:00")
    )
    assert Station.objects.get().hours["5"] == [["22:00", "02:00"]]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"open_0": "25:00"}, "open_0", "Enter a valid time."),
        ({"close_1": ""}, "close_1", "Enter both the opening and the closing time, or neither."),
        ({"close_2": "09:00"}, "close_2", "tick “open 24 hours” instead"),
        ({"offer": " "}, "offer", "Say what the merchant offers riders."),
        ({"temporarily_closed": "on"}, "closure_reason", "Say why the station is closed."),
        ({"longitude": ""}, "longitude", "Enter both the latitude and the longitude, or neither."),
        ({"latitude": "60"}, "latitude", "less than or equal to 54"),
        ({"contact_phone": "12345"}, "contact_phone", "Enter a mobile number or a landline"),
        (
            {f"{edge}_{day}": "" for edge in ("open", "close") for day in range(5)},
            "__all__",
            "Enter the opening hours of at least one day, or tick “open 24 hours”.",
        ),
    ],
)
def test_bad_station_input_gets_a_message_and_saves_nothing(
    english, tree, staff_a, overrides, field, message
):
    english.force_login(staff_a)
    response = english.post(reverse("stations:add"), details(tree.community_a, **overrides))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert message in response.text.replace("&#x27;", "'")
    assert not Station.objects.exists()


def test_an_offer_is_dropped_for_a_station_that_is_no_merchant(english, tree, staff_a, media):
    english.force_login(staff_a)
    english.post(
        reverse("stations:add"),
        details(
            tree.community_a,
            kind="warm_station",
            open_24h="on",
            temporarily_closed="on",
            closure_reason="装修中",
        ),
    )
    station = Station.objects.get()
    assert (station.offer, station.open_24h, station.closure_reason) == ("", True, "装修中")


def test_staff_cannot_put_a_station_outside_their_scope(english, tree, staff_a):
    english.force_login(staff_a)
    response = english.post(reverse("stations:add"), details(tree.community_b))
    assert "Select a valid choice" in " ".join(response.context["form"].errors["area"])
    assert list(response.context["form"].fields["area"].queryset) == [tree.community_a]
    assert not Station.objects.exists()


def test_editing_keeps_the_token_and_syncs_the_amenities(english, station_a, staff_a):
    services.save_station(station_a, ["toilet", "wifi"], by=staff_a)
    english.force_login(staff_a)
    form = english.get(reverse("stations:edit", args=[station_a.id])).context["form"]
    assert sorted(form["amenities"].value()) == ["toilet", "wifi"]
    english.post(
        reverse("stations:edit", args=[station_a.id]),
        details(
            station_a.area, name="建设路驿站", kind="warm_station", amenities=["wifi", "fridge"]
        ),
    )
    station = Station.objects.get()
    assert (station.name, station.token) == ("建设路驿站", station_a.token)
    assert sorted(station.amenities.values_list("amenity", flat=True)) == ["fridge", "wifi"]


def test_every_change_to_a_station_shows_in_its_history_with_who_and_what(
    client, station_a, staff_a
):
    client.force_login(staff_a)
    client.post(
        reverse("stations:edit", args=[station_a.id]),
        details(station_a.area, name="建设路驿站", kind="warm_station", offer="",
                temporarily_closed="on", closure_reason="装修中"),
    )  # fmt: skip
    client.post(reverse("stations:rotate", args=[station_a.id]), {"confirm": "on"})
    page = client.get(reverse("stations:detail", args=[station_a.id]))
    kinds = [event.kind for event in page.context["events"]]
    assert kinds == ["token_rotated", "updated"]
    updated = page.context["events"][1]
    assert updated.actor == staff_a
    assert updated.changes["temporarily_closed"] == [False, True]
    history = page.text[page.text.index("station-history") :]
    assert "暂停开放: <del>否</del> → 是" in history
    assert "二维码已更换" in history and "张敏" in history


def test_the_sibling_communitys_staff_get_404_for_a_station(client, station_a, staff_b):
    client.force_login(staff_b)
    for name in ["stations:detail", "stations:edit", "stations:qr_png", "stations:poster"]:
        assert client.get(reverse(name, args=[station_a.id])).status_code == 404
    rotate = reverse("stations:rotate", args=[station_a.id])
    assert client.post(rotate, {"confirm": "on"}).status_code == 404
    assert Station.objects.get().token == station_a.token


def test_the_list_filters_by_kind_area_and_closure_and_shows_compliance(
    english, tree, staff_a, official
):
    StationFactory(name="甲驿站", area=tree.community_a)
    closed = StationFactory(
        name="乙商户", kind="merchant", area=tree.community_b, temporarily_closed=True
    )
    StationFactory(name="丙驿站", area=tree.community_c)
    services.set_standard(closed, StandardItem.objects.all()[:3], by=None)
    english.force_login(official)
    url = reverse("stations:list")
    response = english.get(url)
    assert names(response) == ["乙商户", "甲驿站"]
    assert [s.compliance for s in response.context["page"].object_list] == [33, 0]
    assert "33%" in response.text
    assert names(english.get(url, {"kind": "merchant"})) == ["乙商户"]
    assert names(english.get(url, {"area": tree.street.id})) == ["乙商户", "甲驿站"]
    assert names(english.get(url, {"temporarily_closed": "true"})) == ["乙商户"]
    assert names(english.get(url, {"q": "甲"})) == ["甲驿站"]
    assert "Add a station" not in response.text  # officials read


def test_the_list_costs_the_same_queries_for_few_or_many_stations(
    client, tree, staff_a, django_assert_max_num_queries
):
    client.force_login(staff_a)
    items = list(StandardItem.objects.all())
    StationFactory.create_batch(2, area=tree.community_a)
    for station in Station.objects.all():
        services.set_standard(station, items[:5], by=staff_a)
    # session, user, its second factor, its area, area choices, active items, count, rows,
    # navigation badges
    with django_assert_max_num_queries(12):
        client.get(reverse("stations:list"))
    for station in StationFactory.create_batch(40, area=tree.community_a):
        services.set_standard(station, items, by=staff_a)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("stations:list"))
    assert len(response.context["page"].object_list) == 42


def test_the_detail_page_shows_the_qr_code_and_its_downloads(english, station_a, staff_a):
    english.force_login(staff_a)
    response = english.get(reverse("stations:detail", args=[station_a.id]))
    assert services.landing_url(station_a) in response.text
    png = english.get(reverse("stations:qr_png", args=[station_a.id]))
    assert png["Content-Type"] == "image/png"
    assert Image.open(BytesIO(b"".join(png.streaming_content))).format == "PNG"
    svg = english.get(reverse("stations:qr_svg", args=[station_a.id]), {"download": "1"})
    assert svg["Content-Type"] == "image/svg+xml"
    assert svg["Content-Disposition"].startswith("attachment")


def test_a_code_not_made_yet_is_not_served(english, tree, staff_a):
    station = StationFactory(area=tree.community_a)
    english.force_login(staff_a)
    assert english.get(reverse("stations:qr_png", args=[station.id])).status_code == 404
    response = english.get(reverse("stations:detail", args=[station.id]))
    assert "The QR code is being made" in response.text


def test_replacing_the_code_needs_the_confirmation(
    english, station_a, staff_a, django_capture_on_commit_callbacks
):
    english.force_login(staff_a)
    url = reverse("stations:rotate", args=[station_a.id])
    response = english.post(url, follow=True)
    assert "Tick the box to confirm that the old posters go." in response.text
    assert not RetiredToken.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = english.post(url, {"confirm": "on"}, follow=True)
    assert "The station has a new QR code." in response.text
    station = Station.objects.get()
    assert RetiredToken.objects.get().token == station_a.token
    assert station.qr_token == station.token != station_a.token


def test_staff_tick_the_standard_items_and_see_the_percentage(english, station_a, staff_a):
    items = list(StandardItem.objects.all())
    english.force_login(staff_a)
    url = reverse("stations:standard", args=[station_a.id])
    english.post(url, {"items": [item.id for item in items[:6]]})
    response = english.get(reverse("stations:detail", args=[station_a.id]))
    assert "66% met" in response.text
    english.post(url, {"items": [item.id for item in items]})
    assert services.compliance(station_a) == 100
    english.post(url, {"items": ["999"]})
    assert services.compliance(station_a) == 100  # a bad item changes nothing


def jpeg(size=(80, 60)) -> SimpleUploadedFile:
    buffer = BytesIO()
    Image.new("RGB", size, "orange").save(buffer, "JPEG")
    return SimpleUploadedFile("door.jpg", buffer.getvalue(), content_type="image/jpeg")


def test_staff_upload_and_delete_photos(
    english, station_a, staff_a, django_capture_on_commit_callbacks
):
    english.force_login(staff_a)
    response = english.post(
        reverse("stations:photo_add", args=[station_a.id]),
        {"image": jpeg(), "caption": "门口"},
        follow=True,
    )
    assert "Added the photo." in response.text
    photo = StationPhoto.objects.get()
    assert photo.caption == "门口"
    with django_capture_on_commit_callbacks(execute=True):  # the file goes once the row has
        english.post(reverse("stations:photo_delete", args=[photo.id]))
    assert not StationPhoto.objects.exists()
    assert not photo.image.storage.exists(photo.image.name)


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("door.jpg", b"not an image"), "Upload a valid image"),
        ("big", "The photo is too large: at most 5 MB."),
    ],
)
def test_a_bad_photo_is_refused_with_a_message(
    english, station_a, staff_a, monkeypatch, upload, message
):
    if upload == "big":
        upload = jpeg()
        monkeypatch.setattr("stations.forms.PHOTO_MAX_BYTES", upload.size - 1)
    english.force_login(staff_a)
    response = english.post(
        reverse("stations:photo_add", args=[station_a.id]), {"image": upload}, follow=True
    )
    assert message in response.text
    assert not StationPhoto.objects.exists()


def test_the_sibling_communitys_staff_cannot_delete_a_photo(client, station_a, staff_b):
    photo = StationPhotoFactory(station=station_a)
    client.force_login(staff_b)
    assert client.post(reverse("stations:photo_delete", args=[photo.id])).status_code == 404
    assert StationPhoto.objects.exists()


def test_the_poster_shows_the_name_the_code_and_what_a_rider_can_do(english, station_a, staff_a):
    english.force_login(staff_a)
    response = english.get(reverse("stations:poster", args=[station_a.id]))
    assert "建设路暖心驿站" in response.text
    assert reverse("stations:qr_png", args=[station_a.id]) in response.text
    assert "Scan with WeChat to" in response.text
    assert "css/poster.css" in response.text
    assert 'class="portal-navbar' not in response.text  # no staff chrome on a poster


def test_the_area_posters_print_every_station_of_the_area(
    english, tree, station_a, official, django_assert_max_num_queries
):
    StationFactory(name="平原路商户", kind="merchant", offer="免费热水", area=tree.community_b)
    StationFactory(name="文化路驿站", area=tree.community_c)
    english.force_login(official)
    with django_assert_max_num_queries(9):
        response = english.get(reverse("stations:posters", args=[tree.street.code]))
    assert [s.name for s in response.context["stations"]] == ["平原路商户", "建设路暖心驿站"]
    assert response.text.count('<article class="poster">') == 2
    assert "免费热水" in response.text


def test_an_official_reads_the_station_without_the_forms_that_change_it(
    english, station_a, official
):
    first, *_ = StandardItem.objects.all()
    services.set_standard(station_a, [first], by=None)
    english.force_login(official)
    response = english.get(reverse("stations:detail", args=[station_a.id]))
    assert f"✓ {first.name}" in response.text
    assert "11% met" in response.text
    for name in ["stations:rotate", "stations:standard", "stations:photo_add", "stations:edit"]:
        assert reverse(name, args=[station_a.id]) not in response.text
    assert reverse("stations:qr_png", args=[station_a.id]) in response.text
