"""Suggestion photos under the real web process (tests/webprocess.py: gunicorn by bin/start-web,
production settings, DEBUG off, nothing serving /media/): the tracking page's and the staff
page's photos load, and an outsider gets 404 for the same URLs."""

import re

import pytest
from django.urls import reverse

from tests.factories import SuggestionFactory, SuggestionPhotoFactory, TaskFactory
from tests.webprocess import Web, staff_cookies

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def web(tmp_path, settings):
    server = Web(tmp_path)
    settings.MEDIA_ROOT = server.media  # the factories write where the web process reads
    yield server
    server.stop()


def get(web, path, cookies=None):
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())} if cookies else {}
    return web.request_bytes("GET", path, headers=headers)


def photo_links(html: str) -> list[str]:
    """The photos' addresses on a page: the thumbnails shown and the full-size links."""
    return re.findall(r'(?:src|href)="([^"]*/photos/[^"/]+\.jpg)"', html)


def assert_photo(web, path, photo_file, cookies=None):
    status, headers, body = get(web, path, cookies)
    assert status == 200, path
    assert headers["Content-Type"] == "image/jpeg"
    assert body == photo_file.open("rb").read() and body.startswith(b"\xff\xd8")
    assert "no-store" in headers["Cache-Control"] and "private" in headers["Cache-Control"]
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_photos_load_for_the_code_holder_and_staff_and_an_outsider_gets_404(
    web, tree, staff_a, staff_b, handler, department_x
):
    suggestion = SuggestionFactory(area=tree.community_a, state="accepted")
    shown = SuggestionPhotoFactory(suggestion=suggestion)
    hidden = SuggestionPhotoFactory(suggestion=suggestion, hidden=True)
    task = TaskFactory(suggestion=suggestion, department=department_x)

    # The rider's tracking page: the visible photo, thumbnail and full size.
    status, _, page = get(web, reverse("feedback:track", args=[suggestion.tracking_code]))
    assert status == 200
    tracked = photo_links(page.decode())
    assert len(tracked) == 2
    for path in tracked:
        assert_photo(web, path, shown.thumbnail if shown.thumbnail_file in path else shown.image)

    # The staff page: both photos, the hidden one too.
    staff = staff_cookies(staff_a)
    status, _, page = get(web, reverse("feedback:suggestion", args=[suggestion.pk]), staff)
    assert status == 200
    staffed = photo_links(page.decode())
    assert len(staffed) == 4
    for photo in (shown, hidden):
        assert_photo(web, reverse("feedback:photo", args=[photo.image_file]), photo.image, staff)

    # The handler's task page: the visible photo.
    hank = staff_cookies(handler)
    status, _, page = get(web, reverse("feedback:task", args=[task.pk]), hank)
    assert status == 200
    assert len(photo_links(page.decode())) == 2
    assert_photo(web, reverse("feedback:photo", args=[shown.image_file]), shown.image, hank)

    # Outsiders: no session, the sibling community's staff, the hidden photo by code, and the
    # old /media/ address (nothing serves it with DEBUG off).
    hidden_by_code = reverse(
        "feedback:track_photo", args=[suggestion.tracking_code, hidden.image_file]
    )
    outsiders = [
        *[(path, None) for path in staffed],
        *[(path, staff_cookies(staff_b)) for path in staffed],
        (reverse("feedback:photo", args=[hidden.image_file]), hank),
        (hidden_by_code, None),
        (f"/media/{shown.image.name}", None),
        (f"/media/{shown.image.name}", staff),
    ]
    for path, cookies in outsiders:
        status, headers, body = get(web, path, cookies)
        assert status == 404, (path, cookies)
        assert not body.startswith(b"\xff\xd8")
    assert "Traceback" not in web.logged()
