"""QR code images of a URL: a PNG for the screen and posters, an SVG for print shops."""

from io import BytesIO

import qrcode
import qrcode.image.svg
from qrcode.image.pil import PilImage

# Medium error correction survives a scuffed or partly covered poster; the border is the
# four-module quiet zone scanners need.
ERROR_CORRECTION = qrcode.constants.ERROR_CORRECT_M


def _code(url: str, **options) -> bytes:
    code = qrcode.QRCode(error_correction=ERROR_CORRECTION, border=4, **options)
    code.add_data(url)
    code.make(fit=True)
    buffer = BytesIO()
    code.make_image().save(buffer)
    return buffer.getvalue()


def png(url: str) -> bytes:
    return _code(url, box_size=12, image_factory=PilImage)


def svg(url: str) -> bytes:
    return _code(url, image_factory=qrcode.image.svg.SvgPathImage)
