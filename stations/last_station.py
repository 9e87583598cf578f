"""The last station this phone opened: its landing page sets a cookie, and the rider header links
back to it from every rider page (`last_station` in settings' context processors).

The cookie holds the station's public QR token, nothing of the rider's; a token that is no token
(portal.converters.StationTokenConverter) is ignored, and a replaced one leads to the page that
says so. Reading it costs no query.
"""

import re

from django.conf import settings
from django.urls import reverse

from portal.converters import StationTokenConverter

COOKIE = "last_station"
MAX_AGE = 90 * 24 * 60 * 60
TOKEN = re.compile(StationTokenConverter.regex)


def remember(response, token: str) -> None:
    response.set_cookie(
        COOKIE,
        token,
        max_age=MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def url(request) -> str:
    token = request.COOKIES.get(COOKIE, "")
    if not TOKEN.fullmatch(token):
        return ""
    return reverse("stations:landing", args=[token])


def last_station(request) -> dict:
    """Context processor: `last_station_url`, empty when this phone opened no station yet."""
    return {"last_station_url": url(request)}
