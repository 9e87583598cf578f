"""A rider's photo, checked and re-encoded before it is stored.

Only the pixels survive: the photo is turned upright by its EXIF orientation, then written afresh
as JPEG without EXIF (GPS position, phone model, time), XMP or comments. Anything Pillow cannot read
as one of the accepted formats is refused with a message, and so is a file whose header promises
more pixels than settings.FEEDBACK_PHOTO_MAX_PIXELS (a decompression bomb) before it is decoded.
"""

import warnings
from io import BytesIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError
from pillow_heif import register_heif_opener

from feedback.services import PreparedPhoto

register_heif_opener()

# Pillow's names for them; MPO is how Pillow reads many phones' JPEGs (with a depth map).
ACCEPTED_FORMATS = {"JPEG", "MPO", "PNG", "WEBP", "HEIF"}
DISPLAY_SIDE = 1600
THUMBNAIL_SIDE = 320
JPEG_QUALITY = 85


def prepare(uploaded_file) -> PreparedPhoto:
    """The upload as a display-size JPEG and a thumbnail, or ValidationError saying why not."""
    name = uploaded_file.name
    if uploaded_file.size > settings.FEEDBACK_PHOTO_MAX_BYTES:
        raise ValidationError(
            _("“%(name)s” is larger than %(limit)s MB: send a smaller photo.")
            % {"name": name, "limit": settings.FEEDBACK_PHOTO_MAX_BYTES // (1024 * 1024) or 1},
            code="photo_size",
        )
    uploaded_file.seek(0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(uploaded_file) as image:
                _check_header(image, name)
                # A JPEG decodes straight at the smallest scale still as large as the display copy.
                image.draft("RGB", _fit(image.size, DISPLAY_SIDE))
                image.load()
                upright = ImageOps.exif_transpose(image)
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
    icc_profile = upright.info.get("icc_profile")
    rgb = _as_rgb(upright)
    return PreparedPhoto(
        display=_jpeg(rgb, DISPLAY_SIDE, icc_profile, "photo.jpg"),
        thumbnail=_jpeg(rgb, THUMBNAIL_SIDE, icc_profile, "thumbnail.jpg"),
    )


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
