"""Riders have no accounts: a rider signed in with a text-message code is a worker id in the
session, kept for RIDER_SESSION_DAYS on that phone. Staff users are a different thing
(portal.User); a request can carry both."""

from datetime import timedelta
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from registry.models import Worker

SESSION_KEY = "rider_worker_id"


def sign_in(request, worker: Worker) -> None:
    request.session.cycle_key()  # a new session id at sign-in: no fixation
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


def sign_in_redirect(next_url: str):
    return redirect(f"{reverse('points:sign_in')}?{urlencode({'next': next_url})}")


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
