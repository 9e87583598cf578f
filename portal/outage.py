"""What a request that cannot go on without Redis, or without the object store, answers while it
is unreachable."""

import logging

from botocore.exceptions import BotoCoreError, ClientError
from django.shortcuts import render

from portal.background import REDIS_UNREACHABLE

logger = logging.getLogger(__name__)


class RedisOutage:
    """The error page with 503 and Retry-After instead of a 500, for what must fail closed:
    asking for or checking a text-message code (portal.otp keeps codes only in Redis, and a
    sign-in without one is no sign-in), and the leaderboard's cached places. What can do without
    Redis does: portal.ratelimit fails open, portal.background.enqueue logs and goes on. The log
    names the view, never the request's data."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, REDIS_UNREACHABLE):
            return None
        view = getattr(request.resolver_match, "view_name", "") or "?"
        logger.warning("%s: Redis unreachable (%s), answered 503", view, type(exception).__name__)
        response = render(request, "500.html", status=503)
        response["Retry-After"] = "60"
        return response


# What boto3 raises when the object store (S3_BUCKET) is down, unreachable, slow past S3_TIMEOUT
# or refuses: only the media storages use it.
STORE_UNREACHABLE = (BotoCoreError, ClientError)


class StoreOutage:
    """An upload or a file read while the object store is unreachable: 503 and a page that says
    so in the user's language, not a 500. Nothing is half-saved: a file is sent to the store in
    its field's pre_save, before the INSERT of its row, inside the service's transaction, so the
    failed send rolls back the row and every row saved with it (a suggestion and its photos, an
    import job); the store keeps at most a file no row names. The log names the view and the
    error's class, never the file's name or the request's data."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, STORE_UNREACHABLE):
            return None
        view = getattr(request.resolver_match, "view_name", "") or "?"
        logger.warning(
            "%s: object store unreachable (%s), answered 503", view, type(exception).__name__
        )
        response = render(request, "portal/store_down.html", status=503)
        response["Retry-After"] = "60"
        return response
