"""feedback.photos: what a rider's upload becomes (prepare, in the task), and what it refuses
(check, in the request, from the header; prepare, for a file damaged past it)."""

import struct
import zlib
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import ExifTags, Image

from feedback import photos
from feedback.photos import DISPLAY_SIDE, THUMBNAIL_SIDE


@pytest.fixture(autouse=True)
def english():
    """The messages in English, the msgids these tests assert."""
    with translation.override("en"):
        yield


def upload(content: bytes, name="photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/jpeg")


def image_bytes(fmt="JPEG", size=(64, 48), colour="red", mode="RGB", **save) -> bytes:
    buffer = BytesIO()
    Image.new(mode, size, colour).save(buffer, fmt, **save)
    return buffer.getvalue()


def prepare(uploaded):
    """What the request and then the task make of an upload."""
    return photos.prepare(photos.check(uploaded), uploaded.name)


def opened(content_file) -> Image.Image:
    content_file.seek(0)
    return Image.open(BytesIO(content_file.read()))


def refusal(content: bytes, name="photo.jpg") -> str:
    with pytest.raises(ValidationError) as refused:
        prepare(upload(content, name))
    return refused.value.messages[0]


def gps_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "RiderPhone"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (34.0, 24.0, 50.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (115.0, 39.0, 21.0)
    return exif


def test_a_photo_with_gps_exif_comes_back_without_any_exif():
    content = image_bytes(exif=gps_exif(), comment=b"taken at home")
    assert ExifTags.IFD.GPSInfo in Image.open(BytesIO(content)).getexif()  # the test's premise

    prepared = prepare(upload(content))

    for copy in (prepared.display, prepared.thumbnail):
        image = opened(copy)
        assert image.format == "JPEG"
        assert not image.getexif()
        assert "exif" not in image.info
        assert "comment" not in image.info
        copy.seek(0)
        data = copy.read()
        assert b"Exif" not in data
        assert b"RiderPhone" not in data


def test_a_photo_turned_by_its_exif_orientation_comes_back_upright():
    # Stored sideways (48 wide, 64 high) with "rotate 90° clockwise to view" (orientation 6).
    sideways = Image.new("RGB", (48, 64), "white")
    sideways.paste((0, 0, 255), (0, 0, 48, 8))  # a blue band along the stored top
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    buffer = BytesIO()
    sideways.save(buffer, "JPEG", exif=exif, quality=95)

    image = opened(prepare(upload(buffer.getvalue())).display)

    assert image.size == (64, 48)  # landscape, as the rider held the phone
    red, green, blue = image.getpixel((60, 24))  # the band is now on the right
    assert blue > 200 and red < 80
    assert image.getpixel((4, 24))[0] > 200  # the left stays white


def test_a_large_photo_gets_a_display_copy_and_a_thumbnail_of_bounded_size():
    prepared = prepare(upload(image_bytes(size=(4000, 3000))))
    assert opened(prepared.display).size == (DISPLAY_SIDE, 1200)
    assert opened(prepared.thumbnail).size == (THUMBNAIL_SIDE, 240)
    assert prepared.display.name.endswith(".jpg")


def test_a_small_photo_is_not_blown_up():
    assert opened(prepare(upload(image_bytes(size=(64, 48)))).display).size == (64, 48)


@pytest.mark.parametrize(
    ("fmt", "name", "mode"),
    [("PNG", "shot.png", "RGBA"), ("WEBP", "shot.webp", "RGB"), ("HEIF", "IMG_0001.HEIC", "RGB")],
)
def test_png_webp_and_heic_are_taken_and_stored_as_jpeg(fmt, name, mode):
    prepared = prepare(upload(image_bytes(fmt, mode=mode), name))
    image = opened(prepared.display)
    assert image.format == "JPEG"
    assert image.mode == "RGB"
    assert image.size == (64, 48)


def test_a_transparent_png_gets_a_white_background():
    image = opened(prepare(upload(image_bytes("PNG", mode="RGBA", colour=(0, 0, 0, 0)))).display)
    assert min(image.getpixel((10, 10))) > 240


def test_a_text_file_named_jpg_is_refused_with_a_message():
    message = refusal(b"this is not a photo at all\n" * 20, "photo.jpg")
    assert "photo.jpg" in message
    assert "JPEG, PNG, WebP or HEIC" in message


def test_a_gif_is_refused_as_a_format_we_do_not_take():
    message = refusal(image_bytes("GIF"), "funny.gif")
    assert "GIF" in message


def test_a_file_larger_than_the_setting_is_refused_before_it_is_read(settings):
    settings.FEEDBACK_PHOTO_MAX_BYTES = 1000
    content = image_bytes(size=(400, 300), quality=100)
    assert len(content) > 1000
    assert "larger than" in refusal(content)


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims `width` × `height` pixels (a decompression bomb)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 1000))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(
    "size",
    [
        (8000, 8000),  # over FEEDBACK_PHOTO_MAX_PIXELS, under Pillow's own limit
        (100_000, 100_000),  # over Pillow's own: it refuses to open it at all
    ],
)
def test_a_decompression_bomb_is_refused_before_it_is_decoded(size):
    assert "too many pixels" in refusal(png_claiming(*size), "bomb.png")


def test_the_pixel_limit_is_the_settings(settings):
    settings.FEEDBACK_PHOTO_MAX_PIXELS = 64 * 47
    assert "too many pixels" in refusal(image_bytes(size=(64, 48)))


@pytest.mark.parametrize("fmt", ["JPEG", "HEIF"])
def test_a_truncated_photo_is_refused_as_damaged(fmt):
    content = image_bytes(fmt, size=(400, 300))
    assert "damaged or incomplete" in refusal(content[: len(content) - 20])


def test_a_heic_whose_picture_data_is_damaged_is_refused_not_a_500():
    content = bytearray(image_bytes("HEIF", size=(400, 300)))
    content[382] ^= 0xFF  # inside the coded picture: libheif reports an unexpected end (EOFError)
    assert "damaged or incomplete" in refusal(bytes(content), "IMG_0002.HEIC")
