import ipaddress
import time
from functools import cache

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.http import Http404
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from portal.ratelimit import known_address
from portal.second_factor import next_step


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


# When the staff member last made a request; written at most once a minute, not on every one.
LAST_SEEN = "portal_last_seen"


def staff_sessions_expire_when_idle(get_response):
    """A staff member's session ends after STAFF_IDLE_MINUTES without a request, so a computer
    left signed in at a community centre's front desk does not stay open all day."""

    def middleware(request):
        if request.user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN, now)
            if now - last_seen > settings.STAFF_IDLE_MINUTES * 60:
                logout(request)
                messages.info(
                    request,
                    _("You were signed out after %(minutes)s minutes without activity.")
                    % {"minutes": settings.STAFF_IDLE_MINUTES},
                )
            elif now - last_seen >= 60 or LAST_SEEN not in request.session:
                request.session[LAST_SEEN] = now
        return get_response(request)

    return middleware


@receiver(user_logged_in)
def start_the_idle_clock(sender, request, **kwargs):
    request.session[LAST_SEEN] = int(time.time())


@cache
def administrators_pages() -> tuple[str, ...]:
    """Where the administrators' pages live: the Django admin, the accounts review, the security
    log (each path with everything under it)."""
    return (reverse("admin:index"), reverse("accounts"), reverse("audit_log"))


def administrators_pages_from_allowed_networks(get_response):
    """With ADMIN_ALLOWED_NETWORKS set, the administrators' pages answer 404 to a client outside
    those networks (等保 level 3: 管理终端限制), as if they were not there. The address is the one
    the portal believes (portal.ratelimit.known_address), not what a client says of itself."""

    def middleware(request):
        gated = request.path_info.startswith(administrators_pages())
        if gated and not from_allowed_network(request):
            raise Http404
        return get_response(request)

    return middleware


def from_allowed_network(request) -> bool:
    """Whether the client may see the administrators' pages: from ADMIN_ALLOWED_NETWORKS, when
    it is set."""
    allowed = settings.ADMIN_ALLOWED_NETWORKS
    if not allowed:
        return True
    try:
        client = ipaddress.ip_address(known_address(request) or "")
    except ValueError:  # no address at all
        return False
    return any(client in network for network in allowed)


class SignInSteps:
    """A staff member who has given the password but not yet the second factor (or who must
    choose a new password) reaches no staff page, nor the Django admin: each sends them to the
    step they still owe (portal.second_factor.next_step), then back where they were going. Riders
    have no staff account and never meet it."""

    # The pages a sign-in halfway through may open, besides the step it owes (and no other step:
    # a password alone may not choose a new password for an account that has a second factor).
    OPEN = {"login", "logout", "second_factor", "second_factor_text", "set_language", "healthz"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view, args, kwargs):
        if not request.user.is_authenticated:
            return None
        request.sign_in_step = next_step(request.user)
        here = request.resolver_match.view_name
        if request.sign_in_step in (None, here) or here in self.OPEN:
            return None
        return redirect_to_login(request.get_full_path(), reverse(request.sign_in_step))
