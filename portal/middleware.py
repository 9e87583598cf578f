from django.conf import settings
from django.utils.cache import add_never_cache_headers


def no_store_with_a_session(get_response):
    """Pages seen with a session (a staff member's, a signed-in rider's, a rider halfway through
    withdrawing consent) may show personal data: no browser or proxy may keep a copy, so the
    back button after logging out, or the next person on a shared phone, finds nothing.
    Public pages without a session stay cacheable."""

    def middleware(request):
        response = get_response(request)
        if not request.session.is_empty() or settings.SESSION_COOKIE_NAME in response.cookies:
            add_never_cache_headers(response)  # no-store, no-cache, must-revalidate, private
        return response

    return middleware
