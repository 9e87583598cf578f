"""What a request that cannot go on without Redis answers while Redis is unreachable."""

import logging

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
