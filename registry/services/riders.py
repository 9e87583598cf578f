"""The rider's one identity. Riders have no accounts: a rider is a worker id in the session, put
there only once a texted code proved the mobile is theirs (sign-in, or registration), and kept
for RIDER_SESSION_DAYS on that phone. Every rider page asks `current_worker`. Staff users are a
different thing (portal.User); a request can carry both.

A proven number that has no record yet is kept in the session for a while (PROVEN_SECONDS), so
the registration that follows needs no second code."""

import time
from datetime import timedelta
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from portal import otp
from registry.models import Worker

SESSION_KEY = "rider_worker_id"
PURPOSE = "rider"  # one purpose for every code that proves a rider's mobile
CODE_SECONDS = 5 * 60
CODE_SENT = "rider_code_mobile"  # the mobile the last code went to
PROVEN = "rider_proven_mobile"  # {"mobile": …, "until": …}: proven, not registered yet
PROVEN_SECONDS = 30 * 60


def sign_in(request, worker: Worker) -> None:
    request.session.cycle_key()  # a new session id at sign-in: no fixation
    request.session.pop(PROVEN, None)
    request.session[SESSION_KEY] = worker.pk
    request.session.set_expiry(timedelta(days=settings.RIDER_SESSION_DAYS))


def sign_out(request) -> None:
    request.session.pop(SESSION_KEY, None)


def current_worker(request) -> Worker | None:
    """The signed-in rider, if their consent still stands; None otherwise."""
    worker_id = request.session.get(SESSION_KEY)
    if worker_id is None:
        return None
    return Worker.objects.consenting().select_related("area").filter(pk=worker_id).first()


def send_code(request, mobile: str) -> str:
    """Text a code proving `mobile` (otp's limits); the refusal in plain words, or ""."""
    refusal = otp.send_limited_code(request, PURPOSE, mobile, seconds=CODE_SECONDS, deliver=True)
    if not refusal:
        request.session[CODE_SENT] = mobile
    return refusal


def code_mobile(request) -> str:
    """The mobile waiting for its code, or ""."""
    return request.session.get(CODE_SENT, "")


def check_code(request, mobile: str, code: str) -> str:
    """ "" when `code` proves `mobile`, else why not."""
    if otp.check_code(PURPOSE, mobile, code):
        request.session.pop(CODE_SENT, None)
        return ""
    return otp.refusal(PURPOSE, mobile)


def keep_proven(request, mobile: str) -> None:
    request.session[PROVEN] = {"mobile": mobile, "until": time.time() + PROVEN_SECONDS}


def proven_mobile(request) -> str:
    """The mobile this phone proved, not yet registered, if it proved it lately; or ""."""
    proven = request.session.get(PROVEN)
    if not proven or proven["until"] <= time.time():
        return ""
    return proven["mobile"]


def owns(request, mobile: str) -> bool:
    """Whether this phone has proven `mobile`: the signed-in rider's own, or proven lately."""
    worker = current_worker(request)
    return mobile == proven_mobile(request) or (worker is not None and worker.mobile == mobile)


def next_url(request, default: str) -> str:
    """`?next=` if it is a page of this site, else `default` (a URL)."""
    url = request.GET.get("next", "")
    # A path: redirect() would take a bare word (`"><img …`) for a URL name, and fail (a 500).
    if url.startswith("/") and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return default


def sign_in_redirect(next_url: str):
    return redirect(f"{reverse('registry:sign_in')}?{urlencode({'next': next_url})}")


def rider_required(view):
    """Rider pages: a rider who is not signed in goes to the sign-in page and comes back."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        worker = current_worker(request)
        if worker is None:
            return sign_in_redirect(request.get_full_path())
        request.worker = worker
        return view(request, *args, **kwargs)

    return wrapped
