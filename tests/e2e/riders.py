"""A rider signed in on a browser page without the texted code: the session that
tests.riders.sign_in_rider leaves, its cookie given to the browser."""

from django.conf import settings
from django.test import Client

from tests.riders import sign_in_rider


def sign_in_rider_on(page, live_server, worker):
    client = sign_in_rider(Client(), worker)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )
    return page
