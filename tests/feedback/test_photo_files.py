"""A suggestion's photos are sent only to those who may see them (feedback.views.photos, through
portal.private_files): staff in scope, a handler of a task on it, whoever holds the tracking code
(the photos not hidden). Anyone else gets 404, as for a photo that never was.
The same under gunicorn with production settings: tests/feedback/test_photo_files_served.py."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from tests.factories import SuggestionFactory, SuggestionPhotoFactory, TaskFactory
from tests.riders import sign_in_rider

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def photos(tree, media):
    """An accepted suggestion of community A with a photo anyone with the code sees, and one a
    moderator hid."""
    suggestion = SuggestionFactory(area=tree.community_a, state="accepted")
    return (
        SuggestionPhotoFactory(suggestion=suggestion),
        SuggestionPhotoFactory(suggestion=suggestion, hidden=True),
    )


def staff_url(photo, thumbnail=False):
    return reverse("feedback:photo", args=[photo.thumbnail_file if thumbnail else photo.image_file])


def track_url(photo, code=None):
    code = code or photo.suggestion.tracking_code
    return reverse("feedback:track_photo", args=[code, photo.thumbnail_file])


def assert_private_jpeg(response, photo_file):
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content) == photo_file.open("rb").read()
    cache = response["Cache-Control"]
    assert "private" in cache and "no-store" in cache
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_rider_with_the_tracking_code_sees_the_visible_photo_and_its_thumbnail(client, photos):
    shown, _hidden = photos
    assert_private_jpeg(client.get(track_url(shown)), shown.thumbnail)
    code = shown.suggestion.tracking_code
    full = client.get(reverse("feedback:track_photo", args=[code, shown.image_file]))
    assert_private_jpeg(full, shown.image)


def test_a_hidden_photo_is_404_to_the_code_holder(client, photos):
    _shown, hidden = photos
    assert client.get(track_url(hidden)).status_code == 404


def test_another_suggestions_code_does_not_open_this_photo(client, photos, tree):
    shown, _hidden = photos
    other = SuggestionFactory(area=tree.community_a)
    assert client.get(track_url(shown, code=other.tracking_code)).status_code == 404


def test_an_unknown_photo_name_under_a_good_code_is_404(client, photos):
    shown, _hidden = photos
    url = reverse("feedback:track_photo", args=[shown.suggestion.tracking_code, "0" * 32 + ".jpg"])
    assert client.get(url).status_code == 404


def test_staff_in_scope_see_every_photo_hidden_ones_too(client, photos, staff_a, official):
    for user in (staff_a, official):
        client.force_login(user)
        for photo in photos:
            assert_private_jpeg(client.get(staff_url(photo)), photo.image)
            assert_private_jpeg(client.get(staff_url(photo, thumbnail=True)), photo.thumbnail)


@pytest.mark.parametrize("persona", ["anonymous", "rider", "staff_b", "handler"])
def test_an_outsider_gets_404_not_a_sign_in_page_or_403(client, request, photos, persona):
    if persona == "rider":
        sign_in_rider(client, request.getfixturevalue("worker_a"))
    elif persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    for photo in photos:
        response = client.get(staff_url(photo))
        assert response.status_code == 404, persona
        assert b"\xff\xd8" not in response.content  # no JPEG


def test_the_handler_of_a_task_on_the_suggestion_sees_its_visible_photos_only(
    client, photos, handler, department_x
):
    shown, hidden = photos
    TaskFactory(suggestion=shown.suggestion, department=department_x)
    client.force_login(handler)
    assert_private_jpeg(client.get(staff_url(shown)), shown.image)
    assert client.get(staff_url(hidden)).status_code == 404


def test_a_photo_whose_file_is_gone_is_404(client, photos, staff_a):
    shown, _hidden = photos
    shown.image.storage.delete(shown.image.name)
    client.force_login(staff_a)
    assert client.get(staff_url(shown)).status_code == 404


def test_behind_nginx_the_answer_is_an_internal_redirect_to_the_file(
    client, photos, staff_a, settings
):
    settings.MEDIA_ACCEL_REDIRECT = "/protected-media/"
    shown, _hidden = photos
    client.force_login(staff_a)
    response = client.get(staff_url(shown))
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/protected-media/{shown.image.name}"
    assert response["Content-Type"] == "image/jpeg"
    assert response.content == b""
    assert "no-store" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"
    # An outsider still gets 404, and no redirect to the file.
    client.logout()
    response = client.get(staff_url(shown))
    assert response.status_code == 404 and "X-Accel-Redirect" not in response


def test_the_pages_link_the_photos_through_the_checking_views_never_media(
    client, photos, staff_a, handler, department_x
):
    shown, hidden = photos
    suggestion = shown.suggestion
    task = TaskFactory(suggestion=suggestion, department=department_x)
    tracking = client.get(reverse("feedback:track", args=[suggestion.tracking_code])).text
    assert track_url(shown) in tracking and hidden.thumbnail_file not in tracking
    client.force_login(staff_a)
    staff_page = client.get(reverse("feedback:suggestion", args=[suggestion.pk])).text
    assert staff_url(shown, thumbnail=True) in staff_page
    assert staff_url(hidden, thumbnail=True) in staff_page
    client.force_login(handler)
    task_page = client.get(reverse("feedback:task", args=[task.pk])).text
    assert staff_url(shown, thumbnail=True) in task_page
    assert hidden.thumbnail_file not in task_page
    for page in (tracking, staff_page, task_page):
        assert "/media/" not in page


def test_a_media_accel_redirect_without_slashes_stops_start_up():
    environment = {**os.environ, "MEDIA_ACCEL_REDIRECT": "protected-media"}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "MEDIA_ACCEL_REDIRECT must start and end with /" in result.stderr
