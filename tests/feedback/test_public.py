"""The rider's side of the loop: the suggestion form, the tracking page, rating and reopening."""

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import ExifTags, Image

from feedback import services
from feedback.models import Event, State, Suggestion, SuggestionPhoto
from stations.services import rotate_token
from tests.factories import StationFactory, SuggestionFactory
from tests.riders import sign_in_rider

pytestmark = pytest.mark.django_db


@pytest.fixture
def english(client, settings):
    """A client that reads the pages in English, the msgids these tests assert."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def station(tree, media):
    return StationFactory(name="建设路暖心驿站", area=tree.community_a, address="建设路 88 号")


def station_form(station, query=""):
    return reverse("feedback:station_suggest", args=[station.token]) + query


def online_form(tree):
    return reverse("feedback:suggest") + f"?community={tree.community_a.code}"


def photo(name="photo.jpg", size=(64, 48), **save) -> SimpleUploadedFile:
    buffer = BytesIO()
    Image.new("RGB", size, "red").save(buffer, "JPEG", **save)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def data(**overrides):
    return {"category": "hazard", "text": "建设路口井盖缺失，晚上看不见", **overrides}


def errors(response) -> str:
    return " ".join(str(e) for field in response.context["form"].errors.values() for e in field)


# The form ----------------------------------------------------------------------------------------


def test_from_the_home_page_the_rider_first_taps_down_to_their_community(english, tree):
    home = english.get(reverse("home"))
    assert reverse("feedback:suggest") in home.text
    assert reverse("feedback:track_lookup") in home.text

    first = english.get(reverse("feedback:suggest"))
    assert "Make a suggestion" in first.text
    assert [area.name for area in first.context["choices"]] == ["梁园区", "睢阳区"]
    communities = english.get(reverse("feedback:suggest"), {"area": tree.district.code})
    assert f'href="?community={tree.community_a.code}"' in communities.text
    assert f'href="{reverse("feedback:suggest")}"' in communities.text  # start again: here

    form = english.get(online_form(tree))
    assert "It goes to 建设路社区" in form.text
    assert 'accept="image/*" multiple id="id_photos"' in form.text


def test_registration_keeps_its_own_title_and_start_again_link(english, tree):
    response = english.get(reverse("registry:register"), {"area": tree.district.code})
    assert "Register with your community" in response.text
    assert f'href="{reverse("registry:register")}"' in response.text


def test_the_station_form_names_the_station_and_hazard_is_preselected_from_the_link(
    english, station
):
    response = english.get(station_form(station, "?category=hazard"))
    assert response.status_code == 200
    assert "From 建设路暖心驿站" in response.text
    assert 'value="hazard" class="btn-check" id="id_category_2" required checked' in response.text
    plain = english.get(station_form(station))
    assert 'value="suggestion" class="btn-check" id="id_category_0" required checked' in plain.text
    # The location button is filled by a static script (the CSP forbids inline ones).
    assert "feedback/locate.js" in plain.text
    assert "<script>" not in plain.text


def test_a_hazard_from_a_station_gets_a_tracking_code_and_the_stations_place(english, station):
    response = english.post(station_form(station), data(mobile="138 0000 0001", name="张三"))

    suggestion = Suggestion.objects.get()
    assert response.status_code == 302
    assert response["Location"] == (
        reverse("feedback:track", args=[suggestion.tracking_code]) + "?filed=1"
    )
    assert (suggestion.channel, suggestion.station, suggestion.area) == (
        "qr_code",
        station,
        station.area,
    )
    assert (str(suggestion.latitude), str(suggestion.longitude)) == ("34.414000", "115.656000")
    assert suggestion.address == "建设路 88 号"
    assert suggestion.mobile == "13800000001"
    assert suggestion.events.get().kind == Event.Kind.SUBMITTED

    page = english.get(response["Location"])
    code = suggestion.tracking_code
    assert "Thank you: your suggestion is filed" in page.text
    assert f'<p class="tracking-code">{code[:5]} {code[5:]}</p>' in page.text
    assert f"http://testserver/track/{code}/" in page.text


def test_a_station_moved_or_its_code_replaced_is_seen_at_once_by_the_next_suggestion(
    english, station, tree, staff_a
):
    english.post(station_form(station), data())
    station.area = tree.community_b
    station.save()
    english.post(station_form(station), data())
    assert [s.area for s in Suggestion.objects.order_by("pk")] == [
        tree.community_a,
        tree.community_b,
    ]
    old_form = station_form(station)
    rotate_token(station, staff_a)
    assert english.post(old_form, data()).status_code == 410
    assert Suggestion.objects.count() == 2


def test_the_browsers_location_wins_over_the_stations(english, station):
    english.post(station_form(station), data(latitude="34.4141234567", longitude="115.6512346"))
    suggestion = Suggestion.objects.get()
    assert (str(suggestion.latitude), str(suggestion.longitude)) == ("34.414123", "115.651235")


@pytest.mark.parametrize(
    ("latitude", "longitude"), [("abc", "115.6"), ("91", "115.6"), ("NaN", "1"), ("34.4", "")]
)
def test_a_location_that_is_no_position_is_dropped_not_shown_as_an_error(
    english, tree, latitude, longitude
):
    response = english.post(online_form(tree), data(latitude=latitude, longitude=longitude))
    assert response.status_code == 302
    suggestion = Suggestion.objects.get()
    assert suggestion.latitude is None and suggestion.longitude is None


def test_an_anonymous_suggestion_from_the_website_goes_to_the_chosen_community(english, tree):
    response = english.post(online_form(tree), data(category="suggestion"))
    assert response.status_code == 302
    suggestion = Suggestion.objects.get()
    assert (suggestion.channel, suggestion.area, suggestion.station) == (
        "online",
        tree.community_a,
        None,
    )
    assert suggestion.is_anonymous


def test_photos_are_stored_re_encoded_without_their_exif(
    english, station, django_capture_on_commit_callbacks, eager_tasks
):
    exif = Image.Exif()
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitude] = (34.0, 24.0, 50.0)
    with django_capture_on_commit_callbacks(execute=True):  # the photos processed (eager)
        english.post(station_form(station), data(photos=[photo(exif=exif), photo("second.jpg")]))
    stored = SuggestionPhoto.objects.filter(suggestion=Suggestion.objects.get())
    assert stored.count() == 2
    for row in stored:
        with row.image.open() as file:
            assert not Image.open(file).getexif()
        assert row.thumbnail.name.endswith(".jpg")


def nothing_stored():
    return not Suggestion.objects.exists() and not SuggestionPhoto.objects.exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Write what happened or what you need."),
        ("   ", "Write what happened or what you need."),
        ("路" * 5000, "Keep it to 4000 characters or fewer (you wrote 5000)."),
    ],
)
def test_an_empty_or_too_long_text_gets_a_clear_message_and_nothing_is_stored(
    english, station, text, message
):
    response = english.post(station_form(station), data(text=text))
    assert response.status_code == 200
    assert message in errors(response)
    assert nothing_stored()


def test_a_fourth_photo_is_refused_and_nothing_is_stored(english, station):
    photos = [photo(f"{n}.jpg") for n in range(4)]
    response = english.post(station_form(station), data(photos=photos))
    assert "Send at most 3 photos (you chose 4)." in errors(response)
    assert nothing_stored()


def test_a_text_file_named_jpg_is_refused_and_nothing_is_stored(english, station):
    fake = SimpleUploadedFile("photo.jpg", b"not a picture\n" * 50, content_type="image/jpeg")
    response = english.post(station_form(station), data(photos=[photo(), fake]))
    assert "“photo.jpg” is not a photo we can read" in errors(response)
    assert nothing_stored()


def test_an_oversize_photo_is_refused(english, station, settings):
    settings.FEEDBACK_PHOTO_MAX_BYTES = 500
    response = english.post(station_form(station), data(photos=[photo(size=(300, 200))]))
    assert "is larger than" in errors(response)
    assert nothing_stored()


def test_a_mobile_is_checked_as_registration_checks_it(english, station):
    response = english.post(station_form(station), data(mobile="12345"))
    assert "Enter an 11-digit mainland mobile number starting with 13 to 19." in errors(response)
    assert nothing_stored()


def test_the_form_says_what_name_and_mobile_are_for(english, station):
    text = english.get(station_form(station)).text
    assert "You may stay anonymous." in text
    assert "only the staff handling your suggestion see them" in text


def test_a_robot_filling_the_hidden_field_gets_a_polite_page_and_nothing_is_stored(
    english, station
):
    form = english.get(station_form(station))
    assert '<div class="honeypot" aria-hidden="true">' in form.text
    response = english.post(station_form(station), data(website="http://spam.example"))
    assert response.status_code == 200
    assert "Thank you" in response.text
    assert nothing_stored()


def test_a_flood_from_one_address_gets_a_polite_429_and_nothing_more_is_stored(
    english, station, limit
):
    limit("suggest:address", 2)
    for _ in range(2):
        assert english.post(station_form(station), data()).status_code == 302
    response = english.post(station_form(station), data(photos=[photo()]))
    assert response.status_code == 429
    assert "Please wait a while" in response.text
    assert Suggestion.objects.count() == 2
    assert not SuggestionPhoto.objects.exists()


def test_one_mobile_is_limited_too_whatever_the_address(english, station, limit):
    limit("suggest:mobile", 1)
    url = station_form(station)
    assert english.post(url, data(mobile="13800000001")).status_code == 302
    refused = english.post(url, data(mobile="13800000001"), REMOTE_ADDR="10.0.0.9")
    assert refused.status_code == 429
    assert english.post(url, data(mobile="13800000002")).status_code == 302
    assert english.post(url, data()).status_code == 302  # anonymous: the address limit only
    assert Suggestion.objects.count() == 3


def test_an_unknown_or_replaced_station_code_has_no_form(english, station):
    assert english.get(reverse("feedback:station_suggest", args=["nope"])).status_code == 404


# Tracking ----------------------------------------------------------------------------------------


def track(client, suggestion, **extra):
    return client.get(reverse("feedback:track", args=[suggestion.tracking_code]), **extra)


@pytest.fixture
def publish_results():
    """Whether alice shows the department's result on the tracking page when she resolves."""
    return False


@pytest.fixture
def resolved(tree, staff_a, department_x, handler, worker_a, publish_results):
    """A hazard from worker_a (signed in, named, with a mobile), worked through by alice and
    hank."""
    suggestion = services.submit(
        {"category": "hazard", "text": "井盖缺失", "name": "张三", "mobile": worker_a.mobile},
        channel="qr_code",
        area=tree.community_a,
        worker=worker_a,
    )
    services.accept(suggestion, version=suggestion.version, by=staff_a, note="已核实")
    task = services.add_task(
        suggestion,
        department_x,
        instructions="请尽快补装井盖，张敏",
        due_on=timezone.localdate(),
        by=staff_a,
    )
    services.add_note(task, "王强已联系施工队", by=handler)
    services.complete_task(task, result="已补装井盖", by=handler)
    suggestion.refresh_from_db()
    reply = "井盖已补装，感谢反映"
    services.resolve(
        suggestion,
        version=suggestion.version,
        reply=reply,
        by=staff_a,
        publish_results=publish_results,
    )
    return suggestion


def test_the_tracking_page_shows_the_public_history_without_staff_or_the_submitter(
    english, resolved
):
    response = track(english, resolved)
    text = response.text
    assert response.status_code == 200
    assert "Hazard snapshot" in text
    assert "Resolved" in text
    assert "井盖已补装，感谢反映" in text  # the reply
    assert "Task assigned to a department" in text
    # What the department wrote is for staff: alice did not publish it.
    assert "Task done" not in text and "已补装井盖<" not in text
    # Staff names, internal notes and the submitter's own details are not there.
    for private in ("张敏", "王强", "alice", "hank", "王强已联系施工队", "张三", "13800000001"):
        assert private not in text, private
    assert "请尽快补装井盖" not in text  # a task's instructions are for the department


@pytest.mark.parametrize("publish_results", [True])
def test_the_departments_result_is_shown_once_staff_published_it(english, resolved):
    text = track(english, resolved).text
    assert "Task done" in text and "梁园区市场监管局: 已补装井盖" in text
    assert "王强" not in text and "hank" not in text


def test_text_is_shown_escaped(english, tree):
    suggestion = SuggestionFactory(area=tree.community_a, text="<script>alert(1)</script>")
    text = track(english, suggestion).text
    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_only_visible_photos_are_shown(
    english, station, staff_a, django_capture_on_commit_callbacks, eager_tasks
):
    with django_capture_on_commit_callbacks(execute=True):  # the photos processed (eager)
        english.post(station_form(station), data(photos=[photo(), photo("b.jpg")]))
    suggestion = Suggestion.objects.get()
    shown, hidden = suggestion.photos.all()
    services.hide_photo(hidden, by=staff_a)
    text = track(english, suggestion).text
    code = suggestion.tracking_code
    assert reverse("feedback:track_photo", args=[code, shown.thumbnail_file]) in text
    assert reverse("feedback:track_photo", args=[code, shown.image_file]) in text
    assert hidden.thumbnail_file not in text and hidden.image_file not in text
    assert "/media/" not in text


def test_a_duplicate_says_which_report_it_follows_and_shows_that_ones_outcome(
    english, resolved, tree, staff_a
):
    duplicate = SuggestionFactory(area=tree.community_a, text="建设路井盖没了")
    services.mark_duplicate(duplicate, resolved, version=duplicate.version, by=staff_a)
    text = track(english, duplicate).text
    assert f"It follows the earlier report {resolved.tracking_code}" in text
    assert "Duplicate" in text
    assert "井盖已补装，感谢反映" in text
    assert "Resolved" in text and "Task done" not in text  # not published
    assert "张敏" not in text and "王强" not in text
    assert "Send my rating" not in text  # only the original's submitter rates


def test_the_tracking_page_takes_a_constant_number_of_queries(
    english, tree, django_assert_max_num_queries
):
    def suggestion_with(events):
        suggestion = SuggestionFactory(area=tree.community_a)
        Event.objects.bulk_create(
            Event(suggestion=suggestion, kind=Event.Kind.TASK_NOTE, text=f"进展 {n}")
            for n in range(events)
        )
        return suggestion

    for events in (5, 50):
        suggestion = suggestion_with(events)
        with django_assert_max_num_queries(3):
            assert track(english, suggestion).status_code == 200


def test_the_code_is_found_in_any_case_with_spaces_or_dashes(english, resolved):
    code = resolved.tracking_code
    typed = f" {code[:5].lower()}-{code[5:]} "
    response = english.get(reverse("feedback:track_lookup"), {"code": typed})
    assert response.status_code == 302
    assert response["Location"] == reverse("feedback:track", args=[code])
    assert english.get(reverse("feedback:track", args=[code.lower()])).status_code == 200


def test_a_code_typed_in_full_width_characters_is_found(english, resolved):
    """A Chinese input method types ＡＢＣ２３４; the ideographic space and dash come with it."""
    code = resolved.tracking_code
    wide = "".join(chr(ord(character) + 0xFEE0) for character in code)
    typed = f"\u3000{wide[:5].lower()}－{wide[5:]}"
    response = english.get(reverse("feedback:track_lookup"), {"code": typed})
    assert response.status_code == 302
    assert response["Location"] == reverse("feedback:track", args=[code])


def test_an_unknown_code_gets_a_message_and_guessing_is_stopped(english, resolved):
    response = english.get(reverse("feedback:track_lookup"), {"code": "ABCDEFGHJK"})
    assert "No suggestion has this code." in response.text
    assert english.get(reverse("feedback:track", args=["ABCDEFGHJK"])).status_code == 404
    for _ in range(28):
        english.get(reverse("feedback:track", args=["ABCDEFGHJK"]))
    # Past 30 unknown codes from one address, even a right code is refused for a while.
    assert track(english, resolved).status_code == 429
    lookup = english.get(reverse("feedback:track_lookup"), {"code": resolved.tracking_code})
    assert lookup.status_code == 429
    assert track(english, resolved, REMOTE_ADDR="10.0.0.9").status_code == 200


def test_the_lookup_asks_for_a_code(english):
    assert english.get(reverse("feedback:track_lookup")).status_code == 200
    response = english.get(reverse("feedback:track_lookup"), {"code": ""})
    assert "Enter the tracking code you were given." in response.text


# Rating and reopening ----------------------------------------------------------------------------


def rate(client, suggestion, **form):
    return client.post(reverse("feedback:rate", args=[suggestion.tracking_code]), form)


def reopen(client, suggestion, **form):
    return client.post(reverse("feedback:reopen", args=[suggestion.tracking_code]), form)


def test_a_resolved_suggestion_is_rated_once(english, resolved):
    assert "Send my rating" in track(english, resolved).text
    response = rate(english, resolved, rating="4", comment="修得很快")
    assert response.status_code == 302
    resolved.refresh_from_db()
    assert (resolved.state, resolved.rating, resolved.rating_comment) == ("closed", 4, "修得很快")

    page = english.get(response["Location"])
    assert "Thank you for rating the outcome." in page.text
    assert "You rated the outcome 4 of 5." in page.text
    assert "Send my rating" not in page.text

    again = english.get(rate(english, resolved, rating="1")["Location"])
    assert "This cannot be done to a suggestion that is “Closed”." in again.text
    resolved.refresh_from_db()
    assert resolved.rating == 4


def test_a_rating_out_of_range_is_refused_with_a_message(english, resolved):
    response = rate(english, resolved, rating="9")
    assert response.status_code == 200
    assert "Choose from 1 to 5 stars." in response.text
    resolved.refresh_from_db()
    assert resolved.state == State.RESOLVED


def test_not_solved_reopens_it_for_assessment_with_the_riders_words(english, resolved):
    response = reopen(english, resolved, comment="井盖又被偷了")
    assert response.status_code == 302
    resolved.refresh_from_db()
    assert resolved.state == State.SUBMITTED
    event = resolved.events.last()
    assert (event.kind, event.text, event.actor) == ("reopened", "井盖又被偷了", None)
    page = english.get(response["Location"])
    assert "Community staff will look at it again." in page.text
    assert "Send my rating" not in page.text


def test_not_solved_needs_a_comment_and_changes_nothing_without_one(english, resolved):
    response = reopen(english, resolved, comment="  ")
    assert "Say what is still wrong" in response.text
    resolved.refresh_from_db()
    assert resolved.state == State.RESOLVED


def test_a_suggestion_that_is_not_resolved_cannot_be_rated_or_reopened(english, suggestion_a):
    page = english.get(rate(english, suggestion_a, rating="5")["Location"])
    assert "This cannot be done to a suggestion that is “Waiting for assessment”." in page.text
    reopen(english, suggestion_a, comment="没解决")
    suggestion_a.refresh_from_db()
    assert suggestion_a.state == State.SUBMITTED and suggestion_a.rating is None


@pytest.mark.services
def test_on_postgresql_and_redis_the_limits_bite_and_the_tracking_page_stays_small(
    english, station, limit, django_assert_max_num_queries
):
    limit("suggest:address", 1)
    assert english.post(station_form(station), data(photos=[photo()])).status_code == 302
    assert english.post(station_form(station), data()).status_code == 429
    suggestion = Suggestion.objects.get()
    with django_assert_max_num_queries(3):
        assert track(english, suggestion).status_code == 200
    for _ in range(30):
        english.get(reverse("feedback:track", args=["ABCDEFGHJK"]))
    assert track(english, suggestion).status_code == 429


def test_a_signed_in_rider_finds_name_and_mobile_filled_in_and_files_as_themselves(
    client, station, worker_a
):
    sign_in_rider(client, worker_a)
    form = client.get(station_form(station, "?category=hazard")).context["form"]
    assert (form.initial["name"], form.initial["mobile"]) == (worker_a.name, worker_a.mobile)
    assert form.initial["category"] == "hazard"
    response = client.post(station_form(station), data(name=worker_a.name, mobile=worker_a.mobile))
    assert response.status_code == 302
    assert Suggestion.objects.get().worker == worker_a  # an accepted hazard earns them points


def test_a_typed_mobile_of_someone_else_files_as_no_one(client, station, worker_a):
    response = client.post(station_form(station), data(name="路人", mobile=worker_a.mobile))
    assert response.status_code == 302
    assert Suggestion.objects.get().worker is None
    page = client.get(station_form(station)).text
    assert reverse("registry:sign_in") in page  # the way to earn points: sign in
