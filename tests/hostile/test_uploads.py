"""Hostile photos through the station's suggestion form, as a phone sends them: each is refused
with a message in the rider's language naming the file (and nothing is stored), or cleaned.

feedback.photos.prepare has its own tests (tests/feedback/test_photos.py); these go through the
view with the real limits: a 30 MB file against the default 10 MB, a bomb against the default
pixel limit, and the stored files read back from the storage.
"""

import struct
import zlib
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape
from PIL import ExifTags, Image

from feedback.models import Suggestion, SuggestionPhoto
from tests.factories import StationFactory
from tests.feedback.test_photos import gps_exif
from tests.hostile.strategies import (
    CJK,
    assert_clear_refusal,
    assert_never_raw,
    assert_no_server_error,
    hostile_client,
    html,
)

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


@pytest.fixture
def station(tree, media):
    return StationFactory(name="建设路暖心驿站", area=tree.community_a)


def send(station, *files):
    url = reverse("feedback:station_suggest", args=[station.token])
    data = {"category": "hazard", "text": "建设路口井盖缺失", "photos": list(files)}
    return hostile_client().post(url, data)


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/jpeg")


def jpeg(size=(640, 480), **save) -> bytes:
    buffer = BytesIO()
    Image.new("RGB", size, "red").save(buffer, "JPEG", **save)
    return buffer.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A PNG of a few hundred bytes whose header claims `width` × `height` pixels."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 1000))
        + chunk(b"IEND", b"")
    )


def refusal(response) -> str:
    """The one message about the photos, after checking the page is the form with it shown."""
    assert_no_server_error(response)
    assert response.status_code == 200
    assert_clear_refusal(response)
    (message,) = response.context["form"].errors["photos"]
    assert not Suggestion.objects.exists() and not SuggestionPhoto.objects.exists()
    return message


def test_a_30_mb_file_is_refused_with_the_limit_in_the_message(station):
    content = jpeg() + b"\x00" * (30 * MB)  # a photo with 30 MB of padding after its end
    message = refusal(send(station, upload("IMG_3000.jpg", content)))
    assert message == "“IMG_3000.jpg”超过 10 MB，请换一张小一点的照片。"


def test_a_decompression_bomb_is_refused_before_it_is_decoded(station):
    bomb = png_claiming(100_000, 100_000)  # 10 gigapixels in 300 bytes
    assert len(bomb) < 1000
    message = refusal(send(station, upload("bomb.png", bomb)))
    assert message == "“bomb.png”像素太多，无法接收。请换一张小一点的照片，或上传它的截图。"


def test_a_truncated_png_is_refused_as_damaged(station):
    buffer = BytesIO()
    Image.new("RGB", (640, 480), "red").save(buffer, "PNG")
    content = buffer.getvalue()
    message = refusal(send(station, upload("cut.png", content[: len(content) - 20])))
    assert message == "“cut.png”已损坏或不完整，请重新拍摄或选择照片。"


def test_a_truncated_jpeg_is_taken_and_recorded_on_the_timeline_once_the_task_finds_it(
    station, django_capture_on_commit_callbacks, eager_tasks
):
    # Its header is whole: only decoding it, the task's work, finds the rest missing.
    content = jpeg()
    with django_capture_on_commit_callbacks(execute=True):
        response = send(station, upload("cut.jpg", content[: len(content) // 2]))
    assert_no_server_error(response)
    assert response.status_code == 302
    (photo,) = SuggestionPhoto.objects.all()
    assert photo.state == "failed" and not photo.image and not photo.original
    event = Suggestion.objects.get().events.get(kind="photo_unreadable")
    assert event.get_kind_display() == "有一张照片无法读取"


def test_a_file_named_like_a_photo_that_is_none_is_refused_and_its_name_shown_escaped(station):
    name = '"><img src=x onerror=alert(1)>.jpg'
    response = send(station, upload(name, b"MZ\x90\x00 this is a program, not a photo" * 10))
    message = refusal(response)
    assert message.startswith(f"“{name}”不是可识别的照片")
    assert CJK.search(message)
    assert escape(name) in html(response)
    assert_never_raw(html(response), name)


def test_gps_exif_is_gone_from_both_stored_files(
    station, django_capture_on_commit_callbacks, eager_tasks
):
    content = jpeg(exif=gps_exif())
    assert ExifTags.IFD.GPSInfo in Image.open(BytesIO(content)).getexif()  # the test's premise

    with django_capture_on_commit_callbacks(execute=True):  # the photo processed (eager)
        response = send(station, upload("gps.jpg", content))

    assert_no_server_error(response)
    assert response.status_code == 302
    (photo,) = SuggestionPhoto.objects.all()
    for stored in (photo.image, photo.thumbnail):
        with stored.open("rb") as file:
            data = file.read()
        image = Image.open(BytesIO(data))
        assert image.format == "JPEG"
        assert ExifTags.IFD.GPSInfo not in image.getexif()
        assert not image.getexif()
        assert b"Exif" not in data and b"RiderPhone" not in data
