"""A rider's photo: checked cheaply in the request, re-encoded later by a task.

`check`, in the request, reads only the header: anything Pillow cannot read as one of the
accepted formats is refused with a message at once, and so is a file larger than
settings.FEEDBACK_PHOTO_MAX_BYTES or whose header promises more pixels than
settings.FEEDBACK_PHOTO_MAX_PIXELS (a decompression bomb). Nothing is decoded there.

`prepare`, in the task (feedback.services.photos), does the costly part: only the pixels survive,
the photo turned upright by its EXIF orientation, then written afresh as JPEG without EXIF (GPS
position, phone model, time), XMP or comments. A file damaged past its header is found there.
"""

import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from io import BytesIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError
from pillow_heif import register_heif_opener

register_heif_opener()

# Pillow's names for them; MPO is how Pillow reads many phones' JPEGs (with a depth map).
ACCEPTED_FORMATS = {"JPEG", "MPO", "PNG", "WEBP", "HEIF"}
DISPLAY_SIDE = 1600
THUMBNAIL_SIDE = 320
JPEG_QUALITY = 85


@dataclass
class PreparedPhoto:
    """An upload re-encoded without EXIF: a display-size JPEG and a thumbnail."""

    display: ContentFile
    thumbnail: ContentFile


def check(uploaded_file):
    """The upload, if its size and header are those of a photo we take; ValidationError saying
    why not. Cheap: the header is read and checked (Image.verify), no pixel is decoded."""
    name = uploaded_file.name
    if uploaded_file.size > settings.FEEDBACK_PHOTO_MAX_BYTES:
        raise ValidationError(
            _("“%(name)s” is larger than %(limit)s MB: send a smaller photo.")
            % {"name": name, "limit": settings.FEEDBACK_PHOTO_MAX_BYTES // (1024 * 1024) or 1},
            code="photo_size",
        )
    with _reading(name):
        uploaded_file.seek(0)
        with Image.open(uploaded_file) as image:
            _check_header(image, name)
            image.verify()
    uploaded_file.seek(0)
    return uploaded_file


def prepare(file, name: str) -> PreparedPhoto:
    """The photo in `file` as a display-size JPEG and a thumbnail, or ValidationError saying why
    not (named `name` in the message)."""
    with _reading(name):
        file.seek(0)
        with Image.open(file) as image:
            _check_header(image, name)
            # A JPEG decodes straight at the smallest scale still as large as the display copy.
            image.draft("RGB", _fit(image.size, DISPLAY_SIDE))
            image.load()
            upright = ImageOps.exif_transpose(image)
    icc_profile = upright.info.get("icc_profile")
    rgb = _as_rgb(upright)
    return PreparedPhoto(
        display=_jpeg(rgb, DISPLAY_SIDE, icc_profile, "photo.jpg"),
        thumbnail=_jpeg(rgb, THUMBNAIL_SIDE, icc_profile, "thumbnail.jpg"),
    )


@contextmanager
def _reading(name: str):
    """Pillow's complaints about a file, as the ValidationError a rider reads."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            yield
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise _too_many_pixels(name) from error
        except (UnidentifiedImageError, SyntaxError) as error:
            raise ValidationError(
                _("“%(name)s” is not a photo we can read. Send a JPEG, PNG, WebP or HEIC picture.")
                % {"name": name},
                code="photo_format",
            ) from error
        except (OSError, ValueError, EOFError) as error:
            # A file cut short ("image file is truncated") or damaged; libheif says EOFError.
            raise ValidationError(
                _("“%(name)s” is damaged or incomplete. Take or choose the photo again.")
                % {"name": name},
                code="photo_damaged",
            ) from error


def _check_header(image, name: str) -> None:
    if image.format not in ACCEPTED_FORMATS:
        raise ValidationError(
            _(
                "“%(name)s” is a %(format)s file. Send a JPEG, PNG, WebP or HEIC picture: a "
                "phone's camera photos are one of these."
            )
            % {"name": name, "format": image.format},
            code="photo_format",
        )
    if image.width * image.height > settings.FEEDBACK_PHOTO_MAX_PIXELS:
        raise _too_many_pixels(name)


def _too_many_pixels(name: str) -> ValidationError:
    return ValidationError(
        _("“%(name)s” has too many pixels to take in. Send a smaller photo or a screenshot of it.")
        % {"name": name},
        code="photo_pixels",
    )


def _fit(size: tuple[int, int], side: int) -> tuple[int, int]:
    """`size` scaled down so its longer side is at most `side`."""
    scale = min(1, side / max(size))
    return max(1, round(size[0] * scale)), max(1, round(size[1] * scale))


def _as_rgb(image):
    """RGB pixels only; transparency becomes white, as a JPEG has none."""
    if image.mode in ("RGBA", "LA", "P", "PA"):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, "white")
        background.paste(image, mask=image.getchannel("A"))
        return background
    return image.convert("RGB")


def _jpeg(image, side: int, icc_profile, name: str) -> ContentFile:
    copy = image.copy()
    copy.thumbnail((side, side), Image.Resampling.LANCZOS)
    # Nothing of the upload's metadata is carried over: Pillow copies a JPEG comment from `info`.
    copy.info = {}
    buffer = BytesIO()
    copy.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, icc_profile=icc_profile)
    return ContentFile(buffer.getvalue(), name=name)
